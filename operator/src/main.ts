// The aihub operator: flags (`--help` lists them) or AIHUB_* environment.

import { loadConfig, splitHostPort, usage } from "./config.ts";
import { DEFAULT_TENANT_RENDER_CONTEXT } from "./controllers/tenant/render.ts";
import { ResourcePaths } from "./kube/resource-paths.ts";
import { RestClient } from "./kube/rest-client.ts";
import { buildOperator } from "./operator.ts";
import { createCertificateAuthority } from "./pki/certificates.ts";
import { configFromCommandLine } from "./runtime/flags.ts";
import { startHealthServer } from "./runtime/health-server.ts";
import { createLogger } from "./runtime/logger.ts";
import { startMemoryReducer } from "./runtime/memory-reducer.ts";
import { OperatorMetrics } from "./runtime/metrics.ts";
import { startSecureMetricsServer } from "./runtime/secure-metrics.ts";
import { serveWebhook } from "./webhook/serve-webhook.ts";

const config = configFromCommandLine(process.argv.slice(2), process.env, loadConfig, usage);

const log = createLogger(config.logLevel);
const client = RestClient.fromKubeconfig(config.kubeconfig, config.apiConnections);
const metrics = new OperatorMetrics().collectProcessMetrics();
client.observe(metrics.observeRequests(new URL(client.server).host));

const MB = 1024 * 1024;
const memoryReducer = startMemoryReducer({
  thresholdBytes: config.memoryReduceThresholdMb * MB,
  onReduction: ({ before, after, seconds }) => {
    metrics.memoryReductions.inc();
    metrics.memoryReductionSeconds.inc(seconds);
    metrics.memoryReducedBytes.inc(Math.max(0, before - after));
    log.debug({ rssMb: Math.round(before / MB), afterMb: Math.round(after / MB), seconds }, "memory reduced");
  },
});
if ("off" in memoryReducer) log.info({ reason: memoryReducer.off }, "no memory-reducing collections");

const { manager, caches } = buildOperator({
  client,
  log,
  metrics,
  workers: config.workers,
  resyncPeriodMs: config.resyncPeriodSeconds * 1000,
  firstStatusHoldMs: config.firstStatusHoldSeconds * 1000,
  busyFirstStatusHoldMs: config.busyFirstStatusHoldSeconds * 1000,
  identity: config.identity,
  tenants: {
    ...DEFAULT_TENANT_RENDER_CONTEXT,
    podSecurityVersion: config.podSecurityVersion,
    logging: { namespace: config.loggingNamespace, port: config.loggingPort },
  },
  activations: {
    logSidecar: { image: config.logSidecarImage, queueStorageClass: config.logQueueStorageClass },
    gateway: { namespace: config.gatewayNamespace },
    logging: { namespace: config.loggingNamespace, port: config.loggingPort },
  },
  policy: { allowedRegistries: config.allowedRegistries },
  leaderElection: config.leaderElect
    ? { namespace: config.leaderElectionNamespace, name: config.leaderElectionId, identity: config.identity }
    : undefined,
});

const plainMetricsWithHealth = !config.metricsSecure && config.metricsBindAddress === config.healthProbeBindAddress;
const health = await startHealthServer({
  ...splitHostPort(config.healthProbeBindAddress),
  ready: () => manager.synced(),
  ...(plainMetricsWithHealth && { registry: metrics.registry }),
});
const metricsServer = plainMetricsWithHealth
  ? health
  : config.metricsSecure
    ? await startSecureMetricsServer({
        ...splitHostPort(config.metricsBindAddress),
        registry: metrics.registry,
        client,
        // Self-signed, as controller-runtime's: Prometheus authenticates itself, not the operator.
        tls: await (await createCertificateAuthority("aihub-metrics-ca")).issue({
          commonName: "aihub-operator-metrics",
          dnsNames: ["localhost"],
          ipAddresses: ["127.0.0.1"],
          usage: "server",
        }),
      })
    : await startHealthServer({
        ...splitHostPort(config.metricsBindAddress),
        ready: () => true,
        registry: metrics.registry,
      });
log.info(
  {
    server: client.server,
    health: health.port,
    metrics: metricsServer.port,
    metricsSecure: config.metricsSecure,
    identity: config.identity,
  },
  "starting",
);

const webhookEndpoint = config.webhookUrl
  ? { url: config.webhookUrl }
  : config.webhookService
    ? (() => {
        const [ns = "", rest = ""] = config.webhookService.split("/");
        const [name = "", port = "443"] = rest.split(":");
        return { service: { namespace: ns, name, port: Number(port) } };
      })()
    : undefined;
/** Where the replicas share the webhook's certificates: the flag, else <service>-tls beside the Service. */
function certificateSecret(): { namespace: string; name: string } | undefined {
  const [namespace = "", name = ""] = (config.webhookCertificateSecret ?? "").split("/");
  if (config.webhookCertificateSecret) return { namespace, name };
  return webhookEndpoint && "service" in webhookEndpoint
    ? { namespace: webhookEndpoint.service.namespace, name: `${webhookEndpoint.service.name}-tls` }
    : undefined;
}
// The webhook starts beside the reconcilers, not before them: with cert-manager it waits until the
// certificate is issued, and the tenants must not wait for that. While the API server is away, its
// start waits (untilAnswered); a webhook that cannot start (refused, or the API server away for
// 5 minutes) stops the process, as a failed start did before.
let webhook: Awaited<ReturnType<typeof serveWebhook>> | undefined;
let stopping = false;
if (webhookEndpoint)
  serveWebhook({
    client,
    paths: new ResourcePaths(client),
    blocks: caches.blocks,
    tenants: caches.tenants,
    activations: caches.activations,
    log,
    ...splitHostPort(config.webhookBindAddress),
    endpoint: webhookEndpoint,
    certificateSecret: certificateSecret(),
    certificates: config.webhookCertificates,
    certificateCheckMs: config.webhookCertificateCheckSeconds * 1000,
    metrics,
  }).then(
    (server) => {
      webhook = server;
      if (stopping) server.close();
    },
    (err: unknown) => {
      log.fatal({ err: String(err) }, "the admission webhook could not start");
      process.exit(1);
    },
  );
else
  log.warn(
    "no --webhook-url or --webhook-service: the admission webhook is off; the reconciler still checks everything",
  );

const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "draining in-flight reconciles");
  await manager.stop();
  if ("stop" in memoryReducer) memoryReducer.stop();
  health.close();
  webhook?.close();
  metricsServer.close();
  client.close();
  log.info("stopped");
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

await manager.start();
