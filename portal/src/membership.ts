// Which municipalities a signed-in person belongs to: the tenants whose spec names the user, or
// one of the user's groups, as admin or viewer. This is the rule the operator's RoleBindings are
// made from (operator/src/controllers/tenant/rbac.ts), used here only to choose what to show:
// every read and write of a tenant's namespace still goes with the user's own token, so RBAC
// decides, and a wrong guess here ends in the API server's refusal, never in access.
import type { MunicipalTenant } from "../../operator/src/api/v1alpha1/index.ts";
import type { SessionUser } from "./session-store.ts";

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
