// The operator's configuration: flags override environment variables; both are validated by
// one zod schema, and a bad value is answered with the flag, the variable, the value and what
// would be accepted.
import { hostname } from "node:os";
import { z } from "zod";
import { DEFAULT_SIDECAR_IMAGE } from "./logboek/sidecar-image.ts";
import {
  configError,
  type FlagSource,
  hostPort as hostPortOf,
  wholeNumber as int,
  readSettings,
  usageText,
} from "./runtime/flags.ts";

const hostPort = hostPortOf("0.0.0.0:8080");

const bool = z.enum(["true", "false"], { error: 'expected "true" or "false"' }).transform((v) => v === "true");

export const configSchema = z.object({
  kubeconfig: z.string().optional(),
  metricsBindAddress: hostPort.default("0.0.0.0:8443"),
  metricsSecure: bool.default(true),
  healthProbeBindAddress: hostPort.default("0.0.0.0:8081"),
  leaderElect: bool.default(false),
  leaderElectionNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a namespace name")
    .default("aihub-system"),
  leaderElectionId: z.string().min(1).default("aihub-operator"),
  identity: z.string().min(1).default(`${hostname()}-${process.pid}`),
  workers: int(1, 64).default(4),
  apiConnections: int(1, 256).default(16),
  resyncPeriodSeconds: int(10, 86_400).default(600),
  firstStatusHoldSeconds: int(0, 600).default(5),
  busyFirstStatusHoldSeconds: int(0, 600).default(180),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error"]).default("info"),
  loggingNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a namespace name")
    .default("aihub-logging"),
  loggingPort: int(1, 65535).default(24224),
  allowedRegistries: z
    .string()
    .regex(
      /^[a-z0-9.-]+(:[0-9]+)?(,[a-z0-9.-]+(:[0-9]+)?)*$/,
      "expected registry hosts separated by commas, for example registry.gemeenten.nl,harbor.example.eu",
    )
    .default("registry.gemeenten.nl")
    .transform((v) => v.split(",")),
  logSidecarImage: z
    .string()
    .regex(/@sha256:[a-f0-9]{64}$/, "expected an image pinned by digest (…@sha256:<64 hex>)")
    .default(DEFAULT_SIDECAR_IMAGE),
  logQueueStorageClass: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "expected a StorageClass name, for example standard-rwo")
    .optional(),
  gatewayNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a namespace name")
    .default("aihub-gateway"),
  memoryReduceThresholdMb: int(0, 4096).default(16),
  webhookBindAddress: hostPort.default("0.0.0.0:9443"),
  webhookService: z
    .string()
    .regex(
      /^[a-z0-9-]+\/[a-z0-9-]+:[0-9]+$/,
      "expected namespace/name:port of the operator's Service, for example aihub-system/aihub-webhook:443",
    )
    .optional(),
  webhookCertificateSecret: z
    .string()
    .regex(
      /^[a-z0-9-]+\/[a-z0-9.-]+$/,
      "expected namespace/name of a Secret, for example aihub-system/aihub-webhook-tls",
    )
    .optional(),
  webhookCertificates: z
    .enum(["operator", "cert-manager"], { error: 'expected "operator" or "cert-manager"' })
    .default("operator"),
  webhookCertificateCheckSeconds: int(1, 86_400).default(600),
  webhookUrl: z
    .string()
    .regex(/^https:\/\/[^/]+$/, "expected https://host:port without a path")
    .optional(),
  podSecurityVersion: z
    .string()
    .regex(/^(latest|v1\.[0-9]+)$/, 'expected "latest" or a version such as v1.35')
    .default("v1.35"),
});

export type OperatorConfig = z.output<typeof configSchema>;

/** Each setting: its flag, its environment variable and what it is for (`--help`). */
const SOURCES: Record<keyof OperatorConfig, FlagSource> = {
  kubeconfig: { flag: "kubeconfig", env: "KUBECONFIG", help: "kubeconfig file; in a pod, the ServiceAccount" },
  metricsBindAddress: {
    flag: "metrics-bind-address",
    env: "AIHUB_METRICS_BIND_ADDRESS",
    help: "where /metrics is served (Prometheus)",
  },
  metricsSecure: {
    flag: "metrics-secure",
    env: "AIHUB_METRICS_SECURE",
    help: "serve /metrics over HTTPS to callers allowed to get /metrics (TokenReview, SubjectAccessReview); false serves plain HTTP, on a loopback address only",
  },
  healthProbeBindAddress: {
    flag: "health-probe-bind-address",
    env: "AIHUB_HEALTH_PROBE_BIND_ADDRESS",
    help: "where /healthz and /readyz are served",
  },
  leaderElect: { flag: "leader-elect", env: "AIHUB_LEADER_ELECT", help: "true to run several replicas, one leading" },
  leaderElectionNamespace: {
    flag: "leader-election-namespace",
    env: "AIHUB_LEADER_ELECTION_NAMESPACE",
    help: "namespace of the leader election Lease",
  },
  leaderElectionId: {
    flag: "leader-election-id",
    env: "AIHUB_LEADER_ELECTION_ID",
    help: "name of the leader election Lease",
  },
  identity: { flag: "identity", env: "AIHUB_IDENTITY", help: "this replica's name in the Lease and in Events" },
  workers: { flag: "workers", env: "AIHUB_WORKERS", help: "concurrent reconciles per controller (1-64)" },
  apiConnections: {
    flag: "api-connections",
    env: "AIHUB_API_CONNECTIONS",
    help: "requests to the API server in flight at once, on one HTTP/2 connection (watches on a second); more wait their turn. Where the server offers no HTTP/2 (a proxy in between), as many HTTP/1.1 connections, each holding about 85 kB of TLS buffers",
  },
  resyncPeriodSeconds: {
    flag: "resync-period-seconds",
    env: "AIHUB_RESYNC_PERIOD_SECONDS",
    help: "how often every object is reconciled even when nothing changed (those reconciled in the last half period are skipped)",
  },
  firstStatusHoldSeconds: {
    flag: "first-status-hold-seconds",
    env: "AIHUB_FIRST_STATUS_HOLD_SECONDS",
    help: "how long a new activation's first status may wait for its StatefulSet to be available, and a new tenant's for its quota to be counted, so that one write says Ready instead of two (rolling out or waiting, then Ready); 0 writes it at once",
  },
  busyFirstStatusHoldSeconds: {
    flag: "busy-first-status-hold-seconds",
    env: "AIHUB_BUSY_FIRST_STATUS_HOLD_SECONDS",
    help: "the same for an activation or tenant first held while as many others wait in its controller's queue as there are workers (a fleet-wide install); at least --first-status-hold-seconds",
  },
  logLevel: { flag: "log-level", env: "AIHUB_LOG_LEVEL", help: "trace, debug, info, warn or error" },
  loggingNamespace: {
    flag: "logging-namespace",
    env: "AIHUB_LOGGING_NAMESPACE",
    help: "namespace of the central log collector that tenants may reach",
  },
  loggingPort: { flag: "logging-port", env: "AIHUB_LOGGING_PORT", help: "port of the central log collector" },
  podSecurityVersion: {
    flag: "pod-security-version",
    env: "AIHUB_POD_SECURITY_VERSION",
    help: "Pod Security Admission version enforced in tenant namespaces",
  },
  allowedRegistries: {
    flag: "allowed-registries",
    env: "AIHUB_ALLOWED_REGISTRIES",
    help: "registries that block images may come from, comma-separated",
  },
  logSidecarImage: {
    flag: "log-sidecar-image",
    env: "AIHUB_LOG_SIDECAR_IMAGE",
    help: "image of the logging sidecar by digest; default: the one make sidecar-image builds from sidecar/",
  },
  logQueueStorageClass: {
    flag: "log-queue-storage-class",
    env: "AIHUB_LOG_QUEUE_STORAGE_CLASS",
    help: "StorageClass of the logging sidecar's queue volume (1 GiB per replica); unset: the cluster's default class",
  },
  gatewayNamespace: {
    flag: "gateway-namespace",
    env: "AIHUB_GATEWAY_NAMESPACE",
    help: "namespace of the ingress gateway that may reach blocks",
  },
  memoryReduceThresholdMb: {
    flag: "memory-reduce-threshold-mb",
    env: "AIHUB_MEMORY_REDUCE_THRESHOLD_MB",
    help: "give the pages of a shrunken heap back to the system (a memory-reducing garbage collection, at most every 10 s) once the resident memory has grown by this many MB since the last one; needs node --expose-gc, as in the image; 0: never",
  },
  webhookBindAddress: {
    flag: "webhook-bind-address",
    env: "AIHUB_WEBHOOK_BIND_ADDRESS",
    help: "where the admission webhook listens (HTTPS)",
  },
  webhookService: {
    flag: "webhook-service",
    env: "AIHUB_WEBHOOK_SERVICE",
    help: "namespace/name:port of the Service the API server calls the webhook through",
  },
  webhookCertificateSecret: {
    flag: "webhook-certificate-secret",
    env: "AIHUB_WEBHOOK_CERTIFICATE_SECRET",
    help: "namespace/name of the Secret in which the replicas share the webhook's CA and serving certificate (created and renewed by the operator); with --webhook-service it defaults to <namespace>/<name>-tls, with --webhook-url a CA in memory is used",
  },
  webhookCertificates: {
    flag: "webhook-certificates",
    env: "AIHUB_WEBHOOK_CERTIFICATES",
    help: "who makes the certificates in that Secret: operator, or cert-manager (a Certificate writes the Secret, its cainjector keeps the caBundle; the operator only reads)",
  },
  webhookCertificateCheckSeconds: {
    flag: "webhook-certificate-check-seconds",
    env: "AIHUB_WEBHOOK_CERTIFICATE_CHECK_SECONDS",
    help: "how often a replica reads the shared Secret, renews a serving certificate within 30 days of its end and takes up one renewed by another replica",
  },
  webhookUrl: {
    flag: "webhook-url",
    env: "AIHUB_WEBHOOK_URL",
    help: "URL the API server calls the webhook at, instead of a Service (local control plane)",
  },
};

export { ConfigError, wantsHelp } from "./runtime/flags.ts";

/** What `--help` prints: every flag, its variable, its default and what it is for. */
export function usage(): string {
  const defaults = configSchema.safeParse({});
  const shown = (key: string) => {
    if (key === "identity") return "<host>-<pid>";
    const v = defaults.success ? (defaults.data as Record<string, unknown>)[key] : undefined;
    return v === undefined ? "" : Array.isArray(v) ? v.join(",") : String(v);
  };
  return usageText(
    SOURCES,
    [
      "aihub operator: reconciles MunicipalTenants, AIBuildingBlocks, BlockActivations and fleet rollouts,",
      "and serves the admission webhooks. A flag wins over its environment variable.",
      "",
      "Usage: node dist/operator.mjs [--flag=value ...]",
    ],
    shown,
  );
}

/** Reads flags (`--workers=8` or `--workers 8`) and environment; throws ConfigError naming every bad setting. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): OperatorConfig {
  const raw = readSettings(SOURCES, argv, env);
  const result = configSchema.safeParse(raw);
  const issues = result.success ? crossFieldIssues(result.data) : result.error.issues;
  if (result.success && issues.length === 0) return result.data;
  throw configError(SOURCES, issues, raw);
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Rules between settings: metrics without authentication only where nobody else can reach them;
 * certificates by cert-manager only where there is a Secret for it to write.
 */
function crossFieldIssues(c: OperatorConfig): { path: (keyof OperatorConfig)[]; message: string }[] {
  const issues: { path: (keyof OperatorConfig)[]; message: string }[] = [];
  if (!c.metricsSecure && !LOOPBACK.has(splitHostPort(c.metricsBindAddress).host))
    issues.push({
      path: ["metricsSecure"],
      message:
        `plain HTTP metrics are served on a loopback address only (127.0.0.1:<port>), not on ${c.metricsBindAddress}; ` +
        "leave --metrics-secure at true to serve them over HTTPS to callers allowed to get /metrics",
    });
  if (c.webhookCertificates === "cert-manager" && !c.webhookService && !c.webhookCertificateSecret)
    issues.push({
      path: ["webhookCertificates"],
      message:
        "cert-manager writes the certificate into a Secret the operator reads: set --webhook-service " +
        "(the Secret is then <namespace>/<name>-tls) or --webhook-certificate-secret",
    });
  return issues;
}

/** Splits host:port for listen(); an empty host means every interface. */
export function splitHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(":");
  const host = value.slice(0, i).replace(/^\[|\]$/g, "");
  return { host: host || "0.0.0.0", port: Number(value.slice(i + 1)) };
}
