// The labels that mark a tenant's children. They take the place of ownerReferences (which a
// cluster-scoped MunicipalTenant could have on them, but then the garbage collector would delete
// the namespace the moment the tenant goes, with no chance to refuse), and are how the controller
// finds, watches and prunes what it made (ADR 5). Only objects with both the tenant and
// managed-by labels are ours.
import { MANAGED_BY, MANAGED_BY_LABEL, TENANT_LABEL } from "../../../../cdk/src/activation/labels.ts";
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";

// The same keys as on an activation's children, defined once (cdk/src/activation/labels.ts).
export { MANAGED_BY, MANAGED_BY_LABEL, TENANT_LABEL };
export const CODE_LABEL = "aihub.gemeenten.nl/municipality-code";
export const RING_LABEL = "aihub.gemeenten.nl/rollout-ring";
/** On the tenant's namespace: "true" while the tenant is protected (the chart's admission policy refuses its deletion). */
export const DELETION_PROTECTION_LABEL = "aihub.gemeenten.nl/deletion-protection";

/** The tenant's name, which is also its namespace's name. */
export function tenantName(tenant: MunicipalTenant): string {
  const name = tenant.metadata.name;
  if (!name) throw new Error("the MunicipalTenant has no metadata.name, so its namespace cannot be named");
  return name;
}

/**
 * Whether `namespace` is the tenant's own: marked with its name. A namespace of that name without
 * the mark (made by someone else, or by another tenant) is foreign, and is never taken or deleted.
 */
export function isTenantNamespace(namespace: { metadata: { labels?: Record<string, string> } }, tenant: string) {
  return namespace.metadata.labels?.[TENANT_LABEL] === tenant;
}

/** The labels every child of the tenant carries. */
export function tenantLabels(tenant: MunicipalTenant): Record<string, string> {
  return {
    [TENANT_LABEL]: tenantName(tenant),
    [CODE_LABEL]: tenant.spec.municipalityCode,
    [RING_LABEL]: tenant.spec.rolloutRing,
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}
