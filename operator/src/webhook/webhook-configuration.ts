// The webhook configurations that point the API server at the operator, with the operator's CA
// as caBundle (ADR 12), or without one when cert-manager's cainjector keeps it. In a cluster the
// webhook is reached through a Service; for the local control plane through a URL on loopback.
import { ACTIVATION_PATH, APPROVAL_PATH, BLOCK_PATH } from "./webhook-server.ts";

export const WEBHOOK_CONFIGURATION = "aihub-validation";
export const MUTATING_WEBHOOK_CONFIGURATION = "aihub-approvals";

export type WebhookEndpoint = { url: string } | { service: { namespace: string; name: string; port: number } };

/** Creates and updates of BlockActivations: what both the validating and the approval webhook see. */
const ACTIVATION_WRITES = [
  {
    apiGroups: ["aihub.gemeenten.nl"],
    apiVersions: ["v1alpha1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["blockactivations"],
    scope: "Namespaced",
  },
];

/** `caBundlePem` undefined: the configuration leaves caBundle to whoever injects it (cert-manager). */
const webhookClient = (endpoint: WebhookEndpoint, caBundlePem: string | undefined) => {
  const clientConfig = (path: string) => ({
    ...(caBundlePem !== undefined && { caBundle: Buffer.from(caBundlePem).toString("base64") }),
    ...("url" in endpoint ? { url: `${endpoint.url}${path}` } : { service: { ...endpoint.service, path } }),
  });
  const common = {
    admissionReviewVersions: ["v1"],
    sideEffects: "None",
    failurePolicy: "Fail",
    matchPolicy: "Equivalent",
    timeoutSeconds: 5,
  };
  return { clientConfig, common };
};

export function renderWebhookConfiguration(endpoint: WebhookEndpoint, caBundlePem: string | undefined) {
  const { clientConfig, common } = webhookClient(endpoint, caBundlePem);
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: WEBHOOK_CONFIGURATION, labels: { "app.kubernetes.io/part-of": "aihub" } },
    webhooks: [
      {
        name: "blockactivations.aihub.gemeenten.nl",
        clientConfig: clientConfig(ACTIVATION_PATH),
        rules: ACTIVATION_WRITES,
        ...common,
      },
      {
        name: "aibuildingblocks.aihub.gemeenten.nl",
        clientConfig: clientConfig(BLOCK_PATH),
        rules: [
          {
            apiGroups: ["aihub.gemeenten.nl"],
            apiVersions: ["v1alpha1"],
            operations: ["CREATE", "UPDATE", "DELETE"],
            resources: ["aibuildingblocks"],
            scope: "Cluster",
          },
        ],
        ...common,
      },
    ],
  };
}

/**
 * The mutating webhook that records who approved an update (approval-record.ts): on every create
 * and update of an activation, so that the record can be neither typed nor edited.
 */
export function renderApprovalWebhookConfiguration(endpoint: WebhookEndpoint, caBundlePem: string | undefined) {
  const { clientConfig, common } = webhookClient(endpoint, caBundlePem);
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name: MUTATING_WEBHOOK_CONFIGURATION, labels: { "app.kubernetes.io/part-of": "aihub" } },
    webhooks: [
      {
        name: "approvals.blockactivations.aihub.gemeenten.nl",
        clientConfig: clientConfig(APPROVAL_PATH),
        rules: ACTIVATION_WRITES,
        // Runs again if a later mutating webhook changes the object, so the record stays true.
        reinvocationPolicy: "IfNeeded",
        ...common,
      },
    ],
  };
}
