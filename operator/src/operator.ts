// Wiring: from a configuration and a REST client to a running manager with its controllers.
// Shared by main.ts and the end-to-end tests, which run the operator in-process.
import type { Logger } from "pino";
import type { ActivationRenderContext } from "../../cdk/src/activation/activation-input.ts";
import {
  ACTIVATIONS_PATH,
  activationIndexers,
  registerActivationController,
} from "./controllers/activation/activation-controller.ts";
import { CATALOG_CONTROLLER, CATALOG_PATH, catalogReconciler } from "./controllers/catalog/catalog-controller.ts";
import type { CatalogPolicy } from "./controllers/catalog/certification.ts";
import { rolloutIndexers } from "./controllers/rollout/fleet-view.ts";
import { FREEZES_PATH, ROLLOUTS_PATH, registerRolloutControllers } from "./controllers/rollout/rollout-controller.ts";
import type { TenantRenderContext } from "./controllers/tenant/render.ts";
import { registerTenantController, TENANTS_PATH } from "./controllers/tenant/tenant-controller.ts";
import { EventRecorder } from "./kube/events.ts";
import type { KubeObject } from "./kube/object.ts";
import { ResourcePaths } from "./kube/resource-paths.ts";
import type { RestClient } from "./kube/rest-client.ts";
import type { WatchCache } from "./kube/watch-cache.ts";
import { Controller, primaryChanged } from "./runtime/controller.ts";
import { Manager } from "./runtime/manager.ts";
import type { OperatorMetrics } from "./runtime/metrics.ts";

export interface OperatorOptions {
  client: RestClient;
  log: Logger;
  metrics: OperatorMetrics;
  workers: number;
  resyncPeriodMs: number;
  /** How long a new activation's first status may wait for its StatefulSet, a new tenant's for its quota's count; default 5 s. */
  firstStatusHoldMs?: number;
  /** The same while the controller is busy (FirstStatusHolds); default 180 s. */
  busyFirstStatusHoldMs?: number;
  identity: string;
  tenants: TenantRenderContext;
  activations: ActivationRenderContext;
  policy: CatalogPolicy;
  leaderElection?: { namespace: string; name: string; identity: string };
  now?: () => Date;
}

export interface Operator {
  manager: Manager;
  caches: {
    tenants: WatchCache<KubeObject>;
    blocks: WatchCache<KubeObject>;
    activations: WatchCache<KubeObject>;
    rollouts: WatchCache<KubeObject>;
    freezes: WatchCache<KubeObject>;
  };
}

export function buildOperator(o: OperatorOptions): Operator {
  const paths = new ResourcePaths(o.client);
  const now = o.now ?? (() => new Date());
  const manager = new Manager({ client: o.client, log: o.log, metrics: o.metrics, leaderElection: o.leaderElection });
  const caches = {
    tenants: manager.cache<KubeObject>({ path: TENANTS_PATH }),
    blocks: manager.cache<KubeObject>({ path: CATALOG_PATH }),
    activations: manager.cache<KubeObject>({ path: ACTIVATIONS_PATH, indexers: activationIndexers }),
    rollouts: manager.cache<KubeObject>({ path: ROLLOUTS_PATH, indexers: rolloutIndexers }),
    freezes: manager.cache<KubeObject>({ path: FREEZES_PATH }),
  };
  const common = { log: o.log, metrics: o.metrics, workers: o.workers, resyncPeriodMs: o.resyncPeriodMs };
  registerTenantController(manager, {
    ...common,
    client: o.client,
    paths,
    tenants: caches.tenants,
    events: new EventRecorder(o.client, "aihub-operator/tenant", o.identity),
    render: o.tenants,
    now,
    firstStatusHoldMs: o.firstStatusHoldMs,
    busyFirstStatusHoldMs: o.busyFirstStatusHoldMs,
  });
  registerActivationController(manager, caches, {
    ...common,
    client: o.client,
    paths,
    events: new EventRecorder(o.client, "aihub-operator/activation", o.identity),
    render: o.activations,
    policy: o.policy,
    now,
    firstStatusHoldMs: o.firstStatusHoldMs,
    busyFirstStatusHoldMs: o.busyFirstStatusHoldMs,
  });
  registerRolloutControllers(manager, caches, {
    ...common,
    client: o.client,
    paths,
    events: new EventRecorder(o.client, "aihub-operator/rollout", o.identity),
    now,
  });
  manager.add(
    new Controller({
      ...common,
      name: CATALOG_CONTROLLER,
      kind: "AIBuildingBlock",
      primary: caches.blocks,
      // The activation count changes with activations (not with their status writes).
      owned: [
        {
          cache: caches.activations,
          ownerKeys: (a) => [String((a.spec as { block?: string }).block ?? "")],
          changed: primaryChanged,
        },
        // A withdrawn version is in the block's status.
        {
          cache: caches.rollouts,
          ownerKeys: (r) => [String((r.spec as { block?: string }).block ?? "")],
          changed: (a, b) => (a.status as { phase?: string })?.phase !== (b.status as { phase?: string })?.phase,
        },
      ],
      reconcile: catalogReconciler({
        client: o.client,
        paths,
        events: new EventRecorder(o.client, "aihub-operator/catalog", o.identity),
        blocks: caches.blocks,
        activations: caches.activations,
        rollouts: caches.rollouts,
        policy: o.policy,
        now,
      }),
    }),
  );
  return { manager, caches };
}
