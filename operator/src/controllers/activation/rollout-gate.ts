// Which version an Automatic activation runs while fleet rollouts are under way. The version
// resolution says what the channel offers (its newest version that is not withdrawn); the fleet
// rollout of that version says whether this activation may have it yet. Pure: the rollouts'
// statuses are passed in as a FleetView.
import type { AIBuildingBlock } from "../../api/v1alpha1/index.ts";
import type { FleetView } from "../rollout/fleet-view.ts";

export interface RunningVersion {
  version: string;
  image: string;
}

export type GateVerdict =
  | { move: true; to: RunningVersion }
  | { move: false; to: RunningVersion; reason: "WaitingForRollout" | "RolledBack"; message: string };

const imageOf = (block: AIBuildingBlock, version: string) =>
  block.spec.versions.find((v) => v.version === version)?.image;

/**
 * The version an activation following a channel automatically runs now:
 * - what a rollout sent back (a failed health gate, or a halted or aborted rollout) returns to
 *   the version that was healthy for it before;
 * - a new activation gets the newest version at once (it has nothing to break);
 * - otherwise the newest version only once its rollout moved this activation; until then the
 *   running version stays.
 */
export function rolloutGate(o: {
  key: string;
  block: AIBuildingBlock;
  newest: RunningVersion;
  running: RunningVersion | undefined;
  fleet: FleetView;
  /** The ring of the activation's municipality, for the message (which stays the same while it waits). */
  ring: string;
}): GateVerdict {
  const { key, block, newest, running, fleet } = o;
  const back = (version: string | undefined, why: string): GateVerdict | undefined => {
    const image = version && imageOf(block, version);
    return version && image
      ? { move: false, to: { version, image }, reason: "RolledBack", message: `${why}; runs ${version} again` }
      : undefined;
  };
  const mine = fleet.entry(newest.version, key);
  if (mine?.state === "Failed") {
    const verdict = back(
      mine.previousVersion,
      `version ${newest.version} failed its health gate here (${mine.message ?? "not healthy"})`,
    );
    if (verdict) return verdict;
  }
  if (running && fleet.withdrawn().has(running.version)) {
    const entry = fleet.entry(running.version, key);
    const verdict = back(entry?.previousVersion, `version ${running.version} was withdrawn by its fleet rollout`);
    if (verdict) return verdict;
    return { move: true, to: newest };
  }
  if (!running || running.version === newest.version) return { move: true, to: newest };
  // Only what the rollout moved moves, even after it succeeded: an activation that joins later
  // (unpinned, or switched to Automatic) goes through the rings like the rest.
  if (mine) return { move: true, to: newest };
  return {
    move: false,
    to: running,
    reason: "WaitingForRollout",
    message: `version ${newest.version} reaches this municipality in ring ${o.ring} of its fleet rollout (kubectl get blockrollouts ${block.metadata.name}-${newest.version}); ${running.version} keeps running until then`,
  };
}
