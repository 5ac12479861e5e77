// The namespace's ResourceQuota and the LimitRange that makes it usable: a quota on
// requests.cpu and requests.memory refuses every pod that does not state its requests, so the
// LimitRange gives containers without resources a default request (and limit).
import { canonicalQuantity } from "../../api/quantity.ts";
import { type MunicipalTenant, tenantQuota } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import { tenantLabels, tenantName } from "./labels.ts";
import type { RenderedObject } from "./render.ts";

export const QUOTA_NAME = "aihub-quota";
export const LIMIT_RANGE_NAME = "aihub-limits";

/**
 * Object counts, so that one tenant cannot fill what all share (etcd, the operator's caches, what
 * every node watches) with activations that run no pods (`replicas: 0`): the activations
 * themselves and the children each one gets. ControllerRevisions are not counted: a quota on them
 * would stop the StatefulSet controller mid-rollout, and the operator bounds them per StatefulSet
 * (revisionHistoryLimit). The logging sidecar's queue claims (one per replica, kept when a replica
 * is scaled away) are bounded in number by the pods the tenant may run, and in size by
 * requests.storage: a tenant cannot make claims (its roles only read them), and the StatefulSet
 * controller's claims beyond the quota are refused, so those replicas do not start. Config maps leave room for the one Kubernetes puts in every namespace
 * (kube-root-ca.crt) and a few of cluster add-ons (a service mesh's root certificate).
 */
export const CONFIG_MAPS_NOT_OURS = 4;
export const CONFIG_MAPS_PER_ACTIVATION = 2;

/** The quota key of BlockActivations: a custom resource, which kube-controller-manager counts late. */
export const ACTIVATION_COUNT = "count/blockactivations.aihub.gemeenten.nl";

export function objectCountQuota(activations: number, networkPolicies: number, pods: number): Record<string, string> {
  const n = canonicalQuantity(String(activations));
  return {
    [ACTIVATION_COUNT]: n,
    "count/statefulsets.apps": n,
    persistentvolumeclaims: canonicalQuantity(String(pods)),
    "count/poddisruptionbudgets.policy": n,
    services: n,
    // Two per activation: its parameters and its logging sidecar's configuration.
    configmaps: canonicalQuantity(String(CONFIG_MAPS_PER_ACTIVATION * activations + CONFIG_MAPS_NOT_OURS)),
    // The tenant's own policies (default deny, DNS, logging, egress) and one per activation.
    "count/networkpolicies.networking.k8s.io": canonicalQuantity(String(networkPolicies + activations)),
  };
}

/** `networkPolicies`: how many network policies the tenant itself has (rendered beside the quota). */
export function renderResourceQuota(tenant: MunicipalTenant, networkPolicies: number): RenderedObject {
  // Parsing fills the schema's defaults, for an absent quota as for a partial one.
  const quota = tenantQuota.parse(tenant.spec.quota ?? {});
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: QUOTA_NAME, namespace: tenantName(tenant), labels: tenantLabels(tenant) },
    spec: {
      hard: {
        "requests.cpu": canonicalQuantity(quota.cpu),
        "requests.memory": canonicalQuantity(quota.memory),
        // A quantity too: 1000 pods is stored as "1k".
        pods: canonicalQuantity(String(quota.pods)),
        "requests.storage": canonicalQuantity(quota.storage),
        ...objectCountQuota(quota.activations, networkPolicies, quota.pods),
      },
    },
  };
}

/**
 * Whether kube-controller-manager has counted everything the quota limits. Until it has, the API
 * server refuses every create of a counted kind in the namespace ("status unknown for quota"),
 * so a tenant is not Ready before. Returns what is not counted yet.
 */
export function uncountedQuota(live: KubeObject | undefined, desired: RenderedObject): string[] {
  const hard = Object.keys((desired.spec as { hard: Record<string, string> }).hard);
  const status = (live as { status?: { hard?: Record<string, string>; used?: Record<string, string> } } | undefined)
    ?.status;
  const want = (desired.spec as { hard: Record<string, string> }).hard;
  return hard.filter((k) => status?.used?.[k] === undefined || status?.hard?.[k] !== want[k]);
}

/**
 * Whether an update of a tenant's quota concerns the tenant. Every create in the namespace
 * changes the counts in status.used (the API server's quota admission and
 * kube-controller-manager write them: about 9,500 times while 342 municipalities converge),
 * and the tenant reads only which resources are counted (uncountedQuota), so a change of the
 * counts alone does not queue it. Anything else does: the spec, labels, annotations, deletion,
 * status.hard, and a resource counted for the first time.
 */
export function quotaChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  return quotaShape(oldObj) !== quotaShape(newObj);
}

/** What the tenant reads of its quota, as a string: all of it but the counts in status.used. */
export function quotaShape(o: KubeObject): string {
  const q = o as KubeObject & { spec?: unknown; status?: { hard?: Record<string, string>; used?: object } };
  return JSON.stringify([
    q.metadata.labels,
    q.metadata.annotations,
    q.metadata.deletionTimestamp,
    q.metadata.managedFields,
    q.spec,
    q.status?.hard,
    Object.keys(q.status?.used ?? {}).sort(),
  ]);
}

/**
 * Bounds per container, so that the quota bounds real use and not only requests: no container
 * may be larger than the whole quota, and a limit may be at most 10 times its request for CPU
 * and 4 times for memory (requests of 1Mi with limits of 500Gi no longer pass).
 */
export const MAX_LIMIT_REQUEST_RATIO = { cpu: "10", memory: "4" };

export function renderLimitRange(tenant: MunicipalTenant): RenderedObject {
  const quota = tenantQuota.parse(tenant.spec.quota ?? {});
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: LIMIT_RANGE_NAME, namespace: tenantName(tenant), labels: tenantLabels(tenant) },
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: canonicalQuantity("500m"), memory: canonicalQuantity("512Mi") },
          defaultRequest: { cpu: canonicalQuantity("100m"), memory: canonicalQuantity("128Mi") },
          max: { cpu: canonicalQuantity(quota.cpu), memory: canonicalQuantity(quota.memory) },
          maxLimitRequestRatio: MAX_LIMIT_REQUEST_RATIO,
        },
      ],
    },
  };
}
