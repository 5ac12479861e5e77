// The operator run in-process by an e2e test (activations, rollouts): built with the options the
// tests run it with (four workers unless a test asks for others, no resync, the default render contexts, images only from
// registry.gemeenten.nl), and what the test started stopped again, each part only if it started.
import type { Server } from "node:https";
import type { Logger } from "pino";
import { DEFAULT_TENANT_RENDER_CONTEXT } from "../../operator/src/controllers/tenant/render.ts";
import type { RestClient } from "../../operator/src/kube/rest-client.ts";
import { buildOperator, type Operator } from "../../operator/src/operator.ts";
import type { Manager } from "../../operator/src/runtime/manager.ts";
import type { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import type { ControlPlane } from "../controlplane/control-plane.ts";
import type { CountingClient } from "./clients.ts";
import { DEFAULT_ACTIVATION_RENDER_CONTEXT } from "./operator-defaults.ts";

/** The operator, not yet started; `now` is its clock (the wall clock when not given). */
export function buildTestOperator(o: {
  client: RestClient;
  log: Logger;
  metrics: OperatorMetrics;
  identity: string;
  now?: () => Date;
  /** Concurrent reconciles per controller; 4 when not given. */
  workers?: number;
  firstStatusHoldMs?: number;
  busyFirstStatusHoldMs?: number;
}): Operator {
  return buildOperator({
    client: o.client,
    log: o.log,
    metrics: o.metrics,
    workers: o.workers ?? 4,
    firstStatusHoldMs: o.firstStatusHoldMs,
    busyFirstStatusHoldMs: o.busyFirstStatusHoldMs,
    resyncPeriodMs: 0,
    identity: o.identity,
    tenants: DEFAULT_TENANT_RENDER_CONTEXT,
    activations: DEFAULT_ACTIVATION_RENDER_CONTEXT,
    policy: { allowedRegistries: ["registry.gemeenten.nl"] },
    now: o.now,
  });
}

/** For afterAll: closes the webhook, stops the operator, closes the clients, stops the control plane. */
export async function stopInProcessOperator(parts: {
  webhook?: Server;
  manager?: Manager;
  clients: (CountingClient | undefined)[];
  cp?: ControlPlane;
}): Promise<void> {
  parts.webhook?.close();
  await parts.manager?.stop();
  for (const c of parts.clients) c?.client.close();
  await parts.cp?.stop();
}
