// Start-up of the admission webhook: the certificates (shared by the replicas through a Secret,
// webhook-certificates.ts, or issued into it by cert-manager, or a CA in memory for one process), a serving certificate for the
// Service name (or the URL's host), the HTTPS server, and the webhook configurations applied
// with that CA as caBundle.
import { isIP } from "node:net";
import type { Logger } from "pino";
import { serverSideApply } from "../kube/apply.ts";
import type { KubeObject } from "../kube/object.ts";
import type { ResourcePaths } from "../kube/resource-paths.ts";
import type { RestClient } from "../kube/rest-client.ts";
import { untilAnswered } from "../kube/until-answered.ts";
import type { WatchCache } from "../kube/watch-cache.ts";
import { createCertificateAuthority } from "../pki/certificates.ts";
import { ensureWebhookTls, readIssuedTls, type SecretRef, type WebhookTls } from "./webhook-certificates.ts";
import {
  renderApprovalWebhookConfiguration,
  renderWebhookConfiguration,
  type WebhookEndpoint,
} from "./webhook-configuration.ts";
import { startWebhookServer, type WebhookDeps } from "./webhook-server.ts";

export interface ServeWebhookOptions {
  client: RestClient;
  paths: ResourcePaths;
  blocks: WatchCache<KubeObject>;
  activations: WatchCache<KubeObject>;
  tenants?: WatchCache<KubeObject>;
  log: Logger;
  host: string;
  port: number;
  endpoint: WebhookEndpoint;
  /** The Secret the replicas share the certificates through; without it, a CA in memory (one process). */
  certificateSecret?: SecretRef;
  /** Who makes the certificates in that Secret: the operator (the default) or cert-manager. */
  certificates?: "operator" | "cert-manager";
  certificateCheckMs?: number;
  metrics?: WebhookDeps["metrics"];
}

/** How often a replica checks the shared certificates (renewed 30 days before their end). */
export const CERTIFICATE_CHECK_MS = 10 * 60 * 1000;

/** How often a replica looks for the Secret while cert-manager has not issued the certificate yet. */
const ISSUED_POLL_MS = 2000;

export async function serveWebhook(o: ServeWebhookOptions) {
  const names =
    "url" in o.endpoint
      ? [new URL(o.endpoint.url).hostname]
      : [
          `${o.endpoint.service.name}.${o.endpoint.service.namespace}.svc`,
          `${o.endpoint.service.name}.${o.endpoint.service.namespace}.svc.cluster.local`,
        ];
  const secret = o.certificateSecret;
  const byCertManager = o.certificates === "cert-manager";
  if (byCertManager && !secret) throw new Error("certificates by cert-manager need the Secret its Certificate writes");
  /** The certificates as they are now: the shared Secret, created or renewed by the operator, or cert-manager's. */
  const current = async (): Promise<WebhookTls | undefined> =>
    !secret ? undefined : byCertManager ? readIssuedTls(o.client, secret) : ensureWebhookTls(o.client, secret, names);
  // The API server may be away while the operator starts (a restart, an upgrade of the control
  // plane): the start waits for it, as the caches do, rather than ending the process.
  const answered = <T>(what: string, attempt: () => Promise<T>) =>
    untilAnswered(attempt, {
      onRetry: (err, waitMs) =>
        o.log.warn({ err: String(err), waitMs }, `${what}: the API server did not answer; again`),
    });
  let tls = await answered("reading the webhook's certificates", current);
  while (!tls && secret) {
    o.log.info(
      { secret: `${secret.namespace}/${secret.name}` },
      "waiting for cert-manager to issue the webhook's certificate",
    );
    await new Promise((r) => setTimeout(r, ISSUED_POLL_MS));
    tls = await answered("reading the webhook's certificates", current);
  }
  if (!tls) {
    // One process (make dev, tests): a CA of its own, in memory.
    const ca = await createCertificateAuthority("aihub-webhook-ca");
    const serving = await ca.issue({
      commonName: names[0] ?? "aihub-webhook",
      dnsNames: names.filter((n) => !isIP(n)),
      ipAddresses: names.filter((n) => isIP(n)),
      usage: "server",
    });
    tls = { ca: ca.certificate, serving, notAfter: new Date(0) };
  }
  const server = await startWebhookServer(
    {
      client: o.client,
      blocks: o.blocks,
      activations: o.activations,
      tenants: o.tenants,
      log: o.log,
      metrics: o.metrics,
    },
    tls.serving,
    o.host,
    o.port,
  );
  const endpoint = "url" in o.endpoint ? { url: o.endpoint.url.replace(/:0$/, `:${server.port}`) } : o.endpoint;
  // With cert-manager, its cainjector keeps the caBundle: the operator's configurations leave it out.
  const register = async (caBundle: string) => {
    for (const configuration of [renderWebhookConfiguration, renderApprovalWebhookConfiguration]) {
      await serverSideApply(o.client, o.paths, configuration(endpoint, byCertManager ? undefined : caBundle), {
        fieldManager: "aihub-webhook",
      });
    }
  };
  await answered("registering the admission webhook", () => register(tls.ca));
  if (secret) {
    // A renewed serving certificate (by this replica, another, or cert-manager) is taken up
    // without a restart: connections already open keep theirs, new ones get the new one. The
    // operator's CA, and so the caBundle, stays; should the Secret have been made again, the
    // configurations follow.
    let taken = tls;
    const timer = setInterval(() => {
      current()
        .then(async (next) => {
          if (!next || next.serving.certificate === taken.serving.certificate) return;
          server.setSecureContext({ cert: next.serving.certificate, key: next.serving.privateKey });
          if (next.ca !== taken.ca && !byCertManager) await register(next.ca);
          taken = next;
          o.log.info({ notAfter: next.notAfter }, "webhook serving certificate renewed");
        })
        .catch((err) => o.log.warn({ err: String(err) }, "could not check the webhook certificates"));
    }, o.certificateCheckMs ?? CERTIFICATE_CHECK_MS);
    timer.unref();
    server.once("close", () => clearInterval(timer));
  }
  o.log.info({ port: server.port, endpoint }, "admission webhook serving");
  return server;
}
