// The block's Deployment: the image by digest, a restricted security context, parameters from
// the ConfigMap (a checksum annotation restarts pods when they change), and the logging sidecar
// as a native sidecar (an init container with restartPolicy Always: it starts before the block
// and stops after it, so no log line is lost).
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import type { ActivationContext } from "./activation-chart.ts";
import type { ActivationInput } from "./activation-input.ts";
import { activationLabels, metadata, PARAMETERS_CHECKSUM, selectorLabels } from "./labels.ts";
import { parametersChecksum, parametersConfigMapName } from "./parameters-config-map.ts";

export const LOG_SIDECAR_NAME = "aihub-log-shipper";
const LOG_DIR = "/var/log/aihub";

/** What Pod Security `restricted` asks of every container. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export const EMPTY_DIR_LIMITS = { logs: "1Gi", tmp: "256Mi" };
const SIDECAR_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

export class BlockDeployment extends ApiObject {
  constructor(scope: Construct, input: ActivationInput, ctx: ActivationContext) {
    const hitl = input.humanInTheLoop;
    super(scope, "deployment", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata(input, input.activation.name),
      spec: {
        replicas: input.activation.replicas,
        // Old ReplicaSets kept for `kubectl rollout undo`; a bound, since the tenant's quota cannot count them.
        revisionHistoryLimit: 3,
        selector: { matchLabels: selectorLabels(input) },
        template: {
          metadata: {
            labels: activationLabels(input),
            annotations: { [PARAMETERS_CHECKSUM]: parametersChecksum(input.parameters) },
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            initContainers: [
              {
                name: LOG_SIDECAR_NAME,
                image: ctx.logSidecar.image,
                restartPolicy: "Always",
                env: [
                  { name: "AIHUB_LOG_SINK", value: ctx.logSidecar.sink },
                  { name: "AIHUB_LOG_DIR", value: LOG_DIR },
                  { name: "AIHUB_TENANT", value: input.tenant },
                  { name: "AIHUB_BLOCK", value: input.block.name },
                  { name: "AIHUB_BLOCK_VERSION", value: input.version.version },
                ],
                resources: SIDECAR_RESOURCES,
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [{ name: "logs", mountPath: LOG_DIR, readOnly: true }],
              },
            ],
            containers: [
              {
                name: "block",
                image: input.version.image,
                ports: [{ name: "http", containerPort: input.block.port, protocol: "TCP" }],
                envFrom: [{ configMapRef: { name: parametersConfigMapName(input) } }],
                env: [
                  { name: "AIHUB_LOG_DIR", value: LOG_DIR },
                  { name: "AIHUB_HUMAN_REVIEW_REQUIRED", value: String(hitl?.required ?? false) },
                  ...(hitl?.reviewerGroup ? [{ name: "AIHUB_REVIEWER_GROUP", value: hitl.reviewerGroup }] : []),
                  ...(hitl?.samplePercentage !== undefined
                    ? [{ name: "AIHUB_REVIEW_SAMPLE_PERCENTAGE", value: String(hitl.samplePercentage) }]
                    : []),
                ],
                ...(input.resources.requests || input.resources.limits ? { resources: input.resources } : {}),
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [
                  { name: "logs", mountPath: LOG_DIR },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              // Bounded, so that a block writing without end is evicted rather than fill the node.
              { name: "logs", emptyDir: { sizeLimit: EMPTY_DIR_LIMITS.logs } },
              { name: "tmp", emptyDir: { sizeLimit: EMPTY_DIR_LIMITS.tmp } },
            ],
          },
        },
      },
    });
  }
}
