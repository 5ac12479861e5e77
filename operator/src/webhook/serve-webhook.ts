// Start-up of the admission webhook: a CA generated in memory, a serving certificate for the
// Service name (or the URL's host), the HTTPS server, and the ValidatingWebhookConfiguration
// applied with that CA as caBundle.
import { isIP } from "node:net";
import type { Logger } from "pino";
import { serverSideApply } from "../kube/apply.ts";
import type { KubeObject } from "../kube/object.ts";
import type { ResourcePaths } from "../kube/resource-paths.ts";
import type { RestClient } from "../kube/rest-client.ts";
import type { WatchCache } from "../kube/watch-cache.ts";
import { createCertificateAuthority } from "../pki/certificates.ts";
import {
  renderApprovalWebhookConfiguration,
  renderWebhookConfiguration,
  type WebhookEndpoint,
} from "./webhook-configuration.ts";
import { startWebhookServer } from "./webhook-server.ts";

export interface ServeWebhookOptions {
  client: RestClient;
  paths: ResourcePaths;
  blocks: WatchCache<KubeObject>;
  activations: WatchCache<KubeObject>;
  log: Logger;
  host: string;
  port: number;
  endpoint: WebhookEndpoint;
}

export async function serveWebhook(o: ServeWebhookOptions) {
  const ca = await createCertificateAuthority("aihub-webhook-ca");
  const names =
    "url" in o.endpoint
      ? [new URL(o.endpoint.url).hostname]
      : [
          `${o.endpoint.service.name}.${o.endpoint.service.namespace}.svc`,
          `${o.endpoint.service.name}.${o.endpoint.service.namespace}.svc.cluster.local`,
        ];
  const tls = await ca.issue({
    commonName: names[0] ?? "aihub-webhook",
    dnsNames: names.filter((n) => !isIP(n)),
    ipAddresses: names.filter((n) => isIP(n)),
    usage: "server",
  });
  const server = await startWebhookServer(
    { client: o.client, blocks: o.blocks, activations: o.activations, log: o.log },
    tls,
    o.host,
    o.port,
  );
  const endpoint = "url" in o.endpoint ? { url: o.endpoint.url.replace(/:0$/, `:${server.port}`) } : o.endpoint;
  for (const configuration of [renderWebhookConfiguration, renderApprovalWebhookConfiguration]) {
    await serverSideApply(o.client, o.paths, configuration(endpoint, ca.certificate), {
      fieldManager: "aihub-webhook",
    });
  }
  o.log.info({ port: server.port, endpoint }, "admission webhook serving");
  return server;
}
