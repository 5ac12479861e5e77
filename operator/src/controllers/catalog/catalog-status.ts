// The status of a catalog entry, computed from its spec: the newest version per channel and
// a Ready condition. Pure: the clock is passed in.
import { isDeepStrictEqual } from "node:util";
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

/** What the controller found beyond the spec: the catalog gates' verdict and how many activations use the block. */
export interface CatalogFindings {
  gate: { ok: true } | { ok: false; reason: string; message: string };
  activations: number;
  /** Versions a fleet rollout withdrew, with why. */
  withdrawn?: NonNullable<CatalogStatus["withdrawnVersions"]>;
}

export function catalogStatus(block: AIBuildingBlock, now: Date, findings: CatalogFindings): CatalogStatus {
  const generation = block.metadata.generation;
  const latest = latestVersions(block);
  const published = block.spec.versions.length;
  const certified = setCondition(
    block.status?.conditions ?? [],
    findings.gate.ok
      ? {
          type: "Certified",
          status: "True",
          reason: "Certified",
          message: `certified by ${block.spec.certification.certifiedBy} until ${block.spec.certification.validUntil}`,
          observedGeneration: generation,
        }
      : { type: "Certified", status: "False", ...findings.gate, observedGeneration: generation },
    now,
  );
  const conditions = setCondition(
    certified,
    !findings.gate.ok
      ? {
          type: "Ready",
          status: "False",
          reason: findings.gate.reason,
          message: `new versions are not rolled out: ${findings.gate.message}`,
          observedGeneration: generation,
        }
      : latest?.stable
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
    ...withoutWithdrawn(block.status),
    observedGeneration: generation,
    latestVersions: latest,
    activations: findings.activations,
    ...(findings.withdrawn?.length && { withdrawnVersions: findings.withdrawn }),
    conditions: [...conditions.filter((c) => c.type === "Ready"), ...conditions.filter((c) => c.type !== "Ready")],
  };
}

/** Whether two statuses differ in the activation count and in nothing else. */
export function onlyCountDiffers(live: object, desired: object): boolean {
  const { activations: a, ...liveRest } = live as { activations?: number };
  const { activations: b, ...desiredRest } = JSON.parse(JSON.stringify(desired)) as { activations?: number };
  return a !== b && isDeepStrictEqual(liveRest, desiredRest);
}

/** The previous status without its withdrawn versions: they are recomputed, and may be gone. */
function withoutWithdrawn(status: CatalogStatus | undefined): CatalogStatus {
  const { withdrawnVersions: _, ...rest } = status ?? {};
  return rest;
}

/** The status of an entry its schema refuses: Ready False with the problems named; the rest kept. */
export function invalidCatalogStatus(
  block: { metadata: { generation?: number }; status?: unknown },
  message: string,
  now: Date,
): CatalogStatus {
  const before = (block.status ?? {}) as CatalogStatus;
  const generation = block.metadata.generation;
  return {
    ...before,
    observedGeneration: generation,
    conditions: setCondition(
      before.conditions ?? [],
      { type: "Ready", status: "False", reason: "InvalidSpec", message, observedGeneration: generation },
      now,
    ),
  };
}
