// The status of a BlockActivation from what one reconcile decided. Pure: clock passed in.
import { VERSION_LABEL } from "../../../../cdk/src/activation/labels.ts";
import type { BlockActivation, Condition } from "../../api/v1alpha1/index.ts";
import { READY, setCondition } from "../../runtime/conditions.ts";
import type { ApprovalRecord } from "../../webhook/approval-record.ts";
import { LOGBOEK_READY } from "./logboek-status.ts";

export type ActivationStatus = NonNullable<BlockActivation["status"]>;

export interface Verdict {
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
}

export interface ActivationOutcome {
  parameters: Verdict;
  certified: Verdict;
  progressing: Verdict;
  ready: Verdict;
  running?: { version: string; image: string };
  availableUpdate?: ActivationStatus["availableUpdate"];
  /** For an activation that follows a channel automatically: whether it runs what the channel offers (rollout gate). */
  upToDate?: Verdict;
  /** Whether the running version is supported, deprecated or past its end of life. */
  supported?: Verdict;
  /** Whether the records reach the municipality's Logboek (logboek-status.ts). */
  logboek?: Verdict;
  /** The approvals the admission webhook recorded on the object, oldest first. */
  approvals?: ApprovalRecord[];
}

export const UP_TO_DATE = "UpToDate";
export const SUPPORTED = "Supported";

export const PARAMETERS_VALID = "ParametersValid";
export const CERTIFIED = "Certified";
export const PROGRESSING = "Progressing";

export function activationStatus(activation: BlockActivation, outcome: ActivationOutcome, now: Date): ActivationStatus {
  const observedGeneration = activation.metadata.generation;
  let conditions: Condition[] = activation.status?.conditions ?? [];
  for (const [type, v] of [
    [READY, outcome.ready],
    [PARAMETERS_VALID, outcome.parameters],
    [CERTIFIED, outcome.certified],
    [PROGRESSING, outcome.progressing],
  ] as const) {
    conditions = setCondition(conditions, { type, ...v, observedGeneration }, now);
  }
  for (const [type, v] of [
    [UP_TO_DATE, outcome.upToDate],
    [SUPPORTED, outcome.supported],
    [LOGBOEK_READY, outcome.logboek],
  ] as const) {
    conditions = v
      ? setCondition(conditions, { type, ...v, observedGeneration }, now)
      : conditions.filter((c) => c.type !== type);
  }
  const approvals = outcome.approvals;
  // What a fleet rollout rolls back to: the version that runs whenever Ready is True.
  const lastHealthyVersion =
    outcome.ready.status === "True" && outcome.running
      ? outcome.running.version
      : activation.status?.lastHealthyVersion;
  return {
    observedGeneration,
    ...(outcome.running && { currentVersion: outcome.running.version, image: outcome.running.image }),
    ...(outcome.availableUpdate && { availableUpdate: outcome.availableUpdate }),
    ...(lastHealthyVersion && { lastHealthyVersion }),
    ...(approvals?.length && { approvals }),
    conditions,
  };
}

type WorkloadState = { metadata: { generation?: number }; status?: Record<string, unknown> };

/** The StatefulSet fields that rolloutVerdicts reads (the unit tests hold the two together). */
export const rolloutFields = (d: WorkloadState) => {
  const s = d.status ?? {};
  return [
    d.metadata.generation,
    s.observedGeneration,
    s.replicas,
    s.updatedReplicas,
    s.readyReplicas,
    s.availableReplicas,
    s.currentRevision,
    s.updateRevision,
  ];
};

/**
 * Whether a StatefulSet update can change what rolloutVerdicts says. kube-controller-manager writes
 * a StatefulSet's status several times per rollout (replicas, ready, current, revisions); across
 * a fleet that is thousands of reconciles that cannot change the activation's status.
 */
export function rolloutChanged(a: WorkloadState, b: WorkloadState): boolean {
  const before = rolloutFields(a);
  return rolloutFields(b).some((v, i) => v !== before[i]);
}

/**
 * Of the StatefulSet in the watch cache and the one an apply just returned, the one to judge the
 * rollout by: the later generation. The cache may not have a StatefulSet created a moment ago, and
 * after an apply that changed the pod template it still holds the previous generation, whose
 * status says "fully available" about the version being replaced. At the same generation the
 * cache is kept, as before: the watch keeps its status current.
 */
export function latestWorkload<T extends WorkloadState>(cached: T | undefined, applied: T | undefined): T | undefined {
  if (!cached || !applied) return cached ?? applied;
  return (applied.metadata.generation ?? 0) > (cached.metadata.generation ?? 0) ? applied : cached;
}

/**
 * Progress and readiness from the StatefulSet's own status, as kube-controller-manager reports it,
 * judged as `kubectl rollout status` judges a StatefulSet: the controller has seen this generation,
 * every replica runs the current template and no pod of an older one is left (the update revision
 * has become the current one, which the controller records only once every pod runs it and is
 * ready), and every replica is ready and available.
 */
export function rolloutVerdicts(
  workload:
    | { metadata: { name?: string; namespace?: string; generation?: number }; status?: Record<string, unknown> }
    | undefined,
  replicas: number,
): { progressing: Verdict; ready: Verdict } {
  if (!workload) {
    return {
      progressing: { status: "True", reason: "Creating", message: "creating the block's StatefulSet" },
      ready: { status: "False", reason: "Creating", message: "the block's StatefulSet does not exist yet" },
    };
  }
  const s = workload.status ?? {};
  const count = (field: string) => (s[field] as number | undefined) ?? 0;
  const updated = count("updatedReplicas");
  const available = count("availableReplicas");
  const rolledOut =
    count("observedGeneration") >= (workload.metadata.generation ?? 0) &&
    s.currentRevision === s.updateRevision &&
    updated >= replicas &&
    count("replicas") <= updated &&
    count("readyReplicas") >= replicas &&
    available >= replicas;
  if (rolledOut) {
    return {
      progressing: {
        status: "False",
        reason: "RolloutComplete",
        message: `${available}/${replicas} replicas available`,
      },
      ready: { status: "True", reason: "Available", message: `${available}/${replicas} replicas available` },
    };
  }
  // Counts stay out of the messages while rolling out: each change of a count would be one
  // more status write per activation, thousands across the fleet, and tell a person little.
  const name = `${workload.metadata.namespace}/${workload.metadata.name}`;
  return {
    progressing: { status: "True", reason: "RollingOut", message: `rolling out ${replicas} replica(s) of ${name}` },
    ready: {
      status: "False",
      reason: "ReplicasUnavailable",
      message: `waiting for ${replicas} available replica(s); kubectl describe statefulset ${workload.metadata.name} -n ${workload.metadata.namespace} tells why`,
    },
  };
}

interface WorkloadLike {
  metadata: { labels?: Record<string, string>; ownerReferences?: { uid: string; controller?: boolean }[] };
  spec?: { template?: { spec?: { containers?: { name: string; image?: string }[] } } };
}

/**
 * What this activation's StatefulSet runs (its version label and the block container's image), for
 * an activation whose status does not say so yet: its first status is held back (holdFirstStatus),
 * or the operator stopped before writing it. Only a StatefulSet this activation controls counts.
 */
export function runningOf(
  workload: WorkloadLike | undefined,
  activationUid: string | undefined,
): { version: string; image: string } | undefined {
  const owned = workload?.metadata.ownerReferences?.some((r) => r.controller && r.uid === activationUid);
  if (!workload || !activationUid || !owned) return undefined;
  const version = workload.metadata.labels?.[VERSION_LABEL];
  const image = workload.spec?.template?.spec?.containers?.find((c) => c.name === "block")?.image;
  return version && image ? { version, image } : undefined;
}

/**
 * Milliseconds to hold back the first status of a new activation, or undefined to write now. A new
 * activation's StatefulSet usually becomes available within seconds; until then, or until `holdMs`
 * after the StatefulSet was created, one status write (Ready, with the version) replaces two
 * (rolling out, then Ready). Across a fleet that is 1,710 writes fewer. Only an activation that has
 * no status at all is held: any status it has is corrected at once. `holdMs` is the activation's
 * own (FirstStatusHolds): longer for one first held while the controller was busy.
 */
export function holdFirstStatus(o: {
  hasStatus: boolean;
  ready: boolean;
  workloadCreated: string | undefined;
  now: Date;
  holdMs: number;
}): number | undefined {
  if (o.hasStatus || o.ready || !o.workloadCreated || o.holdMs <= 0) return undefined;
  const left = Date.parse(o.workloadCreated) + o.holdMs - o.now.getTime();
  return left > 0 ? Math.min(left, o.holdMs) : undefined;
}
