// The ValidatingWebhookConfiguration that points the API server at the operator, with the CA
// the operator generated at start-up as caBundle. In a cluster the webhook is reached through a
// Service; for the local control plane through a URL on loopback. (In production with more than
// one replica, let cert-manager issue the serving certificate and inject the caBundle instead:
// see docs/adr/0006-activations.md.)
import { ACTIVATION_PATH, BLOCK_PATH } from "./webhook-server.ts";

export const WEBHOOK_CONFIGURATION = "aihub-validation";

export type WebhookEndpoint = { url: string } | { service: { namespace: string; name: string; port: number } };

export function renderWebhookConfiguration(endpoint: WebhookEndpoint, caBundlePem: string) {
  const clientConfig = (path: string) => ({
    caBundle: Buffer.from(caBundlePem).toString("base64"),
    ...("url" in endpoint ? { url: `${endpoint.url}${path}` } : { service: { ...endpoint.service, path } }),
  });
  const common = {
    admissionReviewVersions: ["v1"],
    sideEffects: "None",
    failurePolicy: "Fail",
    matchPolicy: "Equivalent",
    timeoutSeconds: 5,
  };
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: WEBHOOK_CONFIGURATION, labels: { "app.kubernetes.io/part-of": "aihub" } },
    webhooks: [
      {
        name: "blockactivations.aihub.gemeenten.nl",
        clientConfig: clientConfig(ACTIVATION_PATH),
        rules: [
          {
            apiGroups: ["aihub.gemeenten.nl"],
            apiVersions: ["v1alpha1"],
            operations: ["CREATE", "UPDATE"],
            resources: ["blockactivations"],
            scope: "Namespaced",
          },
        ],
        ...common,
      },
      {
        name: "aibuildingblocks.aihub.gemeenten.nl",
        clientConfig: clientConfig(BLOCK_PATH),
        rules: [
          {
            apiGroups: ["aihub.gemeenten.nl"],
            apiVersions: ["v1alpha1"],
            operations: ["UPDATE", "DELETE"],
            resources: ["aibuildingblocks"],
            scope: "Cluster",
          },
        ],
        ...common,
      },
    ],
  };
}
