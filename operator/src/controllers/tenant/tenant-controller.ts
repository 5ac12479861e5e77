// The tenant controller: one MunicipalTenant -> its namespace, quota, limits, network policies
// and RBAC. Children are marked with the tenant label, not owned by ownerReference (the garbage
// collector would delete the namespace with the tenant, with no chance to refuse: ADR 5), and a
// finalizer on the tenant removes them (tenant-deletion.ts). It never adopts a namespace that is
// not marked as this tenant's, and never deletes what it did not mark.

import type { Logger } from "pino";
import { ACTIVATION_LABEL } from "../../../../cdk/src/activation/labels.ts";
import { parseOnce } from "../../api/parse-once.ts";
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { municipalTenantSpec } from "../../api/v1alpha1/index.ts";
import { isNotFound } from "../../kube/api-error.ts";
import { Applier } from "../../kube/apply.ts";
import type { EventRecorder } from "../../kube/events.ts";
import { addFinalizer, hasFinalizer } from "../../kube/finalizers.ts";
import { foreignEntry, type ManagedFieldsEntry } from "../../kube/foreign-fields.ts";
import type { KubeObject } from "../../kube/object.ts";
import { allNamespacesPath, type ObjectRef, type ResourcePaths } from "../../kube/resource-paths.ts";
import { ApiError, type RestClient } from "../../kube/rest-client.ts";
import { labelIndexer, type WatchCache } from "../../kube/watch-cache.ts";
import { Controller } from "../../runtime/controller.ts";
import { FirstStatusHolds } from "../../runtime/first-status-holds.ts";
import type { Manager } from "../../runtime/manager.ts";
import type { OperatorMetrics } from "../../runtime/metrics.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconcile.ts";
import { COUNT_AGAIN_MS, seedActivationCount } from "./activation-count.ts";
import { isTenantNamespace, MANAGED_BY, MANAGED_BY_LABEL, TENANT_LABEL } from "./labels.ts";
import { ACTIVATION_COUNT, QUOTA_NAME, quotaChanged, uncountedQuota } from "./quota.ts";
import { renderSharedClusterRoles } from "./rbac.ts";
import { childKinds, renderTenant, type TenantRenderContext } from "./render.ts";
import { finalizeTenant, pruneTenant, TENANT_FINALIZER } from "./tenant-deletion.ts";
import { tenantDigest } from "./tenant-digest.ts";
import { reportTenant } from "./tenant-report.ts";
import {
  holdFirstTenantStatus,
  mayHoldFirstTenantStatus,
  type PartOutcome,
  type TenantOutcome,
} from "./tenant-status.ts";

export const TENANT_CONTROLLER = "municipaltenant";
export const TENANT_FIELD_MANAGER = "aihub-tenant-controller";
export const TENANTS_PATH = "/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants";
const CRB_PATH = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
const CLUSTER_ROLES_PATH = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
const BY_TENANT = "byTenant";

type Obj = KubeObject & ObjectRef;

interface TenantDeps {
  client: RestClient;
  paths: ResourcePaths;
  events: EventRecorder;
  render: TenantRenderContext;
  now: () => Date;
  /** Where a reconcile that skipped the rendering is counted (aihub_renders_skipped_total). */
  metrics?: OperatorMetrics;
  /** How long a new tenant's first status may wait for its quota's count; default 5 s. */
  firstStatusHoldMs?: number;
  /** The same for a tenant first held while the controller is busy (FirstStatusHolds); default 180 s. */
  busyFirstStatusHoldMs?: number;
}

export function registerTenantController(
  manager: Manager,
  o: TenantDeps & {
    tenants: WatchCache<KubeObject>;
    log: Logger;
    metrics: OperatorMetrics;
    workers: number;
    resyncPeriodMs: number;
  },
): Controller {
  const tenants = o.tenants;
  const namespaces = manager.cache<KubeObject>({ path: "/api/v1/namespaces" });
  const byTenant = { [BY_TENANT]: labelIndexer(TENANT_LABEL) };
  // Others' changes, for drift repair beyond what is rendered (a subject added to a binding).
  const keepManagedFields = (e: ManagedFieldsEntry) => foreignEntry(e, [TENANT_FIELD_MANAGER]);
  const children = new Map(
    childKinds.map((k) => [
      k.kind,
      manager.cache<KubeObject>({
        path: allNamespacesPath(k.apiVersion, k.plural),
        // An activation's children carry the tenant label too; they are the activation controller's.
        labelSelector: `${TENANT_LABEL},!${ACTIVATION_LABEL}`,
        indexers: byTenant,
        keepManagedFields,
      }),
    ]),
  );
  const bindings = manager.cache<KubeObject>({
    path: CRB_PATH,
    labelSelector: TENANT_LABEL,
    indexers: byTenant,
    keepManagedFields,
  });
  const clusterRoles = manager.cache<KubeObject>({
    path: CLUSTER_ROLES_PATH,
    labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
  });
  const tenantOf = (obj: KubeObject) => {
    const t = obj.metadata.labels?.[TENANT_LABEL];
    return t ? [t] : [];
  };
  // Busy: as many other keys waiting as there are workers to take them (a fleet-wide install).
  let controller: Controller | undefined;
  const busy = () => (controller?.waiting() ?? 0) >= o.workers;
  const reconciler = new TenantReconciler(o, { tenants, namespaces, children, bindings, clusterRoles }, busy);
  controller = new Controller({
    name: TENANT_CONTROLLER,
    kind: "MunicipalTenant",
    primary: tenants,
    owned: [
      // A namespace event concerns the tenant of the same name, marked or not (a foreign one is reported).
      { cache: namespaces, ownerKeys: (ns) => (ns.metadata.name ? [ns.metadata.name] : []) },
      ...[...children].map(([kind, cache]) => ({
        cache,
        ownerKeys: tenantOf,
        // Not for the counts in the quota's status, which every create in the namespace changes.
        ...(kind === "ResourceQuota" && { changed: quotaChanged }),
      })),
      { cache: bindings, ownerKeys: tenantOf },
      // The shared ClusterRoles (installed with the operator): when one appears, every tenant
      // that waited for it goes on. They change about never.
      { cache: clusterRoles, ownerKeys: () => tenants.list().map((t) => t.metadata.name ?? "") },
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

interface TenantCaches {
  tenants: WatchCache<KubeObject>;
  namespaces: WatchCache<KubeObject>;
  children: Map<string, WatchCache<KubeObject>>;
  bindings: WatchCache<KubeObject>;
  clusterRoles: WatchCache<KubeObject>;
}

/** What a failed apply says, for a condition a person can act on. */
const failure = (reason: string, what: string, err: unknown): PartOutcome => ({
  ok: false,
  reason,
  message: `could not apply ${what}: ${err instanceof ApiError ? err.message : String(err)}; retrying`,
});

export class TenantReconciler {
  private readonly d: TenantDeps;
  private readonly c: TenantCaches;
  private readonly applier: Applier;
  /** Per tenant: the digest of a reconcile that found everything as rendered, and its outcome (tenant-digest.ts). */
  private readonly inSync = new Map<string, { digest: string; outcome: TenantOutcome }>();
  /** By tenant: how long its first status may wait, until it is written. */
  readonly holds: FirstStatusHolds;

  constructor(deps: TenantDeps, caches: TenantCaches, busy: () => boolean = () => false) {
    this.d = deps;
    this.c = caches;
    this.holds = new FirstStatusHolds({
      quietMs: deps.firstStatusHoldMs ?? 5000,
      busyMs: deps.busyFirstStatusHoldMs ?? 180_000,
      busy,
    });
    this.applier = new Applier(deps.client, deps.paths, TENANT_FIELD_MANAGER);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const cached = this.c.tenants.get(key);
    if (!cached) {
      this.inSync.delete(key);
      this.holds.forget(key);
      return undefined;
    }
    const tenant = {
      ...cached,
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "MunicipalTenant",
      spec: parseOnce(municipalTenantSpec, cached.spec),
    } as Obj & MunicipalTenant;
    if (tenant.metadata.deletionTimestamp) {
      this.inSync.delete(key);
      return finalizeTenant(tenant, ctx, {
        client: this.d.client,
        paths: this.d.paths,
        namespaces: this.c.namespaces,
        report: (outcome) => this.report(tenant, outcome, ctx),
        pruneAll: () => this.prune(tenant.metadata.name ?? "", []),
      });
    }

    const withFinalizer = hasFinalizer(tenant, TENANT_FINALIZER)
      ? tenant
      : ({
          ...tenant,
          metadata: (await addFinalizer(this.d.client, this.d.paths, tenant, TENANT_FINALIZER, this.c.tenants))
            .metadata,
        } as typeof tenant);

    const name = tenant.metadata.name ?? key;
    const existing = this.c.namespaces.get(name);
    if (existing && !isTenantNamespace(existing, name)) {
      const owner = existing.metadata.labels?.[TENANT_LABEL];
      const outcome: TenantOutcome = {
        namespace: {
          ok: false,
          reason: "NamespaceConflict",
          message:
            `namespace ${name} already exists and is not marked as this tenant's ` +
            `(label ${TENANT_LABEL}${owner ? ` says ${owner}` : " is missing"}); it was left untouched. ` +
            `Choose another metadata.name for the tenant, or remove or hand over that namespace.`,
        },
      };
      await this.report(withFinalizer, outcome, ctx);
      return undefined; // a change of the namespace or the tenant queues it again
    }
    if (existing?.metadata.deletionTimestamp) {
      await this.report(
        withFinalizer,
        {
          namespace: {
            ok: false,
            reason: "NamespaceTerminating",
            message: `namespace ${name} is still being deleted; waiting`,
          },
        },
        ctx,
      );
      return { requeueAfterMs: 2000 };
    }

    // Found as rendered with these very inputs before: nothing to render, apply or prune.
    const digest = tenantDigest({
      tenant: withFinalizer,
      namespace: existing,
      children: this.marked(name),
      clusterRoles: this.c.clusterRoles.list(),
    });
    const inSync = this.inSync.get(key);
    if (digest !== undefined && inSync?.digest === digest) {
      this.d.metrics?.rendersSkipped.inc({ controller: TENANT_CONTROLLER });
      await this.report(withFinalizer, inSync.outcome, ctx);
      return undefined;
    }
    this.inSync.delete(key);

    const desired = renderTenant(tenant, this.d.render);
    const outcome: TenantOutcome = {
      namespace: { ok: true, message: `namespace ${name} is isolated (Pod Security restricted)` },
    };
    let retry: unknown;
    // The quota changed between the cache's copy and the count's write: counted again shortly.
    let countAgain = false;
    // Whether this reconcile wrote anything (the finalizer included): only one that did not may
    // record its inputs' digest, since only then are the caches' copies what it found.
    let wrote = withFinalizer !== tenant;
    try {
      const put = await this.put(desired.namespace as Obj, existing, this.c.namespaces);
      // Created by someone else a moment ago, not yet in the cache: its event queues the tenant
      // again, and the check above judges it (a namespace not marked as this tenant's is not taken).
      if (put === "foreign") return undefined;
      wrote ||= put;
    } catch (err) {
      outcome.namespace = failure("NamespaceApplyFailed", `namespace ${name}`, err);
      await this.report(withFinalizer, outcome, ctx);
      throw err;
    }
    const policyKinds = new Set(["ResourceQuota", "LimitRange", "NetworkPolicy"]);
    const policies = desired.children.filter((o) => policyKinds.has(o.kind as string)) as Obj[];
    const rbac = desired.children.filter((o) => !policyKinds.has(o.kind as string)) as Obj[];
    // Policies and RBAC at the same time (the cluster roles before the bindings that name them):
    // a tenant takes three round trips after its namespace, not one per group.
    const applyPolicies = async () => {
      try {
        wrote = (await this.applyAll(policies)) || wrote;
        const netpols = policies.filter((p) => p.kind === "NetworkPolicy").length;
        const quota = policies.find((p) => p.kind === "ResourceQuota") as Obj;
        // The quota's status update queues the tenant again.
        const live = this.c.children.get("ResourceQuota")?.get(`${name}/${QUOTA_NAME}`);
        let uncounted = uncountedQuota(live, quota);
        if (live && uncounted.length === 1 && uncounted[0] === ACTIVATION_COUNT) {
          wrote = true;
          if (await seedActivationCount(this.d.client, live)) uncounted = [];
          else countAgain = true;
        }
        outcome.policies = uncounted.length
          ? {
              ok: false,
              pending: true,
              reason: "QuotaNotCounted",
              message:
                `waiting for kube-controller-manager to count ${uncounted.join(", ")} in quota ${QUOTA_NAME}; ` +
                "until then the API server refuses new activations in the namespace",
            }
          : { ok: true, message: `quota, limits and ${netpols} network policies applied` };
      } catch (err) {
        outcome.policies = failure("PoliciesApplyFailed", "quota, limits or network policies", err);
        retry = err;
      }
    };
    const applyRbac = async () => {
      try {
        const missing = renderSharedClusterRoles()
          .map((r) => r.metadata.name ?? "")
          .filter((n) => !this.c.clusterRoles.get(n));
        if (missing.length > 0) {
          // Installed with the operator (ADR 11); the cache's add event queues the tenant again.
          outcome.rbac = {
            ok: false,
            reason: "ClusterRolesMissing",
            message:
              `the ClusterRoles ${missing.join(", ")} that tenants are bound to are not installed; ` +
              "install them with the operator (charts/aihub/templates/tenant-cluster-roles.yaml)",
          };
          return;
        }
        const applied = await Promise.all([
          this.applyAll(rbac),
          this.applyAll(desired.clusterChildren as Obj[], this.c.bindings),
        ]);
        wrote = applied.includes(true) || wrote;
        outcome.rbac = { ok: true, message: "roles for admins and viewers, and read access to the catalog" };
      } catch (err) {
        outcome.rbac = failure("RBACApplyFailed", "roles or role bindings", err);
        retry = err;
      }
    };
    await Promise.all([applyPolicies(), applyRbac()]);
    try {
      wrote = (await this.prune(name, [...desired.children, ...desired.clusterChildren] as Obj[])) || wrote;
    } catch (err) {
      retry ??= err;
    }
    const hasStatus = tenant.status !== undefined;
    // Only a tenant that could be held chooses its hold (FirstStatusHolds keeps the choice).
    const hold =
      retry || !mayHoldFirstTenantStatus({ hasStatus, outcome })
        ? undefined
        : holdFirstTenantStatus({
            hasStatus,
            outcome,
            created: tenant.metadata.creationTimestamp,
            now: this.d.now(),
            holdMs: this.holds.holdMs(key),
            recheckMs: countAgain ? COUNT_AGAIN_MS : undefined,
          });
    if (hold !== undefined) return { requeueAfterMs: hold };
    const parts = [outcome.namespace, outcome.policies, outcome.rbac];
    if (digest !== undefined && !retry && !wrote && !countAgain && parts.every((p) => p?.ok)) {
      this.inSync.set(key, { digest, outcome });
    }
    await this.report(withFinalizer, outcome, ctx);
    if (retry) throw retry;
    return countAgain ? { requeueAfterMs: COUNT_AGAIN_MS } : undefined;
  }

  private cacheFor(obj: Obj): WatchCache<KubeObject> | undefined {
    return this.c.children.get(obj.kind);
  }

  /** Applies each of `objects` over its cached copy; true when any was written. */
  private async applyAll(objects: Obj[], cache?: WatchCache<KubeObject>): Promise<boolean> {
    const written = await Promise.all(
      objects.map(async (o) => {
        const live = (cache ?? this.cacheFor(o))?.get(
          o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? ""),
        );
        // A binding's roleRef cannot change (bindings made before ADR 11 name a Role): the old
        // binding goes, by its uid, and the new one is created.
        if (live && "roleRef" in o && JSON.stringify(live.roleRef) !== JSON.stringify(o.roleRef)) {
          await this.d.client
            .request("DELETE", await this.d.paths.pathOf(o), {
              body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: live.metadata.uid } },
            })
            .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
          await this.applier.apply(o, undefined);
          return true;
        }
        return (await this.put(o, live, cache ?? this.cacheFor(o))) === true;
      }),
    );
    return written.includes(true);
  }

  /**
   * Applies `o` over `live`, its cached copy; where the cache has none, creates it (a POST costs
   * the API server about half of what an apply that creates costs, ADR 16), marked so that its
   * first apply takes over the fields the create recorded (Applier.create). Where the create finds
   * an object of that name (a cache that is behind), it is read: a namespace not marked as this
   * tenant's is left alone ("foreign"), anything else is applied as before. True when it wrote.
   */
  private async put(
    o: Obj,
    live: KubeObject | undefined,
    cache: WatchCache<KubeObject> | undefined,
  ): Promise<boolean | "foreign"> {
    if (live) return (await this.applier.apply(o, live)).written;
    const put = await this.applier.createOrRead(o, cache);
    if (!("found" in put)) return true;
    if (o.kind === "Namespace" && put.found && !isTenantNamespace(put.found, o.metadata.name ?? "")) {
      return "foreign";
    }
    return (await this.applier.apply(o, undefined, { created: put.marked })).written;
  }

  /** Every object the caches hold marked as the tenant's, with its kind. */
  private marked(tenant: string): { kind: string; object: KubeObject }[] {
    return [...this.c.children, ["ClusterRoleBinding", this.c.bindings] as const].flatMap(([kind, cache]) =>
      cache.byIndex(BY_TENANT, tenant).map((object) => ({ kind, object })),
    );
  }

  /** Deletes children marked as this tenant's that the spec no longer asks for; true when it deleted one. */
  private prune(tenant: string, desired: Obj[]): Promise<boolean> {
    const marked = this.marked(tenant).map((m) => m.object);
    return pruneTenant(this.d.client, this.d.paths, tenant, marked, desired);
  }

  private report(tenant: Obj & MunicipalTenant, outcome: TenantOutcome, ctx: ReconcileContext): Promise<void> {
    // A status is written (or found as it should be): the tenant's hold, if it chose one, is over.
    this.holds.forget(tenant.metadata.name ?? "");
    return reportTenant({ ...this.d, tenants: this.c.tenants }, tenant, outcome, ctx);
  }
}
