// The operator's configuration: flags override environment variables; both are validated by
// one zod schema, and a bad value is answered with the flag, the variable, the value and what
// would be accepted.
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]*):[0-9]{1,5}$/, "expected host:port, for example 0.0.0.0:8080 or :8080");

const bool = z.enum(["true", "false"], { error: 'expected "true" or "false"' }).transform((v) => v === "true");

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

export const configSchema = z.object({
  kubeconfig: z.string().optional(),
  metricsBindAddress: hostPort.default("0.0.0.0:8080"),
  healthProbeBindAddress: hostPort.default("0.0.0.0:8081"),
  leaderElect: bool.default(false),
  leaderElectionNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a namespace name")
    .default("aihub-system"),
  leaderElectionId: z.string().min(1).default("aihub-operator"),
  identity: z.string().min(1).default(`${hostname()}-${process.pid}`),
  workers: int(1, 64).default(4),
  resyncPeriodSeconds: int(10, 86_400).default(600),
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
    .default(`registry.gemeenten.nl/aihub/log-shipper@sha256:${"0".repeat(63)}1`),
  logSinkService: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a Service name")
    .default("log-collector"),
  gatewayNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a namespace name")
    .default("aihub-gateway"),
  webhookBindAddress: hostPort.default("0.0.0.0:9443"),
  webhookService: z
    .string()
    .regex(
      /^[a-z0-9-]+\/[a-z0-9-]+:[0-9]+$/,
      "expected namespace/name:port of the operator's Service, for example aihub-system/aihub-webhook:443",
    )
    .optional(),
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

/** Each setting: its flag and its environment variable. */
const SOURCES: Record<keyof OperatorConfig, { flag: string; env: string }> = {
  kubeconfig: { flag: "kubeconfig", env: "KUBECONFIG" },
  metricsBindAddress: { flag: "metrics-bind-address", env: "AIHUB_METRICS_BIND_ADDRESS" },
  healthProbeBindAddress: { flag: "health-probe-bind-address", env: "AIHUB_HEALTH_PROBE_BIND_ADDRESS" },
  leaderElect: { flag: "leader-elect", env: "AIHUB_LEADER_ELECT" },
  leaderElectionNamespace: { flag: "leader-election-namespace", env: "AIHUB_LEADER_ELECTION_NAMESPACE" },
  leaderElectionId: { flag: "leader-election-id", env: "AIHUB_LEADER_ELECTION_ID" },
  identity: { flag: "identity", env: "AIHUB_IDENTITY" },
  workers: { flag: "workers", env: "AIHUB_WORKERS" },
  resyncPeriodSeconds: { flag: "resync-period-seconds", env: "AIHUB_RESYNC_PERIOD_SECONDS" },
  logLevel: { flag: "log-level", env: "AIHUB_LOG_LEVEL" },
  loggingNamespace: { flag: "logging-namespace", env: "AIHUB_LOGGING_NAMESPACE" },
  loggingPort: { flag: "logging-port", env: "AIHUB_LOGGING_PORT" },
  podSecurityVersion: { flag: "pod-security-version", env: "AIHUB_POD_SECURITY_VERSION" },
  allowedRegistries: { flag: "allowed-registries", env: "AIHUB_ALLOWED_REGISTRIES" },
  logSidecarImage: { flag: "log-sidecar-image", env: "AIHUB_LOG_SIDECAR_IMAGE" },
  logSinkService: { flag: "log-sink-service", env: "AIHUB_LOG_SINK_SERVICE" },
  gatewayNamespace: { flag: "gateway-namespace", env: "AIHUB_GATEWAY_NAMESPACE" },
  webhookBindAddress: { flag: "webhook-bind-address", env: "AIHUB_WEBHOOK_BIND_ADDRESS" },
  webhookService: { flag: "webhook-service", env: "AIHUB_WEBHOOK_SERVICE" },
  webhookUrl: { flag: "webhook-url", env: "AIHUB_WEBHOOK_URL" },
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads flags (`--workers=8` or `--workers 8`) and environment; throws ConfigError naming every bad setting. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): OperatorConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.values(SOURCES).map((s) => [s.flag, { type: "string" as const }])),
    strict: true,
    allowPositionals: false,
  });
  const raw: Record<string, string | undefined> = {};
  for (const [key, s] of Object.entries(SOURCES)) {
    const value = (values as Record<string, string | undefined>)[s.flag] ?? env[s.env];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = String(issue.path[0]) as keyof OperatorConfig;
    const s = SOURCES[key];
    return `--${s.flag} (${s.env}): ${issue.message}, got ${JSON.stringify(raw[key])}`;
  });
  throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
}

/** Splits host:port for listen(); an empty host means every interface. */
export function splitHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(":");
  const host = value.slice(0, i).replace(/^\[|\]$/g, "");
  return { host: host || "0.0.0.0", port: Number(value.slice(i + 1)) };
}
