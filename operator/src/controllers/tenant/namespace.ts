// The tenant's namespace, with Pod Security Admission enforcing the restricted profile. The
// version labels pin the profile to the cluster's release, so an upgrade of the API server does
// not tighten (or loosen) it before we choose to.
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { DELETION_PROTECTION_LABEL, tenantLabels, tenantName } from "./labels.ts";
import type { RenderedObject, TenantRenderContext } from "./render.ts";

const POD_SECURITY_MODES = ["enforce", "audit", "warn"] as const;

export function renderNamespace(tenant: MunicipalTenant, ctx: TenantRenderContext): RenderedObject {
  const podSecurity: Record<string, string> = {};
  for (const mode of POD_SECURITY_MODES) {
    podSecurity[`pod-security.kubernetes.io/${mode}`] = "restricted";
    podSecurity[`pod-security.kubernetes.io/${mode}-version`] = ctx.podSecurityVersion;
  }
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: tenantName(tenant),
      labels: {
        ...tenantLabels(tenant),
        ...podSecurity,
        // Mirrors spec.deletionProtection, so that `kubectl delete namespace` is refused like
        // deleting the tenant is (charts/aihub/templates/admission/tenant-namespace-deletion-protection.yaml).
        [DELETION_PROTECTION_LABEL]: String(tenant.spec.deletionProtection ?? true),
      },
    },
  };
}
