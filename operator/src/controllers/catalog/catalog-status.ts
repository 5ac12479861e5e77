// The status of a catalog entry, computed from its spec: the newest version per channel and
// a Ready condition. Pure: the clock is passed in.
import { compareSemver } from "../../api/semver.ts";
import type { AIBuildingBlock } from "../../api/v1alpha1/index.ts";
import { setCondition } from "../../runtime/conditions.ts";

export type CatalogStatus = NonNullable<AIBuildingBlock["status"]>;

/** The newest version on each channel; a candidate channel falls back to stable when it has nothing newer. */
export function latestVersions(block: AIBuildingBlock): CatalogStatus["latestVersions"] {
  const newest = (channel: string) =>
    block.spec.versions
      .filter((v) => (v.channel ?? "stable") === channel)
      .map((v) => v.version)
      .sort(compareSemver)
      .at(-1);
  const stable = newest("stable");
  const candidateOnly = newest("candidate");
  const candidate = candidateOnly && (!stable || compareSemver(candidateOnly, stable) > 0) ? candidateOnly : stable;
  return { ...(stable && { stable }), ...(candidate && { candidate }) };
}

export function catalogStatus(block: AIBuildingBlock, now: Date): CatalogStatus {
  const generation = block.metadata.generation;
  const latest = latestVersions(block);
  const published = block.spec.versions.length;
  const conditions = setCondition(
    block.status?.conditions ?? [],
    latest?.stable
      ? {
          type: "Ready",
          status: "True",
          reason: "Published",
          message: `${published} version(s) published; newest stable ${latest.stable}`,
          observedGeneration: generation,
        }
      : {
          type: "Ready",
          status: "False",
          reason: "NoStableVersion",
          message:
            "no version is on the stable channel: publish one with channel: stable before municipalities can use the block",
          observedGeneration: generation,
        },
    now,
  );
  return {
    ...block.status,
    observedGeneration: generation,
    latestVersions: latest,
    conditions,
  };
}
