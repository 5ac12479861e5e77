// The configuration of the logging sidecar (aihub-otelcol, built from sidecar/builder.yaml) for
// one activation. Pure: the operator puts the YAML in the activation's ConfigMap and starts the
// sidecar with SIDECAR_ARGS.
//
// Pipelines (the block cannot change them: they are in this configuration, not the block's):
//
//   traces/in, logs/in       otlp (127.0.0.1 only), file_log (the block's log directory)
//                            -> memory_limiter -> resource (municipality, tenant, block, version,
//                            activation; stream=records) -> logboekrules
//   traces/logboek, logs/... logboekrules -> otlp_grpc/logboek           (the records)
//   traces/violations, ...   logboekrules -> resource/violations (stream=violations)
//                            -> otlp_grpc/violations                       (the violation stream)
//
// logboekrules (sidecar/logboekrules, aihub's own connector) maps the block's processing activity
// ids to the municipality's register and sends a record without one, with an unmapped one, or
// with a plain BSN (redacted) to the violation stream, counted in
// otelcol_logboek_violations_total{reason} on the metrics port. Both exporters go to the same
// Logboek with the same client certificate; the violation stream is marked by the resource
// attribute aihub.logboek.stream=violations and the header x-aihub-logboek-stream: violations.
//
// Nothing is lost on the way: each exporter's sending queue is persisted by file_storage on the
// sidecar's volume before the block's write is acknowledged, retries never give up
// (max_elapsed_time 0), batching happens after the persisted queue (in the queue, not with the
// batch processor, whose memory a SIGKILL would lose), and nothing samples.
//
// Without a Logboek (the tenant has none yet) the same pipelines enforce the same rules, and the
// exporters point at LOGBOEK_NOT_CONFIGURED, a name that never resolves: records wait in the
// persisted queue (up to QUEUE_ITEMS each) and are refused to the block when it is full.
import { stringify } from "yaml";
import { compareCodeUnits } from "../kube/order.ts";
import { BLOCK_YAML_OPTIONS, blockYaml } from "./block-yaml.ts";

export interface CollectorConfigInput {
  /** Resource attributes written on every record (aihub.*). */
  resource: { municipalityCode: string; tenant: string; block: string; version: string; activation: string };
  /** The municipality's Logboek; absent when the tenant has none. */
  logboek?: {
    /** https://host or https://host:port (443 without a port): OTLP over gRPC with TLS. */
    endpoint: string;
    /** The directory where the Secret is mounted: ca.crt (signs the Logboek), tls.crt and tls.key (the client). */
    tlsDir: string;
  };
  /** The block's processing activity id -> the id of the municipality's register entry. */
  activities: Record<string, string>;
  /** Activity ids declared without personal data (and not mapped): their records go nowhere. */
  activitiesWithoutPersonalData?: string[];
  /**
   * Whether the block's log lines (its log files, OTLP logs) go to the Logboek as OTLP logs, beside
   * the spans. Without it (the default) the sidecar has no logs pipelines: it reads no log files
   * and takes no OTLP logs, since Logboek Dataverwerkingen holds spans and one may refuse logs.
   */
  forwardLogLines?: boolean;
  /** The sidecar's volume: persisted sending queues and file offsets. */
  storageDir: string;
  /** The block's log directory (read by the file_log receiver). */
  logDir: string;
  ports: { otlpGrpc: number; otlpHttp: number; health: number; metrics: number };
}

/** Where the sidecar reads its configuration: the ConfigMap's key, mounted at SIDECAR_CONFIG_DIR. */
export const SIDECAR_CONFIG_DIR = "/etc/aihub-otelcol";
export const SIDECAR_CONFIG_KEY = "config.yaml";
export const SIDECAR_CONFIG_PATH = `${SIDECAR_CONFIG_DIR}/${SIDECAR_CONFIG_KEY}`;
/** The sidecar container's args (the image's entrypoint is aihub-otelcol). */
export const SIDECAR_ARGS = [`--config=${SIDECAR_CONFIG_PATH}`];
/** Defaults for the paths and ports of CollectorConfigInput. */
export const DEFAULT_STORAGE_DIR = "/var/lib/aihub-otelcol";
export const DEFAULT_LOG_DIR = "/var/log/aihub";
export const DEFAULT_TLS_DIR = "/etc/aihub-logboek-tls";
export const DEFAULT_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133, metrics: 8888 } as const;
/** The health check: 200 while the collector runs (not a statement about the Logboek). */
export const HEALTH_PATH = "/status";
/** Prometheus metrics of the sidecar (otelcol_logboek_violations_total, otelcol_exporter_*). */
export const METRICS_PATH = "/metrics";
/** The header and resource attribute that mark a record's stream: records or violations. */
export const STREAM_HEADER = "x-aihub-logboek-stream";
export const STREAM_ATTRIBUTE = "aihub.logboek.stream";
/** Where the exporters point without a Logboek: .invalid never resolves, so records stay queued. */
export const LOGBOEK_NOT_CONFIGURED = "logboek-not-configured.invalid:4317";
/** The most records (spans or log records) each persisted queue holds before the block's writes are refused. */
export const QUEUE_ITEMS = 500_000;

/** Resource attribute names (upserted: a block cannot set them itself). */
export const RESOURCE_ATTRIBUTES = {
  municipalityCode: "aihub.municipality.code",
  tenant: "aihub.tenant",
  block: "aihub.block",
  version: "aihub.block.version",
  activation: "aihub.activation",
} as const;

/** Why a value cannot go into the configuration, or undefined. */
export function unrenderable(value: string): string | undefined {
  if (value.length === 0) return "is empty";
  if (value.includes("${")) return "contains ${ (the collector would expand it)";
  if (value.includes("::")) return "contains :: (the collector's key separator)";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) return "contains a control character";
  return undefined;
}

function check(what: string, value: string): string {
  const problem = unrenderable(value);
  if (problem) throw new Error(`${what} ${JSON.stringify(value)} ${problem}`);
  return value;
}

/** host:port of an https:// endpoint (443 without a port). */
export function grpcTarget(endpoint: string): string {
  const m = /^https:\/\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?\/?$/i.exec(endpoint);
  if (!m) throw new Error(`Logboek endpoint ${JSON.stringify(endpoint)} is not https://host or https://host:port`);
  const port = m[3] === undefined ? 443 : Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`Logboek endpoint ${JSON.stringify(endpoint)} has port ${port}`);
  return `${m[1]}:${port}`;
}

/** The collector configuration as an object (renderCollectorConfig writes it as YAML). */
export function collectorConfig(input: CollectorConfigInput): Record<string, unknown> {
  const { resource, logboek, ports } = input;
  const signals = input.forwardLogLines ? (["traces", "logs"] as const) : (["traces"] as const);
  const activities: Record<string, string> = {};
  for (const [block, register] of Object.entries(input.activities).sort(([a], [b]) => compareCodeUnits(a, b))) {
    activities[check("processing activity id", block)] = check(`register entry of ${block}`, register);
  }
  const withoutPersonalData = [...(input.activitiesWithoutPersonalData ?? [])]
    .sort()
    .map((id) => check("processing activity id", id));
  const storageDir = check("storage directory", input.storageDir).replace(/\/+$/, "");
  const logDir = check("log directory", input.logDir).replace(/\/+$/, "");
  for (const [k, v] of Object.entries(resource)) check(`resource ${k}`, v);
  for (const [k, v] of Object.entries(ports)) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`port ${k} ${v} is not 1-65535`);
  }

  const tls = logboek
    ? {
        ca_file: `${check("TLS directory", logboek.tlsDir).replace(/\/+$/, "")}/ca.crt`,
        cert_file: `${logboek.tlsDir.replace(/\/+$/, "")}/tls.crt`,
        key_file: `${logboek.tlsDir.replace(/\/+$/, "")}/tls.key`,
        min_version: "1.2",
        // A renewed client certificate (cert-manager) is taken up without a restart.
        reload_interval: "5m",
      }
    : { insecure: true };
  const exporter = (stream: "records" | "violations") => ({
    endpoint: logboek ? grpcTarget(logboek.endpoint) : LOGBOEK_NOT_CONFIGURED,
    tls,
    headers: { [STREAM_HEADER]: stream },
    compression: "gzip",
    timeout: "10s",
    retry_on_failure: {
      enabled: true,
      initial_interval: "1s",
      max_interval: "10s", // back soon after an outage; jitter spreads the sidecars of all municipalities
      max_elapsed_time: 0, // never give up: an outage of the Logboek only delays records
      multiplier: 1.5,
    },
    sending_queue: {
      enabled: true,
      storage: "file_storage", // on disk before the block's write is acknowledged
      sizer: "items",
      queue_size: QUEUE_ITEMS,
      num_consumers: 4,
      block_on_overflow: false, // a full queue refuses the write, so the block knows
      // Batches are made from the persisted queue: a record leaves the disk once the Logboek acknowledged it.
      batch: { flush_timeout: "200ms", min_size: 512, max_size: 2048 },
    },
  });

  const pipelines: Record<string, unknown> = {};
  for (const signal of signals) {
    pipelines[`${signal}/in`] = {
      receivers: signal === "traces" ? ["otlp"] : ["otlp", "file_log"],
      processors: ["memory_limiter", "resource"],
      exporters: ["logboekrules"],
    };
    pipelines[`${signal}/logboek`] = { receivers: ["logboekrules"], exporters: ["otlp_grpc/logboek"] };
    pipelines[`${signal}/violations`] = {
      receivers: ["logboekrules"],
      processors: ["resource/violations"],
      exporters: ["otlp_grpc/violations"],
    };
  }

  return {
    extensions: {
      file_storage: {
        directory: storageDir,
        create_directory: true,
        timeout: "10s",
        compaction: { directory: storageDir, on_start: true, on_rebound: true },
      },
      // 200 while the collector runs, for the probes. A Logboek outage does not fail it: a restart
      // would not help, the persisted queue is what bridges the outage.
      health_check: { endpoint: `0.0.0.0:${ports.health}`, path: HEALTH_PATH },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `127.0.0.1:${ports.otlpGrpc}` },
          http: { endpoint: `127.0.0.1:${ports.otlpHttp}` },
        },
      },
      ...(input.forwardLogLines && {
        file_log: {
          include: [`${logDir}/**/*.log`],
          start_at: "beginning",
          include_file_path: true,
          storage: "file_storage", // offsets survive a restart: nothing skipped, little read twice
          retry_on_failure: { enabled: true, initial_interval: "1s", max_interval: "30s", max_elapsed_time: 0 },
        },
      }),
    },
    processors: {
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
      resource: {
        attributes: [
          ...Object.entries(RESOURCE_ATTRIBUTES).map(([k, key]) => ({
            key,
            value: resource[k as keyof typeof RESOURCE_ATTRIBUTES],
            action: "upsert",
          })),
          { key: STREAM_ATTRIBUTE, value: "records", action: "upsert" },
        ],
      },
      "resource/violations": { attributes: [{ key: STREAM_ATTRIBUTE, value: "violations", action: "upsert" }] },
    },
    connectors: {
      logboekrules: {
        activities,
        // Only when there are any: the configurations (and their checksums) of others stay as they were.
        ...(withoutPersonalData.length && { no_personal_data: withoutPersonalData }),
        records: signals.map((s) => `${s}/logboek`),
        violations: signals.map((s) => `${s}/violations`),
      },
    },
    exporters: { "otlp_grpc/logboek": exporter("records"), "otlp_grpc/violations": exporter("violations") },
    service: {
      extensions: ["file_storage", "health_check"],
      pipelines,
      telemetry: {
        logs: { level: "info", encoding: "json" },
        metrics: {
          level: "normal",
          readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: ports.metrics } } } }],
        },
      },
    },
  };
}

/** The collector configuration as YAML, for the activation's ConfigMap (key SIDECAR_CONFIG_KEY). */
export function renderCollectorConfig(input: CollectorConfigInput): string {
  // Strings double-quoted, keys quoted where YAML 1.1 would read them as something else: the
  // collector's YAML reader must see every id as the string it is.
  const config = collectorConfig(input);
  const yaml = blockYaml(config) ?? stringify(config, BLOCK_YAML_OPTIONS);
  return `# Rendered by the aihub operator for ${input.resource.tenant}/${input.resource.activation}; the block cannot change it.\n${yaml}`;
}
