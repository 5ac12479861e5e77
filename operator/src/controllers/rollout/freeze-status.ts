// A RolloutFreeze's status: condition Active, True while the window is in force, so that
// `kubectl get rolloutfreezes` says which freeze holds the fleet now. Pure: the clock is passed in.
import type { RolloutFreeze } from "../../api/v1alpha1/index.ts";
import { setCondition } from "../../runtime/conditions.ts";
import { amsterdamTime } from "./windows.ts";

/** How often an unfinished freeze is looked at again (its start and end are minutes). */
export const FREEZE_RECHECK_MS = 30_000;

export function freezeStatus(freeze: Pick<RolloutFreeze, "spec" | "status" | "metadata">, now: Date) {
  const { stamp } = amsterdamTime(now);
  const { start, end, reason } = freeze.spec;
  const state =
    stamp < start
      ? { status: "False" as const, reason: "Scheduled", message: `starts ${start} (Europe/Amsterdam): ${reason}` }
      : stamp < end
        ? {
            status: "True" as const,
            reason: "InForce",
            message: `no rollout moves until ${end} (Europe/Amsterdam): ${reason}`,
          }
        : { status: "False" as const, reason: "Ended", message: `ended ${end} (Europe/Amsterdam)` };
  const generation = freeze.metadata.generation;
  return {
    status: {
      observedGeneration: generation,
      conditions: setCondition(
        freeze.status?.conditions ?? [],
        { type: "Active", ...state, observedGeneration: generation },
        now,
      ),
    },
    recheckAfterMs: state.reason === "Ended" ? undefined : FREEZE_RECHECK_MS,
  };
}
