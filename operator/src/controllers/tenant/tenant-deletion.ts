// A MunicipalTenant's deletion, behind its finalizer: refused while the tenant is protected; else
// its namespace goes first (the namespace controller deletes what is in it), and once the
// namespace is gone, what the tenant marked outside it (cluster role bindings), then the finalizer.
// The namespace is deleted only when it is marked as this tenant's (isTenantNamespace).

import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { isNotFound } from "../../kube/api-error.ts";
import { hasFinalizer, removeFinalizer } from "../../kube/finalizers.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ObjectRef, ResourcePaths } from "../../kube/resource-paths.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import type { WatchCache } from "../../kube/watch-cache.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconcile.ts";
import { DELETION_PROTECTION_LABEL, isTenantNamespace, MANAGED_BY, MANAGED_BY_LABEL, TENANT_LABEL } from "./labels.ts";
import type { TenantOutcome } from "./tenant-status.ts";

export const TENANT_FINALIZER = "aihub.gemeenten.nl/tenant-cleanup";

/** How soon a tenant whose namespace is still being deleted looks again. */
const NAMESPACE_GONE_POLL_MS = 2000;

export interface TenantDeletionDeps {
  client: RestClient;
  paths: ResourcePaths;
  namespaces: WatchCache<KubeObject>;
  /** Writes the tenant's status from this outcome. */
  report(outcome: TenantOutcome): Promise<void>;
  /** Deletes every object marked as this tenant's that is left (none is desired any more). */
  pruneAll(): Promise<unknown>;
}

/** Deletion: refuse while protected; else delete the namespace, wait until it is gone, then let the tenant go. */
export async function finalizeTenant(
  tenant: KubeObject & ObjectRef & MunicipalTenant,
  ctx: ReconcileContext,
  d: TenantDeletionDeps,
): Promise<ReconcileResult | undefined> {
  if (!hasFinalizer(tenant, TENANT_FINALIZER)) return undefined;
  const name = tenant.metadata.name ?? "";
  if (tenant.spec.deletionProtection) {
    await d.report({
      namespace: {
        ok: false,
        reason: "DeletionProtected",
        message:
          "deletion was requested but spec.deletionProtection is true, so nothing is removed. " +
          "Set spec.deletionProtection to false to finish deleting the tenant and its namespace.",
      },
      terminating: true,
    });
    return undefined;
  }
  const ns = d.namespaces.get(name);
  if (ns && isTenantNamespace(ns, name)) {
    if (!ns.metadata.deletionTimestamp) {
      // The protection was lifted on the tenant; the namespace's mirror of it may not say so
      // yet, and the admission policy would refuse the deletion.
      if (ns.metadata.labels?.[DELETION_PROTECTION_LABEL] !== "false") {
        await d.client.request("PATCH", `/api/v1/namespaces/${name}`, {
          body: { metadata: { labels: { [DELETION_PROTECTION_LABEL]: "false" } } },
          contentType: "application/merge-patch+json",
        });
      }
      await d.client
        .request("DELETE", `/api/v1/namespaces/${name}`)
        .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      ctx.log.info("deleting the tenant's namespace");
    }
    await d.report({
      namespace: { ok: false, reason: "Deleting", message: `waiting until namespace ${name} is deleted` },
      terminating: true,
    });
    return { requeueAfterMs: NAMESPACE_GONE_POLL_MS };
  }
  await d.pruneAll();
  await removeFinalizer(d.client, d.paths, tenant, TENANT_FINALIZER);
  ctx.log.info("tenant cleaned up");
  return undefined;
}

/**
 * Deletes what `marked` holds of the tenant's own that `desired` does not (a removed egress entry;
 * at deletion, everything left): only objects with the operator's and the tenant's labels and no
 * owner (an activation's children carry the tenant label too), in the tenant's namespace or
 * cluster-scoped. True when it deleted one.
 */
export async function pruneTenant(
  client: RestClient,
  paths: ResourcePaths,
  tenant: string,
  marked: readonly KubeObject[],
  desired: readonly (KubeObject & ObjectRef)[],
): Promise<boolean> {
  const wanted = new Set(desired.map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`));
  let deleted = false;
  for (const obj of marked) {
    const ours =
      obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY &&
      obj.metadata.labels?.[TENANT_LABEL] === tenant &&
      !obj.metadata.ownerReferences?.length;
    const inPlace = !obj.metadata.namespace || obj.metadata.namespace === tenant;
    const id = `${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
    if (!ours || !inPlace || wanted.has(id)) continue;
    await client
      .request("DELETE", await paths.pathOf(obj as KubeObject & ObjectRef))
      .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
    deleted = true;
  }
  return deleted;
}
