// The activation controller: one BlockActivation -> the block running in the tenant's namespace
// at the resolved version, with the municipality's parameters and the logging sidecar. A gate
// that fails (certification, supplier, registry) or bad parameters never take down what runs:
// the running version and configuration stay, and the reason is a condition and an Event.
// What it watches is declared here; the reconcile is a list of phases over one scope
// (activation-phases.ts), then one status write (activationStatus) and the Events.

import type { Logger } from "pino";
import {
  activationChildKinds,
  retiredActivationChildKinds,
  WORKLOAD_KIND,
} from "../../../../cdk/src/activation/activation-chart.ts";
import type { ActivationRenderContext } from "../../../../cdk/src/activation/activation-input.ts";
import { ACTIVATION_LABEL } from "../../../../cdk/src/activation/labels.ts";
import { isNotFound } from "../../kube/api-error.ts";
import { Applier } from "../../kube/apply.ts";
import { compactChild } from "../../kube/compact.ts";
import type { EventRecorder } from "../../kube/events.ts";
import { foreignEntry } from "../../kube/foreign-fields.ts";
import { type KubeObject, objectKey } from "../../kube/object.ts";
import { allNamespacesPath, type ObjectRef, type ResourcePaths } from "../../kube/resource-paths.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import { writeStatus } from "../../kube/status.ts";
import { BY_OWNER, type WatchCache } from "../../kube/watch-cache.ts";
import { Controller, controllerOwnerKey, primaryChanged } from "../../runtime/controller.ts";
import { FirstStatusHolds } from "../../runtime/first-status-holds.ts";
import type { Manager } from "../../runtime/manager.ts";
import type { OperatorMetrics } from "../../runtime/metrics.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconcile.ts";
import type { CatalogPolicy } from "../catalog/certification.ts";
import { activationsConcerned, FleetView, ROLLOUTS_BY_BLOCK } from "../rollout/fleet-view.ts";
import { conditionWarnings } from "./activation-events.ts";
import { ACTIVATION_PHASES, type PhaseEnv, runPhases } from "./activation-phases.ts";
import { newActivationScope, outcomeOf, type PendingEvent } from "./activation-scope.ts";
import { type ActivationStatus, activationStatus, rolloutChanged } from "./activation-status.ts";
import { ChildConflict, childConflict } from "./child-ownership.ts";

export const ACTIVATION_CONTROLLER = "blockactivation";
export const ACTIVATION_FIELD_MANAGER = "aihub-activation-controller";
export const ACTIVATIONS_PATH = "/apis/aihub.gemeenten.nl/v1alpha1/blockactivations";
export const BY_BLOCK = "byBlock";
export const BY_NAMESPACE = "byNamespace";

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
  /** How long a new activation's first status waits for its StatefulSet (holdFirstStatus); default 5 s. */
  firstStatusHoldMs?: number;
  /** The same for an activation first held while the controller is busy (FirstStatusHolds); default 180 s. */
  busyFirstStatusHoldMs?: number;
  /** Where a reconcile that skipped the rendering is counted (aihub_renders_skipped_total). */
  metrics?: OperatorMetrics;
}

export interface SharedCaches {
  tenants: WatchCache<KubeObject>;
  blocks: WatchCache<KubeObject>;
  activations: WatchCache<KubeObject>;
  rollouts: WatchCache<KubeObject>;
}

export function registerActivationController(
  manager: Manager,
  shared: SharedCaches,
  o: ActivationDeps & { log: Logger; metrics: OperatorMetrics; workers: number; resyncPeriodMs: number },
): Controller {
  // Retired kinds too: what an activation rendered before is pruned once its successor is applied.
  const children = new Map(
    [...activationChildKinds, ...retiredActivationChildKinds].map((k) => [
      k.kind as string,
      manager.cache<KubeObject>({
        path: allNamespacesPath(k.apiVersion, k.plural),
        labelSelector: ACTIVATION_LABEL,
        // Others' changes, for drift repair beyond what is rendered (Applier, foreign-fields.ts).
        keepManagedFields: (e) => foreignEntry(e, [ACTIVATION_FIELD_MANAGER]),
        // The sidecar's configuration as its digest (compact.ts); the applier compares likewise.
        transform: compactChild,
      }),
    ]),
  );
  // Busy: as many other keys waiting as there are workers to take them (a fleet-wide install, for
  // one). A key re-added while a worker has it (its own children's events) does not count.
  let controller: Controller | undefined;
  const busy = () => (controller?.waiting() ?? 0) >= o.workers;
  const reconciler = new ActivationReconciler(o, shared, children, busy);
  const keysOf = (index: string, value: string | undefined) =>
    value ? shared.activations.byIndex(index, value).map(objectKey) : [];
  controller = new Controller({
    name: ACTIVATION_CONTROLLER,
    kind: "BlockActivation",
    primary: shared.activations,
    owned: [
      // Any change of a child (drift is put back); of the StatefulSet's status only what the
      // activation reports (rolloutVerdicts).
      ...[...children].map(([kind, cache]) => ({
        cache,
        ownerKeys: controllerOwnerKey("BlockActivation"),
        ...(kind === WORKLOAD_KIND && {
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
      // A fleet rollout's status moves activations: those whose entry changed, or all of the
      // block's when its phase or a ring's completion changed (activationsConcerned).
      {
        cache: shared.rollouts,
        ownerKeys: (r: KubeObject) => keysOf(BY_BLOCK, (r.spec as { block?: string } | undefined)?.block),
        updateKeys: (a: KubeObject, b: KubeObject) =>
          activationsConcerned(a, b, () => keysOf(BY_BLOCK, (b.spec as { block?: string } | undefined)?.block)),
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

export class ActivationReconciler {
  private readonly d: ActivationDeps;
  private readonly shared: SharedCaches;
  private readonly children: Map<string, WatchCache<KubeObject>>;
  private readonly env: PhaseEnv;
  /** By activation key: the digest of the inputs its children were last found as rendered with. */
  private readonly inSync = new Map<string, string>();
  /** By activation key: how long its first status may wait, until it is written. */
  readonly holds: FirstStatusHolds;

  constructor(
    deps: ActivationDeps,
    shared: SharedCaches,
    children: Map<string, WatchCache<KubeObject>>,
    busy: () => boolean = () => false,
  ) {
    this.d = deps;
    this.holds = new FirstStatusHolds({
      quietMs: deps.firstStatusHoldMs ?? 5000,
      busyMs: deps.busyFirstStatusHoldMs ?? 180_000,
      busy,
    });
    this.shared = shared;
    this.children = children;
    const applier = new Applier(deps.client, deps.paths, ACTIVATION_FIELD_MANAGER, compactChild);
    this.env = {
      block: (name) => shared.blocks.get(name),
      tenant: (namespace) => shared.tenants.get(namespace),
      fleet: (block) => new FleetView(shared.rollouts.byIndex(ROLLOUTS_BY_BLOCK, block)),
      child: (kind, namespace, name) => this.child(kind, namespace, name),
      apply: async (obj) => {
        const cached = this.child(obj.kind, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
        if (cached) {
          const conflict = childConflict(obj, cached);
          if (conflict) throw new ChildConflict(conflict);
          return applier.apply(obj, cached);
        }
        // Not among the activations' children: created where nothing of its name exists (one
        // request, about half the API server's CPU of an apply). Where something does, it is read,
        // since a same-named object that is not labelled as one (someone else's) would otherwise
        // be taken by the apply.
        const put = await applier.createOrRead(obj, this.children.get(obj.kind));
        if (!("found" in put)) return put.created;
        const conflict = childConflict(obj, put.found);
        if (conflict) throw new ChildConflict(conflict);
        return applier.apply(obj, undefined, { created: put.marked });
      },
      prune: (activation, desired) => this.prune(activation, desired),
      owned: (activation) => this.owned(activation.metadata.uid ?? ""),
      inSync: this.inSync,
      skippedRender: () => deps.metrics?.rendersSkipped.inc({ controller: ACTIVATION_CONTROLLER }),
      render: deps.render,
      policy: deps.policy,
      now: deps.now,
      firstStatusHoldMs: (key) => this.holds.holdMs(key),
    };
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const cached = this.shared.activations.get(key);
    if (!cached || cached.metadata.deletionTimestamp) {
      this.inSync.delete(key);
      this.holds.forget(key);
      return undefined; // children go by garbage collection
    }
    const scope = newActivationScope(cached, (namespace, name) => this.child(WORKLOAD_KIND, namespace, name));
    await runPhases(ACTIVATION_PHASES, scope, this.env);
    const requeue = scope.requeueAfterMs === undefined ? undefined : { requeueAfterMs: scope.requeueAfterMs };
    if (scope.holdStatus) return requeue;
    this.holds.forget(key);

    // One status, computed in one place, written once; then the Events that say what it says.
    const { activation } = scope;
    const outcome = outcomeOf(scope);
    const now = this.d.now();
    const written = await writeStatus(
      this.d.client,
      this.d.paths,
      activation,
      activationStatus(activation, outcome, now),
      {
        recompute: (fresh) => activationStatus(fresh as typeof activation, outcome, now),
        cache: this.shared.activations,
      },
    );
    const conditionsOf = (s: unknown) => (s as ActivationStatus | undefined)?.conditions;
    const warnings = written.written
      ? conditionWarnings(conditionsOf(written.previous), conditionsOf(written.sent))
      : [];
    for (const e of [...scope.events, ...warnings]) await this.event(activation, e, ctx);
    return requeue;
  }

  private child(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.children.get(kind)?.get(`${namespace}/${name}`);
  }

  /** The children this activation owns (by ownerReference UID), as cached, with their kinds. */
  private owned(uid: string): { kind: string; object: KubeObject }[] {
    return [...this.children].flatMap(([kind, cache]) =>
      cache.byIndex(BY_OWNER, uid).map((object) => ({ kind, object })),
    );
  }

  /**
   * Deletes children of this activation (by ownerReference UID) that are no longer rendered, such
   * as a PDB at 1 replica; how many it deleted.
   */
  private async prune(activation: Obj, desired: Obj[]): Promise<number> {
    const wanted = new Set(desired.map((o) => `${o.kind}/${o.metadata?.name}`));
    let deleted = 0;
    for (const { kind, object } of this.owned(activation.metadata.uid ?? "")) {
      if (wanted.has(`${kind}/${object.metadata.name}`)) continue;
      const ref = { ...object, apiVersion: object.apiVersion ?? "", kind } as Obj;
      await this.d.client
        .request("DELETE", await this.d.paths.pathOf(ref))
        .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      deleted++;
    }
    return deleted;
  }

  private async event(activation: Obj, e: PendingEvent, ctx: ReconcileContext) {
    ctx.log.info({ reason: e.reason }, e.note);
    await this.d.events
      .record({ regarding: activation, type: e.type, reason: e.reason, action: "Reconcile", note: e.note })
      .catch((err) => ctx.log.warn({ err: String(err) }, "could not record an event"));
  }
}
