// The operator's admission webhooks for e2e tests that run the operator in-process: served on a
// free port of 127.0.0.1 and registered at the test's API server under that address.
import type { Logger } from "pino";
import { ResourcePaths } from "../../operator/src/kube/resource-paths.ts";
import type { RestClient } from "../../operator/src/kube/rest-client.ts";
import type { Operator } from "../../operator/src/operator.ts";
import type { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import { serveWebhook } from "../../operator/src/webhook/serve-webhook.ts";

/** Serves the webhooks from the operator's caches of blocks and activations; close the server when done. */
export function serveTestWebhook(
  client: RestClient,
  caches: Pick<Operator["caches"], "blocks" | "activations" | "tenants">,
  log: Logger,
  certificateSecret?: { namespace: string; name: string },
  metrics?: OperatorMetrics,
) {
  return serveWebhook({
    certificateSecret,
    metrics,
    client,
    paths: new ResourcePaths(client),
    blocks: caches.blocks,
    tenants: caches.tenants,
    activations: caches.activations,
    log,
    host: "127.0.0.1",
    port: 0,
    endpoint: { url: "https://127.0.0.1:0" },
  });
}
