// The block's Deployment: the image by digest, a restricted security context, parameters from
// the ConfigMap (a checksum annotation restarts pods when they change), and the logging sidecar
// as a native sidecar (an init container with restartPolicy Always: it starts before the block
// and stops after it, so no log line is lost). The sidecar is aihub-otelcol (sidecar/), with the
// configuration of logboek-config-map.ts: the block sends its records to it over OTLP on
// localhost, it queues them on its own volume and forwards them to the municipality's Logboek
// with the client certificate that only it mounts.
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import {
  DEFAULT_LOG_DIR,
  DEFAULT_PORTS,
  DEFAULT_STORAGE_DIR,
  DEFAULT_TLS_DIR,
  HEALTH_PATH,
  SIDECAR_ARGS,
  SIDECAR_CONFIG_DIR,
} from "../../../operator/src/logboek/collector-config.ts";
import type { ActivationContext } from "./activation-chart.ts";
import type { ActivationInput } from "./activation-input.ts";
import { activationLabels, metadata, PARAMETERS_CHECKSUM, selectorLabels } from "./labels.ts";
import { logboekConfigMapName, sidecarConfigChecksum } from "./logboek-config-map.ts";
import { parametersChecksum, parametersConfigMapName } from "./parameters-config-map.ts";

export const LOG_SIDECAR_NAME = "aihub-log-shipper";
const LOG_DIR = DEFAULT_LOG_DIR;
export const LOGBOEK_CHECKSUM = "aihub.gemeenten.nl/logboek-checksum";

/** What Pod Security `restricted` asks of every container. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export const EMPTY_DIR_LIMITS = { logs: "1Gi", tmp: "256Mi", queue: "1Gi" };
const SIDECAR_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };
/** About 80% of the sidecar's memory limit. */
const SIDECAR_GOMEMLIMIT = "100MiB";

export class BlockDeployment extends ApiObject {
  /** `sidecarConfig`: the logging sidecar's configuration (LogboekConfigMap), for its checksum. */
  constructor(scope: Construct, input: ActivationInput, ctx: ActivationContext, sidecarConfig: string) {
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
            annotations: {
              [PARAMETERS_CHECKSUM]: parametersChecksum(input.parameters),
              [LOGBOEK_CHECKSUM]: sidecarConfigChecksum(sidecarConfig),
            },
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            initContainers: [
              {
                name: LOG_SIDECAR_NAME,
                image: ctx.logSidecar.image,
                restartPolicy: "Always",
                args: SIDECAR_ARGS,
                // The Go runtime collects before the container's memory limit, not at it.
                env: [{ name: "GOMEMLIMIT", value: SIDECAR_GOMEMLIMIT }],
                // Ready while the collector runs (not while the Logboek answers: what it cannot
                // send yet waits in the queue on its volume, and the block keeps serving).
                startupProbe: {
                  httpGet: { path: HEALTH_PATH, port: DEFAULT_PORTS.health },
                  periodSeconds: 1,
                  failureThreshold: 30,
                },
                readinessProbe: { httpGet: { path: HEALTH_PATH, port: DEFAULT_PORTS.health }, periodSeconds: 10 },
                resources: SIDECAR_RESOURCES,
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [
                  { name: "logs", mountPath: LOG_DIR, readOnly: true },
                  { name: "logboek-config", mountPath: SIDECAR_CONFIG_DIR, readOnly: true },
                  { name: "logboek-queue", mountPath: DEFAULT_STORAGE_DIR },
                  ...(input.logboek ? [{ name: "logboek-tls", mountPath: DEFAULT_TLS_DIR, readOnly: true }] : []),
                ],
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
                  // Where the block sends its processing records: the sidecar, on this pod only, over
                  // OTLP/HTTP, which SDKs speak most widely (the sidecar's tests send OTLP/JSON to the same
                  // receiver; gRPC on 4317 is open too).
                  { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: `http://127.0.0.1:${DEFAULT_PORTS.otlpHttp}` },
                  { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" },
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
              { name: "logboek-config", configMap: { name: logboekConfigMapName(input) } },
              // The sidecar's persisted queue: survives restarts of the sidecar, not of the pod.
              { name: "logboek-queue", emptyDir: { sizeLimit: EMPTY_DIR_LIMITS.queue } },
              ...(input.logboek
                ? [{ name: "logboek-tls", secret: { secretName: input.logboek.clientCertificateSecret } }]
                : []),
            ],
          },
        },
      },
    });
  }
}
