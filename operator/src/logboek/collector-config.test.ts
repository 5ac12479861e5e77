import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { UTRECHT_COLLECTOR_INPUT } from "../../../test/support/collector-input.ts";
import {
  type CollectorConfigInput,
  collectorConfig,
  DEFAULT_PORTS,
  DEFAULT_STORAGE_DIR,
  grpcTarget,
  LOGBOEK_NOT_CONFIGURED,
  renderCollectorConfig,
  SIDECAR_ARGS,
  SIDECAR_CONFIG_PATH,
  STREAM_HEADER,
  unrenderable,
} from "./collector-config.ts";

const input: CollectorConfigInput = UTRECHT_COLLECTOR_INPUT;

// biome-ignore lint/suspicious/noExplicitAny: the rendered configuration is navigated freely
const config = (i: CollectorConfigInput = input): any => parse(renderCollectorConfig(i), { version: "1.1" });

describe("collector configuration", () => {
  test("the YAML is the object, read back as YAML 1.1 (what the collector reads)", () => {
    expect(config()).toEqual(JSON.parse(JSON.stringify(collectorConfig(input))));
    expect(SIDECAR_ARGS).toEqual([`--config=${SIDECAR_CONFIG_PATH}`]);
    expect(SIDECAR_CONFIG_PATH).toBe("/etc/aihub-otelcol/config.yaml");
  });

  test("the mapping goes to the logboekrules connector, sorted, so the same activation renders the same text", () => {
    const c = config();
    expect(c.connectors.logboekrules).toEqual({
      activities: { "intake-analyse": "VWR-2024-017", "zaak-voorstel": "VWR-2024-018" },
      records: ["traces/logboek", "logs/logboek"],
      violations: ["traces/violations", "logs/violations"],
    });
    const reordered = { ...input, activities: { "intake-analyse": "VWR-2024-017", "zaak-voorstel": "VWR-2024-018" } };
    expect(renderCollectorConfig(reordered)).toBe(renderCollectorConfig(input));
  });

  test("activities declared without personal data go to the connector as no_personal_data, only when there are any", () => {
    const c = config({ ...input, activitiesWithoutPersonalData: ["telling", "statistiek"] });
    expect(c.connectors.logboekrules.no_personal_data).toEqual(["statistiek", "telling"]);
    expect(renderCollectorConfig({ ...input, activitiesWithoutPersonalData: [] })).toBe(renderCollectorConfig(input));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${ is the refused text
    expect(() => config({ ...input, activitiesWithoutPersonalData: ["a${X}"] })).toThrow(
      /processing activity id "a\$\{X\}" contains \$\{/,
    );
  });

  test("every record passes the rules: the block's pipelines end in the connector, which feeds the exporters", () => {
    const { pipelines } = config().service;
    expect(Object.keys(pipelines).sort()).toEqual(
      ["logs/in", "logs/logboek", "logs/violations", "traces/in", "traces/logboek", "traces/violations"].sort(),
    );
    for (const signal of ["traces", "logs"]) {
      expect(pipelines[`${signal}/in`].exporters).toEqual(["logboekrules"]);
      expect(pipelines[`${signal}/in`].processors).toEqual(["memory_limiter", "resource"]);
      expect(pipelines[`${signal}/logboek`]).toEqual({ receivers: ["logboekrules"], exporters: ["otlp_grpc/logboek"] });
      expect(pipelines[`${signal}/violations`]).toEqual({
        receivers: ["logboekrules"],
        processors: ["resource/violations"],
        exporters: ["otlp_grpc/violations"],
      });
    }
    expect(pipelines["logs/in"].receivers).toEqual(["otlp", "file_log"]);
    expect(pipelines["traces/in"].receivers).toEqual(["otlp"]);
  });

  test("without forwardLogLines (logLines: Drop) only spans: no log receiver, no logs pipelines", () => {
    const c = config({ ...input, forwardLogLines: false });
    expect(Object.keys(c.service.pipelines).sort()).toEqual(["traces/in", "traces/logboek", "traces/violations"]);
    expect(Object.keys(c.receivers)).toEqual(["otlp"]);
    expect(c.connectors.logboekrules).toMatchObject({ records: ["traces/logboek"], violations: ["traces/violations"] });
    const { forwardLogLines: _, ...unset } = input;
    expect(renderCollectorConfig(unset)).toBe(renderCollectorConfig({ ...input, forwardLogLines: false }));
  });

  test("no sampling, no batch processor in front of the queue, and only localhost may write", () => {
    const c = config();
    const text = renderCollectorConfig(input);
    expect(text).not.toMatch(/sampl/i);
    expect(Object.keys(c.processors).sort()).toEqual(["memory_limiter", "resource", "resource/violations"]);
    expect(c.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: "127.0.0.1:4317" },
      http: { endpoint: "127.0.0.1:4318" },
    });
    expect(c.receivers.file_log).toMatchObject({ include: ["/var/log/aihub/**/*.log"], storage: "file_storage" });
  });

  test("both exporters: TLS with the client certificate, retry without end, a queue persisted on the volume", () => {
    const c = config();
    expect(c.extensions.file_storage).toMatchObject({ directory: DEFAULT_STORAGE_DIR, create_directory: true });
    for (const [name, stream] of [
      ["otlp_grpc/logboek", "records"],
      ["otlp_grpc/violations", "violations"],
    ]) {
      const e = c.exporters[name as string];
      expect(e.endpoint).toBe("logboek.utrecht.nl:4317");
      expect(e.tls).toMatchObject({
        ca_file: "/etc/aihub-logboek-tls/ca.crt",
        cert_file: "/etc/aihub-logboek-tls/tls.crt",
        key_file: "/etc/aihub-logboek-tls/tls.key",
      });
      expect(e.tls.insecure).toBeUndefined();
      expect(e.headers).toEqual({ [STREAM_HEADER]: stream });
      expect(e.retry_on_failure).toMatchObject({ enabled: true, max_elapsed_time: 0 });
      expect(e.sending_queue).toMatchObject({ enabled: true, storage: "file_storage", block_on_overflow: false });
    }
  });

  test("resource attributes are upserted (a block cannot set its own), and the violation stream is marked", () => {
    const c = config();
    expect(c.processors.resource.attributes).toEqual([
      { key: "aihub.municipality.code", value: "GM0344", action: "upsert" },
      { key: "aihub.tenant", value: "utrecht", action: "upsert" },
      { key: "aihub.block", value: "bezwaar-intake", action: "upsert" },
      { key: "aihub.block.version", value: "1.4.0", action: "upsert" },
      { key: "aihub.activation", value: "intake", action: "upsert" },
      { key: "aihub.logboek.stream", value: "records", action: "upsert" },
    ]);
    expect(c.processors["resource/violations"].attributes).toEqual([
      { key: "aihub.logboek.stream", value: "violations", action: "upsert" },
    ]);
  });

  test("health and metrics listen where the kubelet and Prometheus reach them", () => {
    const c = config({ ...input, ports: { otlpGrpc: 14317, otlpHttp: 14318, health: 23133, metrics: 28888 } });
    expect(c.extensions.health_check).toEqual({ endpoint: "0.0.0.0:23133", path: "/status" });
    expect(c.service.telemetry.metrics.readers).toEqual([
      { pull: { exporter: { prometheus: { host: "0.0.0.0", port: 28888 } } } },
    ]);
    expect(c.service.extensions).toEqual(["file_storage", "health_check"]);
  });

  test("without a Logboek the rules still hold and records wait in the persisted queue", () => {
    const { logboek: _, ...none } = input;
    const c = config(none);
    expect(c.connectors.logboekrules.activities).toEqual(input.activities);
    expect(c.exporters["otlp_grpc/logboek"]).toMatchObject({
      endpoint: LOGBOEK_NOT_CONFIGURED,
      tls: { insecure: true },
      sending_queue: { storage: "file_storage" },
      retry_on_failure: { max_elapsed_time: 0 },
    });
    expect(LOGBOEK_NOT_CONFIGURED).toMatch(/\.invalid:\d+$/);
  });

  test("ids stay strings, whatever YAML 1.1 would make of them", () => {
    const odd = { yes: "on", "0042": "1e3", null: "~", "2024-01-01": "true", "a: b": "# c" };
    const c = config({ ...input, activities: odd });
    expect(c.connectors.logboekrules.activities).toEqual(odd);
    for (const v of Object.values(c.connectors.logboekrules.activities)) expect(typeof v).toBe("string");
  });

  test("values the collector would expand or split are refused", () => {
    const expansion = ["$", "{env:HOME}"].join("");
    expect(unrenderable("VWR-2024-017")).toBeUndefined();
    expect(unrenderable(expansion)).toMatch(/expand/);
    expect(unrenderable("a::b")).toMatch(/separator/);
    expect(unrenderable("a\nb")).toMatch(/control/);
    expect(unrenderable("")).toMatch(/empty/);
    expect(() => renderCollectorConfig({ ...input, activities: { x: expansion } })).toThrow(/register entry of x/);
    expect(() => renderCollectorConfig({ ...input, activities: { "a::b": "y" } })).toThrow(/processing activity id/);
    expect(() => renderCollectorConfig({ ...input, resource: { ...input.resource, tenant: "a\nb" } })).toThrow(
      /tenant/,
    );
    expect(() => renderCollectorConfig({ ...input, ports: { ...DEFAULT_PORTS, health: 70000 } })).toThrow(/health/);
  });

  test("the endpoint is https://host[:port]: gRPC's host:port, 443 by default", () => {
    expect(grpcTarget("https://logboek.utrecht.nl")).toBe("logboek.utrecht.nl:443");
    expect(grpcTarget("https://logboek.utrecht.nl:4317")).toBe("logboek.utrecht.nl:4317");
    expect(grpcTarget("https://127.0.0.1:4317/")).toBe("127.0.0.1:4317");
    for (const bad of [
      "http://logboek.utrecht.nl",
      "https://logboek.utrecht.nl/v1/traces",
      "logboek:4317",
      "https://:4317",
      "https://x:99999",
    ]) {
      expect(() => grpcTarget(bad), bad).toThrow(/Logboek endpoint/);
    }
  });
});
