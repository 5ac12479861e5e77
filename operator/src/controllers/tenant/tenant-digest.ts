// Whether a tenant's children can be left as they are without rendering them again, as the
// activation's children digest does (children-digest.ts). A tenant is reconciled again on every
// resync and on every change of one of its children; once everything was found as rendered, most
// such reconciles would render the same objects and compare them with the same cached copies (at
// 342 municipalities the tenants' reconciles were a tenth of what the operator allocated, ADR 16).
//
// What the rendering, the applies and the prune depend on: the tenant (its uid and generation,
// bumped by every change of its spec; its name and the operator's render context do not change),
// its namespace, every object marked as the tenant's that the caches hold (a deleted or edited
// child changes the set or its resourceVersion), and the shared ClusterRoles its bindings name.
// The quota is the exception: every create in the namespace rewrites the counts in its status,
// so it counts by what the tenant reads of it (quotaChanged's view), not by its resourceVersion.
// Pure.
import type { KubeObject } from "../../kube/object.ts";
import { childPart, digestOf } from "../activation/children-digest.ts";
import { quotaShape } from "./quota.ts";

export interface TenantInputs {
  tenant: KubeObject;
  namespace: KubeObject | undefined;
  /** Every object the caches hold marked as this tenant's, with its kind. */
  children: readonly { kind: string; object: KubeObject }[];
  /** The operator's shared ClusterRoles, as cached. */
  clusterRoles: readonly KubeObject[];
}

/** The quota by its shape (its counts move with every create); every other object by its resourceVersion. */
const versionOf = (kind: string, o: KubeObject) => (kind === "ResourceQuota" ? `q${quotaShape(o)}` : undefined);

/** The digest of what the tenant's children depend on; undefined where it cannot be told (no generation). */
export function tenantDigest(i: TenantInputs): string | undefined {
  const t = i.tenant.metadata;
  if (t.generation === undefined || !i.namespace) return undefined;
  const parts = [
    `${t.uid ?? ""}@${t.generation}`,
    JSON.stringify(t.finalizers ?? []),
    childPart("Namespace", i.namespace, versionOf("Namespace", i.namespace)),
    ...i.children.map((c) => childPart(c.kind, c.object, versionOf(c.kind, c.object))).sort(),
    ...i.clusterRoles.map((r) => childPart("ClusterRole", r, versionOf("ClusterRole", r))).sort(),
  ];
  return digestOf(parts);
}
