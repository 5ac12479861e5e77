// Wiring: from a configuration and a REST client to a running manager with its controllers.
// Shared by main.ts and the end-to-end tests, which run the operator in-process.
import type { Logger } from "pino";
import { CATALOG_CONTROLLER, CATALOG_PATH, catalogReconciler } from "./controllers/catalog/catalog-controller.ts";
import type { TenantRenderContext } from "./controllers/tenant/render.ts";
import { registerTenantController } from "./controllers/tenant/tenant-controller.ts";
import { EventRecorder } from "./kube/events.ts";
import { ResourcePaths } from "./kube/resource-paths.ts";
import type { RestClient } from "./kube/rest-client.ts";
import { Controller } from "./runtime/controller.ts";
import { Manager } from "./runtime/manager.ts";
import type { OperatorMetrics } from "./runtime/metrics.ts";

export interface OperatorOptions {
  client: RestClient;
  log: Logger;
  metrics: OperatorMetrics;
  workers: number;
  resyncPeriodMs: number;
  identity: string;
  tenants: TenantRenderContext;
  leaderElection?: { namespace: string; name: string; identity: string };
  now?: () => Date;
}

export function buildOperator(o: OperatorOptions): Manager {
  const paths = new ResourcePaths(o.client);
  const manager = new Manager({ client: o.client, log: o.log, metrics: o.metrics, leaderElection: o.leaderElection });
  const blocks = manager.cache({ path: CATALOG_PATH });
  registerTenantController(manager, {
    client: o.client,
    paths,
    events: new EventRecorder(o.client, "aihub-operator/tenant", o.identity),
    render: o.tenants,
    now: o.now ?? (() => new Date()),
    log: o.log,
    metrics: o.metrics,
    workers: o.workers,
    resyncPeriodMs: o.resyncPeriodMs,
  });
  manager.add(
    new Controller({
      name: CATALOG_CONTROLLER,
      kind: "AIBuildingBlock",
      primary: blocks,
      reconcile: catalogReconciler({ client: o.client, paths, blocks }),
      workers: o.workers,
      resyncPeriodMs: o.resyncPeriodMs,
      log: o.log,
      metrics: o.metrics,
    }),
  );
  return manager;
}
