// Which Events one reconcile of an activation records. Events are what auditors read back, and
// each costs a write: an update and a newly offered version are Events, a first rollout is in
// status alone (one Event per activation would cost a fleet thousands of writes for nothing new),
// and a Warning is recorded when a condition turns False for a new reason, not on every reconcile.
// A rollout in progress is no warning; a refusal or a failed gate is. Pure.
import type { Condition } from "../../api/v1alpha1/index.ts";
import type { ActivationScope, PendingEvent } from "./activation-scope.ts";

// Waiting for a fleet rollout is routine too: a Warning per held activation would be hundreds.
const ROLLOUT_REASONS = new Set(["Creating", "ReplicasUnavailable", "RollingOut", "WaitingForRollout"]);
// Reasons that say "not yet" while pods start and "lost" once they ran: a Warning only when the
// condition was True before. A new activation's sidecar is not ready until its pod is, and a
// Warning for each of them was 1,710 Events of nothing new as 342 municipalities converged.
const LOSS_ONLY_REASONS = new Set(["SidecarNotReady"]);

/** The Events of an apply: a version rolled out over another, a newer version offered for approval. */
export function changeEvents(scope: ActivationScope): PendingEvent[] {
  const block = scope.block?.metadata.name ?? scope.activation.spec.block;
  const events: PendingEvent[] = [];
  const { running, rendered, availableUpdate } = scope;
  if (running && rendered && rendered.version !== running.version) {
    events.push({
      type: "Normal",
      reason: "VersionRolledOut",
      note: `updated ${block} from ${running.version} to ${rendered.version}`,
    });
  }
  if (availableUpdate && availableUpdate.version !== scope.activation.status?.availableUpdate?.version) {
    events.push({
      type: "Normal",
      reason: "UpdateAvailable",
      note: `version ${availableUpdate.version} of ${block} is available; read its release notes in status.availableUpdate and set spec.approvedVersion to approve it`,
    });
  }
  return events;
}

/** A Warning for each condition that turned False, or False for another reason, since `before`. */
export function conditionWarnings(before: Condition[] | undefined, after: Condition[] | undefined): PendingEvent[] {
  const was = new Map((before ?? []).map((c) => [c.type, c]));
  return (after ?? [])
    .filter((c) => {
      const routine = c.type === "Progressing" || ROLLOUT_REASONS.has(c.reason);
      const previous = was.get(c.type);
      if (LOSS_ONLY_REASONS.has(c.reason)) return c.status === "False" && previous?.status === "True";
      return c.status === "False" && !routine && (previous?.status !== "False" || previous.reason !== c.reason);
    })
    .map((c) => ({ type: "Warning", reason: c.reason, note: c.message }));
}
