// Which version of its block an activation runs: a pinned version, the newest on its channel
// (Automatic), or the version a person approved (Manual), with the newer version that awaits
// approval. Pure: the catalog entry is passed in.
import { compareSemver } from "../../api/semver.ts";
import type { AIBuildingBlock, BlockActivation } from "../../api/v1alpha1/index.ts";
import { latestVersions } from "../catalog/catalog-status.ts";

type BlockVersion = AIBuildingBlock["spec"]["versions"][number];
type Channel = NonNullable<BlockActivation["spec"]["channel"]>;

export interface AvailableUpdate {
  version: string;
  releaseDate: string;
  releaseNotes: string;
}

export type VersionResolution =
  | { ok: true; version: string; image: string; availableUpdate?: AvailableUpdate }
  | { ok: false; reason: string; message: string };

const published = (block: AIBuildingBlock) => block.spec.versions.map((v) => v.version).join(", ");

const find = (block: AIBuildingBlock, version: string) => block.spec.versions.find((v) => v.version === version);

/**
 * The versions an activation on `channel` could move to from `than`, oldest first. The candidate
 * channel also sees stable versions, as latestVersions lets it fall back to stable.
 */
export function newerVersions(block: AIBuildingBlock, channel: Channel, than: string): BlockVersion[] {
  return block.spec.versions
    .filter((v) => channel === "candidate" || (v.channel ?? "stable") === "stable")
    .filter((v) => compareSemver(v.version, than) > 0)
    .sort((a, b) => compareSemver(a.version, b.version));
}

/**
 * What the activation's spec asks for. `withdrawn` are versions that a fleet rollout withdrew:
 * a channel never offers them (the newest version that is not withdrawn takes their place),
 * though a pinned or approved one still resolves: a person chose it.
 */
export function resolveVersion(
  activation: BlockActivation,
  block: AIBuildingBlock,
  withdrawn: ReadonlySet<string> = new Set(),
): VersionResolution {
  const spec = activation.spec;
  const name = block.metadata.name ?? spec.block;

  // Pinned: exactly that version, and no update is offered; unpinning is the way to move on.
  if (spec.version) {
    const pinned = find(block, spec.version);
    if (pinned) return { ok: true, version: pinned.version, image: pinned.image };
    return {
      ok: false,
      reason: "VersionNotPublished",
      message: `version ${spec.version} is not published in block ${name}; published: ${published(block)}`,
    };
  }

  const channel = spec.channel ?? "stable";
  const offered = withdrawn.size
    ? { ...block, spec: { ...block.spec, versions: block.spec.versions.filter((v) => !withdrawn.has(v.version)) } }
    : block;
  const newest = latestVersions(offered)?.[channel];
  const newestEntry = newest === undefined ? undefined : find(block, newest);

  if (spec.updatePolicy === "Manual") {
    const approved = spec.approvedVersion === undefined ? undefined : find(block, spec.approvedVersion);
    if (!approved) {
      return {
        ok: false,
        reason: "ApprovedVersionNotPublished",
        message:
          spec.approvedVersion === undefined
            ? `updatePolicy Manual needs spec.approvedVersion; block ${name} publishes ${published(block)}`
            : `approved version ${spec.approvedVersion} is not published in block ${name}; published: ${published(block)}`,
      };
    }
    // The approved version runs even when the channel has nothing (yet): a person chose it.
    const update =
      newestEntry &&
      compareSemver(newestEntry.version, approved.version) > 0 &&
      // A declined version is offered no more; a newer one is.
      (spec.declinedVersion === undefined || compareSemver(newestEntry.version, spec.declinedVersion) > 0)
        ? {
            availableUpdate: {
              version: newestEntry.version,
              releaseDate: newestEntry.releaseDate,
              releaseNotes: newestEntry.releaseNotes,
            },
          }
        : {};
    return { ok: true, version: approved.version, image: approved.image, ...update };
  }

  if (!newestEntry) {
    return {
      ok: false,
      reason: "NoVersionOnChannel",
      message:
        `block ${name} has no version on the ${channel} channel; ` +
        `follow another channel or pin one of the published versions (${published(block)}) with spec.version`,
    };
  }
  return { ok: true, version: newestEntry.version, image: newestEntry.image };
}
