// A tenant's status, written from its reconcile's outcome (tenant-status.ts computes it), and an
// Event when it becomes Ready or fails: waiting is no news.
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import type { EventRecorder } from "../../kube/events.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ObjectRef, ResourcePaths } from "../../kube/resource-paths.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import { writeStatus } from "../../kube/status.ts";
import type { WatchCache } from "../../kube/watch-cache.ts";
import type { ReconcileContext } from "../../runtime/reconcile.ts";
import { type TenantOutcome, tenantStatus } from "./tenant-status.ts";

export interface TenantReportDeps {
  client: RestClient;
  paths: ResourcePaths;
  events: EventRecorder;
  now: () => Date;
  /** The tenants' cache, which takes the written status at once (writeStatus). */
  tenants: WatchCache<KubeObject>;
}

/** Writes the status `outcome` says (nothing when it says nothing new), and an Event on a change of Ready. */
export async function reportTenant(
  d: TenantReportDeps,
  tenant: KubeObject & ObjectRef & MunicipalTenant,
  outcome: TenantOutcome,
  ctx: ReconcileContext,
): Promise<void> {
  const now = d.now();
  const written = await writeStatus(d.client, d.paths, tenant, tenantStatus(tenant, outcome, now), {
    recompute: (fresh) => tenantStatus(fresh as typeof tenant, outcome, now),
    cache: d.tenants,
  });
  const ready = (s: unknown) => (s as MunicipalTenant["status"])?.conditions?.find((c) => c.type === "Ready");
  const before = ready(written.previous);
  const after = ready(written.sent);
  if (!written.written || !after || (before?.status === after.status && before?.reason === after.reason)) return;
  ctx.log.info({ ready: after.status, reason: after.reason }, after.message);
  // Waiting (Unknown) is no news: the Event says when the tenant is Ready, or why it failed.
  if (after.status === "Unknown") return;
  await d.events
    .record({
      regarding: tenant,
      type: after.status === "False" ? "Warning" : "Normal",
      reason: after.status === "True" ? "TenantReady" : after.reason,
      action: "Reconcile",
      note: after.message,
    })
    .catch((err) => ctx.log.warn({ err: String(err) }, "could not record an event"));
}
