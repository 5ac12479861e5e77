// Who may do what in a tenant's namespace. Admins manage BlockActivations and read what those
// produce; viewers only read. Nothing here grants secrets, quotas, limit ranges, network policies,
// roles, role bindings or the namespace, so a tenant cannot loosen its own guard rails (ADR 5).
// Reading the catalog, which is cluster-scoped, goes through one ClusterRoleBinding per tenant to
// an aggregated ClusterRole, so later read permissions need no change to the bindings.
import { GROUP, type MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { MANAGED_BY, MANAGED_BY_LABEL, tenantLabels, tenantName } from "./labels.ts";
import type { RenderedObject } from "./render.ts";

const RBAC_API_VERSION = "rbac.authorization.k8s.io/v1";
const RBAC_GROUP = "rbac.authorization.k8s.io";

export const ADMIN_ROLE = "aihub-tenant-admin";
export const VIEWER_ROLE = "aihub-tenant-viewer";
export const ADMIN_BINDING = "aihub-tenant-admins";
export const VIEWER_BINDING = "aihub-tenant-viewers";
export const CATALOG_READER_ROLE = "aihub-catalog-reader";
export const TENANT_USER_ROLE = "aihub-tenant-user";
/** ClusterRoles with this label are aggregated into aihub-tenant-user. */
export const AGGREGATE_TO_TENANT_USER_LABEL = "aihub.gemeenten.nl/aggregate-to-tenant-user";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface Subject {
  kind: "Group" | "User";
  apiGroup: string;
  name: string;
}

/** What both roles may read: the activations' workloads and what explains them. */
const readRules = (): PolicyRule[] => [
  { apiGroups: [GROUP], resources: ["blockactivations/status"], verbs: ["get"] },
  { apiGroups: [""], resources: ["pods", "events", "configmaps", "services"], verbs: [...READ] },
  // Logs are read with get (also when followed); list and watch mean nothing for them.
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: [...READ] },
  // The block's StatefulSet (and the Deployments of activations from before it) and its revisions.
  {
    apiGroups: ["apps"],
    resources: ["statefulsets", "controllerrevisions", "deployments", "replicasets"],
    verbs: [...READ],
  },
  // The logging sidecar's queue claims: read only, so that no tenant deletes records not yet sent.
  { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: [...READ] },
];

const clusterRole = (name: string, rules: PolicyRule[]): RenderedObject => ({
  apiVersion: RBAC_API_VERSION,
  kind: "ClusterRole",
  metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
  rules,
});

/** Groups first, then users, each once, in the order the spec lists them. */
function subjectsOf(...who: ({ groups?: string[]; users?: string[] } | undefined)[]): Subject[] {
  const subjects = new Map<string, Subject>();
  for (const kind of ["Group", "User"] as const) {
    for (const w of who) {
      for (const name of (kind === "Group" ? w?.groups : w?.users) ?? []) {
        subjects.set(`${kind}/${name}`, { kind, apiGroup: RBAC_GROUP, name });
      }
    }
  }
  return [...subjects.values()];
}

function roleBinding(tenant: MunicipalTenant, name: string, roleName: string, subjects: Subject[]): RenderedObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "RoleBinding",
    metadata: { name, namespace: tenantName(tenant), labels: tenantLabels(tenant) },
    // A ClusterRole, bound in the tenant's namespace only (ADR 11): the operator binds it and
    // need not hold what it grants (pods and their logs in every namespace).
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: roleName },
    // The API server drops an empty subjects list, so none is written when there is nobody.
    ...(subjects.length > 0 && { subjects }),
  };
}

/**
 * A binding only for a role that has subjects: when the last admin or viewer is removed from the
 * spec, the binding is no longer desired and the controller deletes it. (A binding rendered
 * without subjects would look satisfied by a live one that still lists the old ones.)
 */
export function renderRoleBindings(tenant: MunicipalTenant): RenderedObject[] {
  const admins = subjectsOf(tenant.spec.admins);
  const viewers = subjectsOf(tenant.spec.viewers);
  return [
    ...(admins.length ? [roleBinding(tenant, ADMIN_BINDING, ADMIN_ROLE, admins)] : []),
    ...(viewers.length ? [roleBinding(tenant, VIEWER_BINDING, VIEWER_ROLE, viewers)] : []),
  ];
}

/**
 * The ClusterRoles every tenant shares, installed with the operator (charts/aihub/templates/tenant-cluster-roles.yaml, ADR 11), not by
 * it: what admins and viewers may do in their namespace (bound there by a RoleBinding), and one
 * that reads the catalog, aggregated into the one that tenants are bound to cluster-wide. The
 * aggregated role has no rules of its own: kube-controller-manager fills them in.
 */
export function renderSharedClusterRoles(): RenderedObject[] {
  const managed = { [MANAGED_BY_LABEL]: MANAGED_BY };
  return [
    clusterRole(ADMIN_ROLE, [
      { apiGroups: [GROUP], resources: ["blockactivations"], verbs: [...READ, ...WRITE] },
      ...readRules(),
    ]),
    clusterRole(VIEWER_ROLE, [
      { apiGroups: [GROUP], resources: ["blockactivations"], verbs: [...READ] },
      ...readRules(),
    ]),
    {
      apiVersion: RBAC_API_VERSION,
      kind: "ClusterRole",
      metadata: { name: CATALOG_READER_ROLE, labels: { ...managed, [AGGREGATE_TO_TENANT_USER_LABEL]: "true" } },
      rules: [{ apiGroups: [GROUP], resources: ["aibuildingblocks"], verbs: [...READ] }] satisfies PolicyRule[],
    },
    {
      apiVersion: RBAC_API_VERSION,
      kind: "ClusterRole",
      metadata: { name: TENANT_USER_ROLE, labels: managed },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO_TENANT_USER_LABEL]: "true" } }] },
    },
  ];
}

/** The binding that lets the tenant's admins and viewers read the catalog; undefined when there is nobody. */
export function renderCatalogBinding(tenant: MunicipalTenant): RenderedObject | undefined {
  const subjects = subjectsOf(tenant.spec.admins, tenant.spec.viewers);
  if (subjects.length === 0) return undefined;
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "ClusterRoleBinding",
    metadata: { name: `aihub-tenant-${tenantName(tenant)}-catalog`, labels: tenantLabels(tenant) },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: TENANT_USER_ROLE },
    subjects,
  };
}
