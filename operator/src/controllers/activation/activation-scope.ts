// What one reconcile of one BlockActivation knows and has decided so far (cluster-api's scope).
// The phases (activation-phases.ts) read and fill it in order; the reconciler then derives the one
// status write and the Events from it. Two versions are kept apart on purpose: `resolved` is what
// the spec asks for, `target` is what will be rendered. The version gates, and any phase that
// may hold an activation back, change `target` only, so the status can still say what was asked.

import type { ParameterValue } from "../../api/parameters.ts";
import { parseOnce } from "../../api/parse-once.ts";
import {
  type AIBuildingBlock,
  type BlockActivation,
  blockActivationSpec,
  type MunicipalTenant,
} from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ObjectRef } from "../../kube/resource-paths.ts";
import { readApprovals } from "../../webhook/approval-record.ts";
import type { FleetView } from "../rollout/fleet-view.ts";
import { type ActivationOutcome, type ActivationStatus, runningOf, type Verdict } from "./activation-status.ts";
import type { VersionResolution } from "./version-resolution.ts";

export type ActivationObject = KubeObject & ObjectRef & BlockActivation;

export interface RunningVersion {
  version: string;
  image: string;
}

export interface PendingEvent {
  type: "Normal" | "Warning";
  reason: string;
  note: string;
}

export interface ActivationScope {
  /** The activation as cached, with its spec parsed (defaults filled in). */
  readonly activation: ActivationObject;
  readonly namespace: string;
  readonly name: string;
  block?: AIBuildingBlock;
  tenant?: MunicipalTenant;
  /** What runs now: as the status says, or, before the first status, as the StatefulSet says. */
  readonly running?: RunningVersion;
  /** What the spec asks for (resolveVersion); undefined until resolveTarget. */
  resolved?: VersionResolution;
  /** What will be rendered: the resolved version when it may run, else what runs (or nothing). */
  target?: RunningVersion;
  /** The parameter values, defaults included, when they are valid. */
  parameterValues?: Record<string, ParameterValue>;
  /** The version the children were applied with in this reconcile; undefined when nothing was applied. */
  rendered?: RunningVersion;
  verdicts: { parameters: Verdict; certified: Verdict; progressing: Verdict; ready: Verdict };
  availableUpdate?: ActivationStatus["availableUpdate"];
  /** Whether an Automatic activation runs what its channel offers, or waits for (or was sent back by) a fleet rollout. */
  upToDate?: Verdict;
  /** The block's fleet rollouts, read once (activation-phases.ts fleetOf). */
  fleet?: FleetView;
  /** Whether the version that runs is supported, deprecated or past its end of life. */
  supported?: Verdict;
  /** Whether the records of what runs reach the municipality's Logboek (LogboekReady); undefined: nothing to say. */
  logboek?: Verdict;
  /** Set when the collective revoked the block's certification: what runs is scaled to zero (ADR 10). */
  stopped?: Verdict;
  /** The StatefulSet the rollout is judged by: as applied in this reconcile, or as cached. */
  workload?: KubeObject;
  /** Events to record once the status is written (they say what the status says, once). */
  events: PendingEvent[];
  requeueAfterMs?: number;
  /** Write no status and record no Event in this reconcile (holdFirstStatus). */
  holdStatus: boolean;
}

export const verdict = (status: Verdict["status"], reason: string, message: string): Verdict => ({
  status,
  reason,
  message,
});

/**
 * A scope for the cached activation. `workloadOf` reads the activation's StatefulSet from the
 * cache, for what runs before the first status says it.
 */
export function newActivationScope(
  cached: KubeObject,
  workloadOf: (namespace: string, name: string) => KubeObject | undefined,
): ActivationScope {
  const activation = {
    ...cached,
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "BlockActivation",
    spec: parseOnce(blockActivationSpec, cached.spec),
  } as ActivationObject;
  const namespace = activation.metadata.namespace ?? "";
  const name = activation.metadata.name ?? "";
  const status = activation.status;
  const running =
    status?.currentVersion && status.image
      ? { version: status.currentVersion, image: status.image }
      : runningOf(workloadOf(namespace, name), activation.metadata.uid);
  const unknown = verdict("Unknown", "NotEvaluated", "not evaluated yet");
  return {
    activation,
    namespace,
    name,
    running,
    verdicts: { parameters: unknown, certified: unknown, progressing: unknown, ready: unknown },
    availableUpdate: status?.availableUpdate,
    events: [],
    holdStatus: false,
  };
}

/** What the status reports: the verdicts, what runs after this reconcile, and the update on offer. */
export function outcomeOf(scope: ActivationScope): ActivationOutcome {
  return {
    ...scope.verdicts,
    running: scope.rendered ?? scope.running,
    availableUpdate: scope.availableUpdate,
    upToDate: scope.upToDate,
    supported: scope.supported,
    logboek: scope.logboek,
    approvals: readApprovals(scope.activation.metadata.annotations),
  };
}

/** The block and tenant of a scope whose references loadReferences found. */
export function references(scope: ActivationScope): { block: AIBuildingBlock; tenant: MunicipalTenant } {
  if (!scope.block || !scope.tenant) throw new Error("activation phase ran before loadReferences");
  return { block: scope.block, tenant: scope.tenant };
}
