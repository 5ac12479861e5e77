// The rollout's Progressing condition: one sentence a person reads in `kubectl get bro -o wide`
// and `kubectl describe`, from the phase, why a rollback runs, what holds it, and the counts.
import type { RingName, RolloutPhase } from "../../api/v1alpha1/index.ts";
import type { ConditionInput } from "../../runtime/conditions.ts";

const CAUSES: Record<string, string> = {
  Aborted: "aborted by spec.abort",
  FailureThreshold: "halted by too many failures",
  AnalysisNoGo: "halted by the analysis hook's no-go",
};

export function progressingCondition(
  phase: RolloutPhase,
  reason: string,
  ring: RingName | undefined,
  held: { reason: string; message: string } | undefined,
  n: { version: string; updated: number; total: number; failed: number },
): Omit<ConditionInput, "type"> {
  const counts = `${n.updated}/${n.total} updated, ${n.failed} failed`;
  switch (phase) {
    case "Progressing":
      return held
        ? { status: "False", ...held }
        : { status: "True", reason: "RingProgressing", message: `ring ${ring}: ${counts}` };
    case "Paused":
      return {
        status: "False",
        reason: "Paused",
        message: `paused in ring ${ring}: ${counts}; set spec.paused to false to resume`,
      };
    case "RollingBack":
      return {
        status: "True",
        reason: reason || "RollingBack",
        message: `${CAUSES[reason] ?? "halted"}: moving activations back; ${n.version} is withdrawn`,
      };
    case "RolledBack":
      return {
        status: "False",
        reason: "RolledBack",
        message: `${CAUSES[reason] ?? "halted"}: ${n.version} is withdrawn for the fleet and every moved activation is back; ${counts}`,
      };
    case "Succeeded":
      return { status: "False", reason: "Succeeded", message: counts };
    case "Superseded":
      return { status: "False", reason: "Superseded", message: `a newer version took over; ${counts}` };
  }
}
