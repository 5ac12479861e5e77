// The reconcile of a BlockActivation as named phases over one scope (cluster-api's
// doReconcile(ctx, phases, scope)). Each phase reads what the earlier ones decided, fills in its
// part and says whether the next may run; none writes status: the reconciler writes it once, at
// the end, from the scope. A phase is inserted by adding one line to ACTIVATION_PHASES.
//
// The rule that runs through them: a gate that fails or a configuration we refuse never takes
// down what runs. Such a phase leaves `target` at the running version (or at nothing), and
// keepWhatRuns stops before anything is rendered.

import { WORKLOAD_KIND } from "../../../../cdk/src/activation/activation-chart.ts";
import type { ActivationRenderContext } from "../../../../cdk/src/activation/activation-input.ts";
import { parseOnce, safeParseOnce } from "../../api/parse-once.ts";
import {
  type AIBuildingBlock,
  activationNameProblem,
  aiBuildingBlockSpec,
  type MunicipalTenant,
  municipalTenantSpec,
} from "../../api/v1alpha1/index.ts";
import { type KubeObject, objectKey } from "../../kube/object.ts";
import type { ObjectRef } from "../../kube/resource-paths.ts";
import { issuesOf } from "../../webhook/validate-block-spec.ts";
import { type CatalogPolicy, versionGates } from "../catalog/certification.ts";
import type { FleetView } from "../rollout/fleet-view.ts";
import { configurationRules } from "./activation-rules.ts";
import type { ActivationObject, ActivationScope } from "./activation-scope.ts";
import { references, verdict } from "./activation-scope.ts";
import { holdFirstStatus as firstStatusHold, rolloutVerdicts } from "./activation-status.ts";
import { applyChildren } from "./apply-children.ts";
import { logboekVerdict } from "./logboek-status.ts";
import { rolloutGate } from "./rollout-gate.ts";
import { versionLifecycle } from "./version-lifecycle.ts";
import { resolveVersion } from "./version-resolution.ts";

type Obj = KubeObject & ObjectRef;

/** What the phases need from the reconciler: caches, the applier, the policy and the clock. */
export interface PhaseEnv {
  block(name: string): KubeObject | undefined;
  tenant(namespace: string): KubeObject | undefined;
  child(kind: string, namespace: string, name: string): KubeObject | undefined;
  /**
   * Server-side apply against the cached child: the object as the API server (or cache) has it,
   * and whether a request was sent for it.
   */
  apply(obj: Obj): Promise<{ object: KubeObject; written: boolean; createdAsSent?: boolean }>;
  /** Deletes the activation's children that `desired` no longer has; how many it deleted. */
  prune(activation: ActivationObject, desired: Obj[]): Promise<number>;
  /** Every child the activation owns, as cached (for childrenDigest). */
  owned?(activation: ActivationObject): { kind: string; object: KubeObject }[];
  /**
   * By activation key, the digest of the inputs with which its children were last found as
   * rendered (children-digest.ts). Without it the children are rendered on every reconcile.
   */
  inSync?: Map<string, string>;
  /** Called when a reconcile found the children as rendered with the same digest and skipped them. */
  skippedRender?(): void;
  /** What the fleet rollouts of a block say (withdrawn versions, who was moved). */
  fleet(block: string): FleetView;
  render: ActivationRenderContext;
  policy: CatalogPolicy;
  now(): Date;
  /** How long the first status of this activation (namespace/name) may wait for its StatefulSet. */
  firstStatusHoldMs(key: string): number;
}

export type PhaseResult = "continue" | "stop";
export type Phase = (scope: ActivationScope, env: PhaseEnv) => Promise<PhaseResult>;

/** What the block's fleet rollouts say, read once per reconcile. */
function fleetOf(scope: ActivationScope, env: PhaseEnv): FleetView {
  scope.fleet ??= env.fleet(scope.activation.spec.block);
  return scope.fleet;
}

/**
 * A name the API server refuses today may belong to an activation created before it did (a dot,
 * a leading digit, aihub-*): its children could not be named, so nothing is applied, and the
 * status says so once instead of an apply failing on every retry.
 */
export const checkName: Phase = async (scope) => {
  const problem = activationNameProblem(scope.name);
  if (!problem) return "continue";
  const message = `${problem}; create the activation again under a valid name and delete this one`;
  scope.verdicts.progressing = verdict("False", "InvalidName", message);
  scope.verdicts.ready = verdict("False", "InvalidName", message);
  return "stop";
};

/** The block in the catalog and the municipality's tenant; without either nothing can run. */
export const loadReferences: Phase = async (scope, env) => {
  const refuse = (reason: string, message: string): PhaseResult => {
    scope.verdicts.progressing = verdict("False", reason, message);
    scope.verdicts.ready = verdict("False", reason, message);
    return "stop";
  };
  const block = scope.activation.spec.block;
  const namespace = scope.namespace;
  const blockObj = env.block(block);
  if (!blockObj) {
    return refuse(
      "BlockNotFound",
      `block ${block} is not in the national catalog; kubectl get aibuildingblocks lists what is`,
    );
  }
  const tenantObj = env.tenant(namespace);
  if (!tenantObj) {
    return refuse(
      "NotATenant",
      `namespace ${namespace} is not a municipality's tenant namespace; activate blocks in your tenant's namespace`,
    );
  }
  const blockSpec = safeParseOnce(aiBuildingBlockSpec, blockObj.spec);
  if (!blockSpec.success) {
    // What runs stays (nothing is applied); the collective has to fix the catalog entry.
    return refuse(
      "BlockInvalid",
      `block ${block} in the national catalog is invalid, so nothing is changed here: ${issuesOf(blockSpec.error, "spec").join("; ")}`,
    );
  }
  scope.block = { ...blockObj, spec: blockSpec.data } as unknown as AIBuildingBlock;
  scope.tenant = { ...tenantObj, spec: parseOnce(municipalTenantSpec, tenantObj.spec) } as unknown as MunicipalTenant;
  return "continue";
};

/** Which version: the resolution says what the spec asks for; the gates may keep the running one. */
export const resolveTarget: Phase = async (scope, env) => {
  const { block } = references(scope);
  const { running } = scope;
  const fleet = fleetOf(scope, env);
  const resolved = resolveVersion(scope.activation, block, fleet.withdrawn());
  scope.resolved = resolved;
  scope.target = running;
  if (!resolved.ok) {
    scope.availableUpdate = undefined;
    scope.verdicts.certified = verdict("Unknown", resolved.reason, resolved.message);
    return "continue";
  }
  const update = resolved.availableUpdate;
  const inFleet = update && fleet.describe(update.version);
  scope.availableUpdate = update && { ...update, ...(inFleet && { fleet: inFleet }) };
  const gate = versionGates(block, resolved.version, env.policy, env.now());
  if (gate.ok) {
    scope.target = { version: resolved.version, image: resolved.image };
    scope.verdicts.certified = verdict(
      "True",
      "Certified",
      `version ${resolved.version} is certified until ${block.spec.certification.validUntil}`,
    );
  } else if (gate.reason === "CertificationRevoked") {
    // A revocation is a finding that the block is unsafe, not a lapse of paperwork: what runs
    // stops (scaled to zero, its configuration kept) until the certification is reinstated.
    const stopped = running ? `; version ${running.version} is stopped (scaled to 0 replicas)` : "";
    scope.verdicts.certified = verdict("False", gate.reason, `${gate.message}${stopped}`);
    if (running) scope.stopped = verdict("False", gate.reason, `${gate.message}${stopped}`);
  } else {
    const kept = running && running.version !== resolved.version ? `; version ${running.version} keeps running` : "";
    scope.verdicts.certified = verdict("False", gate.reason, `${gate.message}${kept}`);
  }
  return "continue";
};

/**
 * An activation that follows its channel automatically gets the channel's version when that
 * version's fleet rollout moves it (rollout-gate.ts); until then what runs stays, and what a
 * rollout sent back runs its last healthy version again.
 */
export const holdForRollout: Phase = async (scope, env) => {
  const { block, tenant } = references(scope);
  const spec = scope.activation.spec;
  const fleet = fleetOf(scope, env);
  const runs = scope.running?.version ?? (scope.resolved?.ok ? scope.resolved.version : undefined);
  const life = runs ? versionLifecycle(block, runs, env.now()) : { state: "Supported" as const };
  scope.supported =
    life.state === "Supported"
      ? verdict("True", "Supported", `version ${runs} is supported`)
      : verdict("False", life.state === "Expired" ? "EndOfLife" : life.state, life.message);
  // Once the approved version is past its end of life and the notice period, a Manual activation
  // follows the channel like an Automatic one (until a person approves a supported version).
  const expiredManual =
    spec.updatePolicy === "Manual" &&
    !spec.version &&
    spec.approvedVersion !== undefined &&
    versionLifecycle(block, spec.approvedVersion, env.now()).state === "Expired";
  const resolved = expiredManual
    ? resolveVersion(
        { ...scope.activation, spec: { ...spec, updatePolicy: "Automatic", approvedVersion: undefined } },
        block,
        fleet.withdrawn(),
      )
    : scope.resolved;
  if (!resolved?.ok || (spec.updatePolicy === "Manual" && !expiredManual) || spec.version) return "continue";
  const gate = rolloutGate({
    key: `${scope.namespace}/${scope.name}`,
    block,
    newest: { version: resolved.version, image: resolved.image },
    running: scope.running,
    fleet,
    ring: tenant.spec.rolloutRing ?? "general",
  });
  if (gate.move) {
    scope.upToDate = verdict("True", "Latest", `runs ${resolved.version}, the newest version on its channel`);
    // The version gates judged the approved version; the one it is moved to must pass them too.
    if (expiredManual && versionGates(block, gate.to.version, env.policy, env.now()).ok) scope.target = gate.to;
    return "continue";
  }
  scope.target = gate.to;
  scope.upToDate = verdict("False", gate.reason, gate.message);
  return "continue";
};

/** The configuration rules the webhook enforces too (activation-rules.ts): the first failure is the verdict. */
export const checkParameters: Phase = async (scope) => {
  const { block, tenant } = references(scope);
  const runs = scope.target?.version;
  const rules = configurationRules(block, scope.activation.spec, runs ? { version: runs, tenant } : undefined);
  const failed = rules.failures[0];
  scope.parameterValues = rules.values;
  scope.verdicts.parameters = failed
    ? verdict("False", failed.reason, failed.message)
    : verdict("True", "Valid", "parameters match the block's definitions");
  return "continue";
};

/**
 * Nothing may be rendered: either nothing acceptable to run, or a configuration we refuse. What
 * runs (if anything) stays as it is, and its StatefulSet says whether it is still ready.
 */
export const keepWhatRuns: Phase = async (scope, env) => {
  const { parameters, certified } = scope.verdicts;
  if (scope.target && parameters.status !== "False") return "continue";
  const blocked =
    parameters.status === "False"
      ? parameters
      : certified.status === "True"
        ? verdict("False", "NoVersion", "no version to run")
        : certified;
  scope.workload = env.child(WORKLOAD_KIND, scope.namespace, scope.name);
  const rollout = rolloutVerdicts(scope.workload, scope.activation.spec.replicas);
  scope.verdicts.progressing = verdict("False", blocked.reason, blocked.message);
  scope.verdicts.ready =
    scope.workload && scope.running ? rollout.ready : verdict("False", blocked.reason, blocked.message);
  return "stop";
};

/** Progress and readiness from the StatefulSet's status (rolloutVerdicts). */
export const observeRollout: Phase = async (scope) => {
  if (scope.stopped) {
    scope.verdicts.progressing = scope.stopped;
    scope.verdicts.ready = scope.stopped;
    return "continue";
  }
  Object.assign(scope.verdicts, rolloutVerdicts(scope.workload, scope.activation.spec.replicas));
  return "continue";
};

/** Whether the records of what runs reach the municipality's Logboek (logboek-status.ts). */
export const observeLogboek: Phase = async (scope) => {
  const { block, tenant } = references(scope);
  const runs = scope.rendered ?? scope.running;
  scope.logboek = logboekVerdict({
    tenant,
    block,
    version: runs?.version,
    mapping: Object.fromEntries(
      (scope.activation.spec.processingActivities ?? []).map((m) => [m.activity, m.registerEntry]),
    ),
    replicas: scope.stopped ? 0 : scope.activation.spec.replicas,
    workload: scope.workload,
  });
  return "continue";
};

/** A new activation's first status waits a moment for its StatefulSet: one write instead of two. */
export const holdFirstStatus: Phase = async (scope, env) => {
  const hasStatus = scope.activation.status !== undefined;
  const ready = scope.verdicts.ready.status === "True";
  const workloadCreated = scope.workload?.metadata.creationTimestamp;
  // Only an activation that could be held chooses its hold (FirstStatusHolds keeps the choice).
  if (hasStatus || ready || !workloadCreated) return "continue";
  const hold = firstStatusHold({
    hasStatus,
    ready,
    workloadCreated,
    now: env.now(),
    holdMs: env.firstStatusHoldMs(objectKey(scope.activation)),
  });
  if (hold === undefined) return "continue";
  // Held: nothing is reported yet, Events included (they would repeat each time).
  scope.holdStatus = true;
  scope.requeueAfterMs = hold;
  return "stop";
};

/** The reconcile, in order. */
export const ACTIVATION_PHASES: readonly Phase[] = [
  checkName,
  loadReferences,
  resolveTarget,
  holdForRollout,
  checkParameters,
  keepWhatRuns,
  applyChildren,
  observeRollout,
  observeLogboek,
  holdFirstStatus,
];

/** Runs `phases` in order until one stops. */
export async function runPhases(phases: readonly Phase[], scope: ActivationScope, env: PhaseEnv): Promise<void> {
  for (const phase of phases) if ((await phase(scope, env)) === "stop") return;
}
