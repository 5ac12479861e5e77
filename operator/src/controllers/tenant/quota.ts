// The namespace's ResourceQuota and the LimitRange that makes it usable: a quota on
// requests.cpu and requests.memory refuses every pod that does not state its requests, so the
// LimitRange gives containers without resources a default request (and limit).
import { canonicalQuantity } from "../../api/quantity.ts";
import { type MunicipalTenant, tenantQuota } from "../../api/v1alpha1/index.ts";
import { tenantLabels, tenantName } from "./labels.ts";
import type { RenderedObject } from "./render.ts";

export const QUOTA_NAME = "aihub-quota";
export const LIMIT_RANGE_NAME = "aihub-limits";

export function renderResourceQuota(tenant: MunicipalTenant): RenderedObject {
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
      },
    },
  };
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
