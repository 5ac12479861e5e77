// The block's workload, a StatefulSet: the image by digest, a restricted security context, parameters from
// the ConfigMap (a checksum annotation restarts pods when they change), and the logging sidecar
// as a native sidecar (an init container with restartPolicy Always: it starts before the block
// and stops after it, so no log line is lost). The sidecar is aihub-otelcol (sidecar/), with the
// configuration of logboek-config-map.ts: the block sends its records to it over OTLP on
// localhost, it queues them on its own volume and forwards them to the municipality's Logboek
// with the client certificate that only it mounts.
//
// A StatefulSet rather than a Deployment for one reason: the sidecar's queue. Each replica gets a
// PersistentVolumeClaim of its own (volumeClaimTemplates), which a pod that replaces it (a
// rollout, an eviction, a node drain) mounts again, so what the Logboek had not acknowledged yet
// is sent by the new pod instead of lost with the old one (ADR 14). Its choices:
// - podManagementPolicy Parallel: replicas start and stop together, as a Deployment's do, and a
//   rollback replaces a pod of a failed version that never became ready (with OrderedReady the
//   StatefulSet controller waits for it for ever, and a person must delete it);
// - claims retained when scaled down: a replica scaled away keeps its claim, and drains its queue
//   when it comes back; retained when the StatefulSet is deleted too: an activation deleted while
//   its Logboek is down keeps its records, which an activation of the same name sends once created
//   again (the claims are the platform team's to delete; they count against the tenant's quota);
// - the claim's class: the operator's --log-queue-storage-class, else the cluster's default. The
//   claim template cannot change on an existing StatefulSet, so a new class applies to new ones.
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

export const EMPTY_DIR_LIMITS = { logs: "1Gi", tmp: "256Mi" };
/** The volume claim (per replica) that holds the sidecar's sending queue; its size. */
export const QUEUE_CLAIM = "logboek-queue";
export const QUEUE_CLAIM_SIZE = "1Gi";
const SIDECAR_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };
/** About 80% of the sidecar's memory limit. */
const SIDECAR_GOMEMLIMIT = "100MiB";

export class BlockWorkload extends ApiObject {
  /** `sidecarConfig`: the logging sidecar's configuration (LogboekConfigMap), for its checksum. */
  constructor(scope: Construct, input: ActivationInput, ctx: ActivationContext, sidecarConfig: string) {
    const hitl = input.humanInTheLoop;
    const storageClass = ctx.logSidecar.queueStorageClass;
    super(scope, "workload", {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: metadata(input, input.activation.name),
      spec: {
        replicas: input.activation.replicas,
        // The activation's Service (the StatefulSet's "governing" Service; blocks need no per-pod names).
        serviceName: input.activation.name,
        podManagementPolicy: "Parallel",
        updateStrategy: { type: "RollingUpdate" },
        // Old revisions kept for `kubectl rollout undo`; a bound, since the tenant's quota cannot count them.
        revisionHistoryLimit: 3,
        selector: { matchLabels: selectorLabels(input) },
        persistentVolumeClaimRetentionPolicy: { whenScaled: "Retain", whenDeleted: "Retain" },
        volumeClaimTemplates: [
          {
            // Selector labels only: a claim template never changes once the StatefulSet exists.
            metadata: { name: QUEUE_CLAIM, labels: selectorLabels(input) },
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(storageClass ? { storageClassName: storageClass } : {}),
              resources: { requests: { storage: QUEUE_CLAIM_SIZE } },
            },
          },
        ],
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
                  { name: QUEUE_CLAIM, mountPath: DEFAULT_STORAGE_DIR },
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
                  // OTLP/HTTP with protobuf, which SDKs speak most widely. 127.0.0.1:4317 takes
                  // OTLP/gRPC for SDKs that speak only that (both tested in logging-sidecar.test.ts).
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
