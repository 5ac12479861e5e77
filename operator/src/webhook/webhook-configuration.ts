// The webhook configurations that point the API server at the operator, with the operator's CA
// as caBundle (ADR 12), or without one when cert-manager's cainjector keeps it. In a cluster the
// webhook is reached through a Service; for the local control plane through a URL on loopback.
import { APPROVAL_ANNOTATION } from "./approval-record.ts";
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

/** A string field of an object in CEL, or '' where it or its parent is absent. */
const celString = (obj: "object" | "oldObject", parent: string, field: string) =>
  `(has(${obj}.${parent}) && has(${obj}.${parent}.${field}) ? ${obj}.${parent}.${field} : '')`;

/** Whether an object in CEL carries the approval annotation. */
const celHasApproval = (obj: "object" | "oldObject") =>
  `(has(${obj}.metadata.annotations) && '${APPROVAL_ANNOTATION}' in ${obj}.metadata.annotations)`;

/**
 * When the approval webhook is called (matchConditions, CEL): only when its patch can be other
 * than empty (approvalPatch), that is when spec.approvedVersion or spec.declinedVersion differs
 * from the object before, or the approval annotation is added, removed or changed. A fleet's
 * creates carry none of them, and the API server then calls no webhook for them. On a create
 * there is no object before: every one of them counts as changed when it is set.
 */
export const APPROVAL_MATCH_CONDITIONS = [
  {
    name: "approval-may-change",
    expression: [
      "request.operation == 'CREATE'",
      `  ? ${celString("object", "spec", "approvedVersion")} != '' || ${celString("object", "spec", "declinedVersion")} != '' || ${celHasApproval("object")}`,
      `  : ${celString("object", "spec", "approvedVersion")} != ${celString("oldObject", "spec", "approvedVersion")}`,
      `    || ${celString("object", "spec", "declinedVersion")} != ${celString("oldObject", "spec", "declinedVersion")}`,
      `    || ${celHasApproval("object")} != ${celHasApproval("oldObject")}`,
      `    || (${celHasApproval("object")} && object.metadata.annotations['${APPROVAL_ANNOTATION}'] != oldObject.metadata.annotations['${APPROVAL_ANNOTATION}'])`,
    ].join("\n"),
  },
];

/**
 * The mutating webhook that records who approved an update (approval-record.ts): on every create
 * and update of an activation that could change the record, so that it can be neither typed nor
 * edited.
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
        matchConditions: APPROVAL_MATCH_CONDITIONS,
        // Runs again if a later mutating webhook changes the object, so the record stays true.
        reinvocationPolicy: "IfNeeded",
        ...common,
      },
    ],
  };
}
