// The tenant renderer: a MunicipalTenant in, the plain objects it should own out. Pure, so it is
// tested without a cluster. Objects are written in the API server's canonical form (explicit
// defaults, canonical quantities, no empty optional fields), because the controller skips the
// write when the live object already contains every rendered field.
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import { renderNamespace } from "./namespace.ts";
import { renderNetworkPolicies } from "./network-policies.ts";
import { renderLimitRange, renderResourceQuota } from "./quota.ts";
import { renderCatalogBinding, renderRoleBindings } from "./rbac.ts";

export type RenderedObject = KubeObject & { apiVersion: string; kind: string };

/** What the renderer needs to know of the cluster it renders for. */
export interface TenantRenderContext {
  /** The Pod Security Standards version the namespace pins, for example v1.35. */
  podSecurityVersion: string;
  /** Where the cluster DNS runs, which every pod must reach. */
  dns: { namespace: string; podLabels: Record<string, string> };
  /** The central log collector that the blocks' logging sidecars send to. */
  logging: { namespace: string; port: number };
}

export const DEFAULT_TENANT_RENDER_CONTEXT: TenantRenderContext = {
  podSecurityVersion: "v1.35",
  dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
  logging: { namespace: "aihub-logging", port: 24224 },
};

export interface RenderedTenant {
  namespace: RenderedObject;
  /** Objects in the tenant's namespace. */
  children: RenderedObject[];
  /** Cluster-scoped objects of this tenant alone (the catalog binding, when it has subjects). */
  clusterChildren: RenderedObject[];
}

/** Every namespaced kind the renderer produces; the controller watches them to repair drift. */
export const childKinds = [
  { apiVersion: "v1", kind: "ResourceQuota", plural: "resourcequotas" },
  { apiVersion: "v1", kind: "LimitRange", plural: "limitranges" },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", plural: "networkpolicies" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", plural: "rolebindings" },
] as const satisfies readonly { apiVersion: string; kind: string; plural: string }[];

export function renderTenant(tenant: MunicipalTenant, ctx: TenantRenderContext): RenderedTenant {
  const catalogBinding = renderCatalogBinding(tenant);
  const networkPolicies = renderNetworkPolicies(tenant, ctx);
  return {
    namespace: renderNamespace(tenant, ctx),
    children: [
      renderResourceQuota(tenant, networkPolicies.length),
      renderLimitRange(tenant),
      ...networkPolicies,
      ...renderRoleBindings(tenant),
    ],
    clusterChildren: catalogBinding ? [catalogBinding] : [],
  };
}
