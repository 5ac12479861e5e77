// Which municipalities a signed-in person belongs to: the tenants whose spec names the user, or
// one of the user's groups, as admin or viewer. This is the rule the operator's RoleBindings are
// made from (operator/src/controllers/tenant/rbac.ts), used here only to choose what to show:
// every read and write of a tenant's namespace still goes with the user's own token, so RBAC
// decides, and a wrong guess here ends in the API server's refusal, never in access.
// A person the spec does not name (for example a ServiceAccount the platform team bound to a
// tenant role directly) is asked about instead: SelfSubjectAccessReviews with their own token
// say in which tenant namespaces they may create activations (admin) or list them (viewer).
import type { MunicipalTenant } from "../../operator/src/api/v1alpha1/index.ts";
import type { SessionUser } from "./session-store.ts";
import type { UserApi } from "./user-api.ts";

export type Membership = "admin" | "viewer";

const names = (who: { users?: string[]; groups?: string[] } | undefined, user: SessionUser) =>
  (who?.users ?? []).includes(user.username) || (who?.groups ?? []).some((g) => user.groups.includes(g));

export function membershipOf(tenant: MunicipalTenant, user: SessionUser): Membership | undefined {
  if (names(tenant.spec.admins, user)) return "admin";
  if (names(tenant.spec.viewers, user)) return "viewer";
  return undefined;
}

/** The user's tenants, by name. */
export function tenantsOf(
  tenants: readonly MunicipalTenant[],
  user: SessionUser,
): { tenant: MunicipalTenant; membership: Membership }[] {
  return tenants
    .map((tenant) => ({ tenant, membership: membershipOf(tenant, user) }))
    .filter((x): x is { tenant: MunicipalTenant; membership: Membership } => x.membership !== undefined)
    .sort((a, b) => (a.tenant.metadata.name ?? "").localeCompare(b.tenant.metadata.name ?? ""));
}

interface AccessReview {
  status?: { allowed?: boolean };
}

async function may(api: UserApi, namespace: string, verb: string, resource = "blockactivations"): Promise<boolean> {
  const review = await api.create<AccessReview>("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: { resourceAttributes: { ...(namespace && { namespace }), verb, group: "aihub.gemeenten.nl", resource } },
  });
  return review.status?.allowed === true;
}

/** Whether the user may follow fleet rollouts (the collective's platform team): only they see Uitrol in the navigation. */
export function mayFollowRollouts(api: UserApi): Promise<boolean> {
  return may(api, "", "list", "blockrollouts");
}

/** The tenants whose namespace RBAC lets the user work in, asked a few at a time. */
export async function tenantsByAccess(
  api: UserApi,
  tenants: readonly MunicipalTenant[],
  concurrency = 8,
): Promise<{ tenant: MunicipalTenant; membership: Membership }[]> {
  const found: { tenant: MunicipalTenant; membership: Membership }[] = [];
  const queue = [...tenants];
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const ns = t.status?.namespace ?? t.metadata.name ?? "";
      if (await may(api, ns, "create")) found.push({ tenant: t, membership: "admin" });
      else if (await may(api, ns, "list")) found.push({ tenant: t, membership: "viewer" });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tenants.length) }, worker));
  return found.sort((a, b) => (a.tenant.metadata.name ?? "").localeCompare(b.tenant.metadata.name ?? ""));
}
