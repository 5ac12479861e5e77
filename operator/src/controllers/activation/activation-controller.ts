// The activation controller: one BlockActivation -> the block running in the tenant's namespace
// at the resolved version, with the municipality's parameters and the logging sidecar. A gate
// that fails (certification, supplier, registry) or bad parameters never take down what runs:
// the running version and configuration stay, and the reason is a condition and an Event.
import type { Logger } from "pino";
import { activationChildKinds, renderActivation } from "../../../../cdk/src/activation/activation-chart.ts";
import type { ActivationRenderContext } from "../../../../cdk/src/activation/activation-input.ts";
import { ACTIVATION_LABEL } from "../../../../cdk/src/activation/labels.ts";
import { validateParameters } from "../../api/parameters.ts";
import {
  type AIBuildingBlock,
  aiBuildingBlockSpec,
  type BlockActivation,
  blockActivationSpec,
  type MunicipalTenant,
  municipalTenantSpec,
} from "../../api/v1alpha1/index.ts";
import { isNotFound } from "../../kube/api-error.ts";
import { Applier } from "../../kube/apply.ts";
import type { EventRecorder } from "../../kube/events.ts";
import { type KubeObject, objectKey } from "../../kube/object.ts";
import { allNamespacesPath, type ObjectRef, type ResourcePaths } from "../../kube/resource-paths.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import { writeStatus } from "../../kube/status.ts";
import type { WatchCache } from "../../kube/watch-cache.ts";
import { Controller, controllerOwnerKey, primaryChanged } from "../../runtime/controller.ts";
import type { Manager } from "../../runtime/manager.ts";
import type { OperatorMetrics } from "../../runtime/metrics.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconcile.ts";
import { type CatalogPolicy, versionGates } from "../catalog/certification.ts";
import { activationInput } from "./activation-input.ts";
import {
  type ActivationOutcome,
  activationStatus,
  holdFirstStatus,
  rolloutChanged,
  rolloutVerdicts,
  runningOf,
  type Verdict,
} from "./activation-status.ts";
import { resolveVersion } from "./version-resolution.ts";

export const ACTIVATION_CONTROLLER = "blockactivation";
export const ACTIVATION_FIELD_MANAGER = "aihub-activation-controller";
export const ACTIVATIONS_PATH = "/apis/aihub.gemeenten.nl/v1alpha1/blockactivations";
export const BY_BLOCK = "byBlock";
export const BY_NAMESPACE = "byNamespace";
const ROLLOUT_REASONS = new Set(["Creating", "ReplicasUnavailable", "RollingOut"]);

type Obj = KubeObject & ObjectRef;

export const activationIndexers = {
  [BY_BLOCK]: (o: KubeObject) => [String((o.spec as { block?: string } | undefined)?.block ?? "")],
  [BY_NAMESPACE]: (o: KubeObject) => (o.metadata.namespace ? [o.metadata.namespace] : []),
};

export interface ActivationDeps {
  client: RestClient;
  paths: ResourcePaths;
  events: EventRecorder;
  render: ActivationRenderContext;
  policy: CatalogPolicy;
  now: () => Date;
  /** How long a new activation's first status waits for its Deployment (holdFirstStatus); default 5 s. */
  firstStatusHoldMs?: number;
}

export interface SharedCaches {
  tenants: WatchCache<KubeObject>;
  blocks: WatchCache<KubeObject>;
  activations: WatchCache<KubeObject>;
}

export function registerActivationController(
  manager: Manager,
  shared: SharedCaches,
  o: ActivationDeps & { log: Logger; metrics: OperatorMetrics; workers: number; resyncPeriodMs: number },
): Controller {
  const children = new Map(
    activationChildKinds.map((k) => [
      k.kind as string,
      manager.cache<KubeObject>({ path: allNamespacesPath(k.apiVersion, k.plural), labelSelector: ACTIVATION_LABEL }),
    ]),
  );
  const reconciler = new ActivationReconciler(o, shared, children);
  const keysOf = (index: string, value: string | undefined) =>
    value ? shared.activations.byIndex(index, value).map(objectKey) : [];
  const controller = new Controller({
    name: ACTIVATION_CONTROLLER,
    kind: "BlockActivation",
    primary: shared.activations,
    owned: [
      // Any change of a child (drift is put back); of the Deployment's status only what the
      // activation reports (rolloutVerdicts).
      ...[...children].map(([kind, cache]) => ({
        cache,
        ownerKeys: controllerOwnerKey("BlockActivation"),
        ...(kind === "Deployment" && {
          changed: (a: KubeObject, b: KubeObject) => primaryChanged(a, b) || rolloutChanged(a, b),
        }),
      })),
      // A new version or certification of a block concerns every activation of it; its status
      // (how many activations use it) does not: during a fleet rollout the catalog controller
      // writes it hundreds of times, and each write queued all 342 activations of the block again.
      {
        cache: shared.blocks,
        ownerKeys: (b: KubeObject) => keysOf(BY_BLOCK, b.metadata.name),
        changed: primaryChanged,
      },
      // A tenant's egress goes into its activations' network policies; its status does not.
      {
        cache: shared.tenants,
        ownerKeys: (t: KubeObject) => keysOf(BY_NAMESPACE, t.metadata.name),
        changed: primaryChanged,
      },
    ],
    reconcile: (key, ctx) => reconciler.reconcile(key, ctx),
    workers: o.workers,
    resyncPeriodMs: o.resyncPeriodMs,
    log: o.log,
    metrics: o.metrics,
  });
  manager.add(controller);
  return controller;
}

const verdict = (status: Verdict["status"], reason: string, message: string): Verdict => ({ status, reason, message });

export class ActivationReconciler {
  private readonly d: ActivationDeps;
  private readonly shared: SharedCaches;
  private readonly children: Map<string, WatchCache<KubeObject>>;
  private readonly applier: Applier;

  constructor(deps: ActivationDeps, shared: SharedCaches, children: Map<string, WatchCache<KubeObject>>) {
    this.d = deps;
    this.shared = shared;
    this.children = children;
    this.applier = new Applier(deps.client, deps.paths, ACTIVATION_FIELD_MANAGER);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const cached = this.shared.activations.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return undefined; // children go by garbage collection
    const activation = {
      ...cached,
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockActivation",
      spec: blockActivationSpec.parse(cached.spec),
    } as Obj & BlockActivation;
    const namespace = activation.metadata.namespace ?? "";
    // What runs: as the status says, or, before the first status, as the Deployment says.
    const running =
      activation.status?.currentVersion && activation.status.image
        ? { version: activation.status.currentVersion, image: activation.status.image }
        : runningOf(this.child("Deployment", namespace, activation.metadata.name ?? ""), activation.metadata.uid);
    const keep = { running, availableUpdate: activation.status?.availableUpdate };
    const unknown = verdict("Unknown", "NotEvaluated", "not evaluated yet");

    const blockObj = this.shared.blocks.get(activation.spec.block);
    if (!blockObj) {
      const message = `block ${activation.spec.block} is not in the national catalog; kubectl get aibuildingblocks lists what is`;
      return this.report(
        activation,
        {
          ...keep,
          parameters: unknown,
          certified: unknown,
          progressing: verdict("False", "BlockNotFound", message),
          ready: verdict("False", "BlockNotFound", message),
        },
        ctx,
      );
    }
    const block = { ...blockObj, spec: aiBuildingBlockSpec.parse(blockObj.spec) } as unknown as AIBuildingBlock;
    const tenantObj = this.shared.tenants.get(namespace);
    if (!tenantObj) {
      const message = `namespace ${namespace} is not a municipality's tenant namespace; activate blocks in your tenant's namespace`;
      return this.report(
        activation,
        {
          ...keep,
          parameters: unknown,
          certified: unknown,
          progressing: verdict("False", "NotATenant", message),
          ready: verdict("False", "NotATenant", message),
        },
        ctx,
      );
    }
    const tenant = { ...tenantObj, spec: municipalTenantSpec.parse(tenantObj.spec) } as unknown as MunicipalTenant;

    // Which version: the resolution says what the spec asks for; the gates may keep the running one.
    const resolved = resolveVersion(activation, block);
    let target = running;
    let certified: Verdict;
    const availableUpdate = resolved.ok ? resolved.availableUpdate : undefined;
    if (!resolved.ok) {
      certified = verdict("Unknown", resolved.reason, resolved.message);
    } else {
      const gate = versionGates(block, resolved.version, this.d.policy, this.d.now());
      if (gate.ok) {
        target = { version: resolved.version, image: resolved.image };
        certified = verdict(
          "True",
          "Certified",
          `version ${resolved.version} is certified until ${block.spec.certification.validUntil}`,
        );
      } else {
        const kept =
          running && running.version !== resolved.version ? `; version ${running.version} keeps running` : "";
        certified = verdict("False", gate.reason, `${gate.message}${kept}`);
        if (running?.version === resolved.version) target = running;
      }
    }

    // Parameters: validated against the block's definitions, with defaults.
    const params = validateParameters(block.spec.parameters ?? [], activation.spec.parameters, block.metadata.name);
    let parameters: Verdict;
    if (!params.ok) {
      parameters = verdict("False", "InvalidParameters", params.errors.map((e) => e.message).join("; "));
    } else if (block.spec.certification.riskClass === "high" && !activation.spec.humanInTheLoop?.required) {
      parameters = verdict(
        "False",
        "HumanOversightRequired",
        `block ${block.metadata.name} is high-risk under the AI Act: set spec.humanInTheLoop.required: true and spec.humanInTheLoop.reviewerGroup`,
      );
    } else {
      parameters = verdict("True", "Valid", "parameters match the block's definitions");
    }

    if (!target || parameters.status === "False") {
      // Nothing may be rendered: either nothing acceptable to run, or a configuration we refuse.
      // What runs (if anything) stays as it is.
      const blocked =
        parameters.status === "False"
          ? parameters
          : certified.status === "True"
            ? verdict("False", "NoVersion", "no version to run")
            : certified;
      const deployment = this.child("Deployment", namespace, activation.metadata.name ?? "");
      const rollout = rolloutVerdicts(deployment, activation.spec.replicas);
      await this.report(
        activation,
        {
          running,
          availableUpdate,
          parameters,
          certified,
          progressing: verdict("False", blocked.reason, blocked.message),
          ready: deployment && running ? rollout.ready : verdict("False", blocked.reason, blocked.message),
        },
        ctx,
      );
      return undefined;
    }

    const input = activationInput(activation, block, tenant, target, params.ok ? params.values : {});
    const desired = renderActivation(input, this.d.render) as Obj[];
    // What the pods rely on (parameters, network policies, service, disruption budget) goes first,
    // all at once; then the Deployment, whose pods find their ConfigMap and policies in place.
    // Two round trips instead of one per object: a fleet's reconciles wait on the API server's
    // latency, not on its capacity, when each applies one object after another.
    const apply = (obj: Obj) => this.applier.apply(obj, this.child(obj.kind, namespace, obj.metadata?.name ?? ""));
    await Promise.all(desired.filter((o) => o.kind !== "Deployment").map(apply));
    let deployment: KubeObject | undefined;
    for (const obj of desired.filter((o) => o.kind === "Deployment")) deployment = (await apply(obj)).object;
    await this.prune(activation, desired);

    // The cache may not have a Deployment created a moment ago; the apply's answer has it, so the
    // first status already says it is rolling out (one status write fewer than "Creating" first).
    const current = this.child("Deployment", namespace, input.activation.name) ?? deployment;
    const rollout = rolloutVerdicts(current, input.activation.replicas);
    const hold = holdFirstStatus({
      hasStatus: activation.status !== undefined,
      ready: rollout.ready.status === "True",
      deploymentCreated: current?.metadata.creationTimestamp,
      now: this.d.now(),
      holdMs: this.d.firstStatusHoldMs ?? 5000,
    });
    // Held: nothing is reported yet, the Events below included (they would repeat each time).
    if (hold !== undefined) return { requeueAfterMs: hold };

    // An update is an Event (what auditors read back); the first rollout is in status alone, as
    // one Event per activation would cost a fleet thousands of writes for nothing new.
    if (running && target.version !== running.version) {
      await this.event(
        activation,
        "Normal",
        "VersionRolledOut",
        `updated ${block.metadata.name} from ${running.version} to ${target.version}`,
        ctx,
      );
    }
    if (availableUpdate && availableUpdate.version !== activation.status?.availableUpdate?.version) {
      await this.event(
        activation,
        "Normal",
        "UpdateAvailable",
        `version ${availableUpdate.version} of ${block.metadata.name} is available; read its release notes in status.availableUpdate and set spec.approvedVersion to approve it`,
        ctx,
      );
    }
    return this.report(activation, { running: target, availableUpdate, parameters, certified, ...rollout }, ctx);
  }

  private child(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.children.get(kind)?.get(`${namespace}/${name}`);
  }

  /** Deletes children of this activation (by ownerReference UID) that are no longer rendered, such as a PDB at 1 replica. */
  private async prune(activation: Obj, desired: Obj[]): Promise<void> {
    const wanted = new Set(desired.map((o) => `${o.kind}/${o.metadata?.name}`));
    const uid = activation.metadata.uid;
    for (const [kind, cache] of this.children) {
      for (const obj of cache.byIndex("byOwner", uid ?? "")) {
        if (wanted.has(`${kind}/${obj.metadata.name}`)) continue;
        const ref = { ...obj, apiVersion: obj.apiVersion ?? "", kind } as Obj;
        await this.d.client
          .request("DELETE", await this.d.paths.pathOf(ref))
          .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      }
    }
  }

  private async event(
    activation: Obj,
    type: "Normal" | "Warning",
    reason: string,
    note: string,
    ctx: ReconcileContext,
  ) {
    ctx.log.info({ reason }, note);
    await this.d.events
      .record({ regarding: activation, type, reason, action: "Reconcile", note })
      .catch((err) => ctx.log.warn({ err: String(err) }, "could not record an event"));
  }

  private async report(
    activation: Obj & BlockActivation,
    outcome: ActivationOutcome,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult | undefined> {
    const status = activationStatus(activation, outcome, this.d.now());
    const written = await writeStatus(this.d.client, this.d.paths, activation, status);
    const before = new Map((activation.status?.conditions ?? []).map((c) => [c.type, c]));
    if (written.written) {
      for (const c of status.conditions ?? []) {
        const was = before.get(c.type);
        // A rollout in progress is no warning; a refusal or a failed gate is.
        const routine = c.type === "Progressing" || ROLLOUT_REASONS.has(c.reason);
        if (c.status === "False" && !routine && (was?.status !== "False" || was.reason !== c.reason)) {
          await this.event(activation, "Warning", c.reason, c.message, ctx);
        }
      }
    }
    return undefined;
  }
}
