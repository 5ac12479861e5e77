// The logging sidecar as a process (issue 13): aihub-otelcol, built from sidecar/builder.yaml,
// runs with the configuration operator/src/logboek/collector-config.ts renders, between a test
// block (OTLP/HTTP on localhost, and a log file) and a test Logboek (OTLP/gRPC with TLS that
// accepts only its CA's client certificates and keeps what it acknowledged). No control plane is
// needed; the file runs in the e2e project because it starts processes and takes a few minutes.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import {
  type CollectorConfigInput,
  DEFAULT_LOG_DIR,
  DEFAULT_PORTS,
  DEFAULT_STORAGE_DIR,
  DEFAULT_TLS_DIR,
  QUEUE_ITEMS,
  renderCollectorConfig,
  STREAM_ATTRIBUTE,
} from "../../operator/src/logboek/collector-config.ts";
import { type CertificateAuthority, createCertificateAuthority } from "../../operator/src/pki/certificates.ts";
import { Logboek } from "../logging-sidecar/logboek-server.ts";
import { type BlockSpan, newSpanId, traceparent, tracesJson, writeSpans } from "../logging-sidecar/otlp.ts";
import { exportGrpc } from "../logging-sidecar/otlp-protobuf.ts";
import { collectorBinary, freePort, Sidecar, validate } from "../logging-sidecar/sidecar.ts";

const N = 2000;
const BSN = "111222333"; // passes the eleven-test
const ACTIVITIES = { "intake-analyse": "VWR-2024-017", "zaak-voorstel": "VWR-2024-018" };
const RESOURCE = {
  municipalityCode: "GM0344",
  tenant: "utrecht",
  block: "bezwaar-intake",
  version: "1.4.0",
  activation: "bezwaar-intake",
};

let binary: string;
let root: string;
let ca: CertificateAuthority;
let logboekTls: { certificate: string; privateKey: string; clientCa: string };
let tlsDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  // Built once into ~/.cache/aihub/tools (make collector, which make e2e runs first); a minute or
  // more when this file builds it itself.
  binary = await collectorBinary();
  root = mkdtempSync(path.join(tmpdir(), "aihub-sidecar-"));
  ca = await createCertificateAuthority("logboek-utrecht-ca");
  const server = await ca.issue({
    commonName: "logboek.utrecht.nl",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    usage: "server",
  });
  const client = await ca.issue({ commonName: "utrecht-bezwaar-intake-sidecar", usage: "client" });
  logboekTls = { certificate: server.certificate, privateKey: server.privateKey, clientCa: ca.certificate };
  // As the operator mounts the tenant's kubernetes.io/tls Secret.
  tlsDir = path.join(root, "logboek-tls");
  mkdirSync(tlsDir);
  writeFileSync(path.join(tlsDir, "ca.crt"), ca.certificate);
  writeFileSync(path.join(tlsDir, "tls.crt"), client.certificate);
  writeFileSync(path.join(tlsDir, "tls.key"), client.privateKey, { mode: 0o600 });
}, 20 * 60_000);

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A Logboek, and a sidecar with a configuration of the renderer that sends to it. */
async function rig(
  name: string,
  edit: (config: string) => string = (c) => c,
  extra: Partial<CollectorConfigInput> = {},
) {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const logboek = new Logboek(logboekTls);
  await logboek.start();
  cleanups.push(() => logboek.stop());
  // A free port can be taken by another process between the check and the collector's bind:
  // then the collector exits at start naming the address, and it starts again on other ports.
  for (let attempt = 1; ; attempt++) {
    const ports = {
      otlpGrpc: await freePort(),
      otlpHttp: await freePort(),
      health: await freePort(),
      metrics: await freePort(),
    };
    const input: CollectorConfigInput = {
      resource: RESOURCE,
      logboek: { endpoint: logboek.endpoint, tlsDir },
      activities: ACTIVITIES,
      storageDir: path.join(dir, "storage"),
      logDir: path.join(dir, "logs"),
      ports,
      // A Logboek that takes log lines too (MunicipalTenant spec.logboek.logLines: Forward).
      forwardLogLines: true,
      ...extra,
    };
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(configPath, edit(renderCollectorConfig(input)));
    const sidecar = new Sidecar({
      binary,
      configPath,
      logFile: path.join(dir, "sidecar.log"),
      healthPort: ports.health,
      metricsPort: ports.metrics,
    });
    try {
      await sidecar.start();
    } catch (err) {
      if (attempt < 3 && String(err).includes("address already in use")) continue;
      throw err;
    }
    cleanups.push(async () => {
      await sidecar.stop();
    });
    return { dir, logboek, sidecar, input, otlpUrl: `http://127.0.0.1:${ports.otlpHttp}/v1/traces` };
  }
}

/** N spans of the block: calls from another organisation (W3C trace context), ten spans each. */
/** A maker of spans of one incoming call (one W3C trace context), each with its own name and attributes. */
function spansOfOneCall(): (name: string, attributes: Record<string, string>) => BlockSpan {
  const call = traceparent();
  return (name, attributes) => ({
    traceId: call.traceId,
    parentSpanId: call.parentSpanId,
    spanId: newSpanId(),
    name,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    attributes,
  });
}

function blockSpans(n: number): BlockSpan[] {
  const spans: BlockSpan[] = [];
  const activities = Object.keys(ACTIVITIES);
  let call = traceparent();
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) call = traceparent();
    const start = BigInt(Date.now()) * 1_000_000n + BigInt(i);
    spans.push({
      traceId: call.traceId,
      parentSpanId: call.parentSpanId,
      spanId: newSpanId(),
      name: i % 2 ? "zaak voorstellen" : "bezwaar analyseren",
      startTimeUnixNano: start,
      endTimeUnixNano: start + 2_500_000n,
      attributes: {
        "dpl.core.processing_activity_id": activities[i % activities.length] as string,
        "dpl.core.data_subject_id": `pseudo-${newSpanId()}`, // pseudonymised, as the standard asks
        "dpl.core.data_subject_id_type": "BSN",
      },
    });
  }
  return spans;
}

/**
 * Writes spans in batches, `concurrency` at a time, `pauseMs` between batches; each batch is
 * retried until the sidecar acknowledges it (as an SDK's exporter does).
 */
async function writeAll(url: string, spans: BlockSpan[], batch = 100, concurrency = 4, pauseMs = 0) {
  const batches: BlockSpan[][] = [];
  for (let i = 0; i < spans.length; i += batch) batches.push(spans.slice(i, i + batch));
  let next = 0;
  let retried = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const b = batches[next++] as BlockSpan[];
        const attempts = await writeSpans(url, b, { deadline: Date.now() + 180_000 });
        if (attempts > 1) retried++;
        if (pauseMs) await sleep(pauseMs);
      }
    }),
  );
  return { batches: batches.length, retried };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${String(last)})`);
    await sleep(200);
  }
}

/** Every sent span arrived in the records stream, once per span id, as the block wrote it and mapped. */
function expectDelivered(logboek: Logboek, sent: BlockSpan[]) {
  expect(logboek.spans.size).toBe(sent.length);
  for (const s of sent) {
    const got = logboek.spans.get(s.spanId);
    expect(got, `span ${s.spanId}`).toBeDefined();
    if (!got) continue;
    const r = got.record;
    expect(got.stream).toBe("records");
    expect(r.traceId).toBe(s.traceId);
    expect(r.parentSpanId).toBe(s.parentSpanId);
    expect(r.name).toBe(s.name);
    expect(r.startTimeUnixNano).toBe(s.startTimeUnixNano);
    expect(r.endTimeUnixNano).toBe(s.endTimeUnixNano);
    expect(r.status.code).toBe(1);
    const blockActivity = s.attributes["dpl.core.processing_activity_id"] as keyof typeof ACTIVITIES;
    expect(r.attributes).toEqual({
      "dpl.core.processing_activity_id": ACTIVITIES[blockActivity],
      "aihub.block.processing_activity_id": blockActivity,
      "dpl.core.data_subject_id": s.attributes["dpl.core.data_subject_id"],
      "dpl.core.data_subject_id_type": "BSN",
    });
    expect(r.resource).toEqual({
      "aihub.municipality.code": "GM0344",
      "aihub.tenant": "utrecht",
      "aihub.block": "bezwaar-intake",
      "aihub.block.version": "1.4.0",
      "aihub.activation": "bezwaar-intake",
      [STREAM_ATTRIBUTE]: "records",
    });
  }
}

/** Waits until the Logboek has as many spans as were sent, then checks each (expectDelivered). */
async function untilDelivered(what: string, logboek: Logboek, sent: BlockSpan[], timeoutMs: number) {
  await until(
    what,
    () => logboek.spans.size,
    (n) => n >= sent.length,
    timeoutMs,
  );
  expectDelivered(logboek, sent);
}

describe("logging sidecar (aihub-otelcol)", () => {
  test("the collector validates the rendered configurations, and refuses a broken one", async () => {
    const dir = path.join(root, "validate");
    mkdirSync(dir, { recursive: true });
    const configs: Record<string, CollectorConfigInput> = {
      "with-logboek": {
        resource: RESOURCE,
        logboek: { endpoint: "https://logboek.utrecht.nl:4317", tlsDir: DEFAULT_TLS_DIR },
        activities: ACTIVITIES,
        storageDir: DEFAULT_STORAGE_DIR,
        logDir: DEFAULT_LOG_DIR,
        ports: DEFAULT_PORTS,
        forwardLogLines: true,
      },
      "without-logboek": {
        resource: RESOURCE,
        activities: {},
        storageDir: DEFAULT_STORAGE_DIR,
        logDir: DEFAULT_LOG_DIR,
        ports: DEFAULT_PORTS,
      },
      ...exampleActivations(),
    };
    expect(Object.keys(configs).length).toBeGreaterThanOrEqual(6);
    const results = await Promise.all(
      Object.entries(configs).map(async ([name, input]) => {
        const file = path.join(dir, `${name}.yaml`);
        writeFileSync(file, renderCollectorConfig(input));
        return { name, ...(await validate(binary, file)) };
      }),
    );
    for (const r of results) expect(r, `${r.name}: ${r.output}`).toMatchObject({ ok: true });

    // validate really checks: a retry that gives up and a mapping the connector refuses.
    const good = readFileSync(path.join(dir, "with-logboek.yaml"), "utf8");
    const broken = {
      "retry-gives-up.yaml": good.replace("max_elapsed_time: 0", 'max_elapsed_time: "forever"'),
      "no-violations-pipeline.yaml": good.replace(
        /violations:\n {6}- "traces\/violations"\n {6}- "logs\/violations"/,
        'violations:\n      - "traces/logboek"',
      ),
    };
    expect(broken["no-violations-pipeline.yaml"]).not.toBe(good);
    for (const [name, text] of Object.entries(broken)) {
      writeFileSync(path.join(dir, name), text);
      const r = await validate(binary, path.join(dir, name));
      expect(r.ok, `${name} was accepted`).toBe(false);
    }
  });

  test(`a block's ${N} records reach the Logboek mapped, with trace context and resource, acknowledged`, async () => {
    const { logboek, sidecar, otlpUrl } = await rig("deliver");
    const sent = blockSpans(N);
    const started = performance.now();
    await writeAll(otlpUrl, sent);
    await until(
      "all records at the Logboek",
      () => logboek.spans.size,
      (n) => n >= N,
      30_000,
    );
    const seconds = (performance.now() - started) / 1000;
    expectDelivered(logboek, sent);
    expect(logboek.spansOf("violations")).toEqual([]);
    // Acknowledged: the sidecar's queue is empty and it counts every span as sent, none failed.
    await until(
      "queue drained",
      () => sidecar.metric("otelcol_exporter_queue_size", { exporter: "otlp_grpc/logboek", data_type: "traces" }),
      (n) => n === 0,
      10_000,
    );
    expect(await sidecar.metric("otelcol_exporter_sent_spans", { exporter: "otlp_grpc/logboek" })).toBe(N);
    expect(await sidecar.metric("otelcol_exporter_send_failed_spans")).toBe(0);
    expect(await sidecar.metric("otelcol_logboek_records", { signal: "traces", stream: "records" })).toBe(N);
    // The Logboek saw the sidecar's client certificate, and refuses a client without one.
    expect([...logboek.clients]).toEqual(["utrecht-bezwaar-intake-sidecar"]);
    expect([...logboek.streamHeaders]).toEqual(["records"]);
    await expect(noCertificateCall(logboek.port)).rejects.toThrow();
    console.log(`${N} records through the sidecar in ${seconds.toFixed(1)} s, ${logboek.spansAcked - N} duplicates`);
  });

  test("a block that sends protobuf (OTLP/HTTP, as its environment says) or OTLP/gRPC on 4317: every record arrives", async () => {
    const { logboek, otlpUrl, input } = await rig("protobuf");
    // OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: application/x-protobuf to /v1/traces.
    const overHttp = blockSpans(500);
    for (let i = 0; i < overHttp.length; i += 100)
      expect(await writeSpans(otlpUrl, overHttp.slice(i, i + 100), { encoding: "protobuf" })).toBe(1);
    // An SDK that speaks OTLP/gRPC (some languages' default) exports to 127.0.0.1:4317.
    const overGrpc = blockSpans(200);
    for (let i = 0; i < overGrpc.length; i += 100)
      expect(await exportGrpc(input.ports.otlpGrpc, overGrpc.slice(i, i + 100))).toEqual({ status: 0, message: "" });
    await untilDelivered("every protobuf and gRPC record at the Logboek", logboek, [...overHttp, ...overGrpc], 60_000);
    // The receiver really decodes protobuf: bytes that are not a request are refused.
    const garbage = await fetch(otlpUrl, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    expect(garbage.status).toBe(400);
  });

  test("the Logboek stopped for 30 s in the middle: all records arrive, none lost", async () => {
    const { logboek, sidecar, otlpUrl } = await rig("outage");
    const sent = blockSpans(N);
    // 40 batches of 50, one every 500 ms or so: the block writes on through the outage.
    const writing = writeAll(otlpUrl, sent, 50, 1, 500);
    await until(
      "some records at the Logboek",
      () => logboek.spans.size,
      (n) => n >= 200,
      30_000,
    );
    await logboek.stop();
    const stoppedAt = Date.now();
    const atStop = logboek.spans.size;
    const written = await writing; // every write acknowledged by the sidecar while the Logboek is down
    expect(written.retried).toBe(0);
    const queued = await sidecar.metric("otelcol_exporter_queue_size", {
      exporter: "otlp_grpc/logboek",
      data_type: "traces",
    });
    expect(atStop).toBeLessThan(N);
    expect(queued).toBeGreaterThan(0);
    // The health check stays 200 through the outage (a restart would not help, the queue on the
    // volume is what bridges it); the outage shows in the queue's size.
    expect((await sidecar.health()).status).toBe(200);
    await sleep(Math.max(0, 30_000 - (Date.now() - stoppedAt)));
    await logboek.start();
    await until(
      "all records after the outage",
      () => logboek.spans.size,
      (n) => n >= N,
      120_000,
    );
    expectDelivered(logboek, sent);
    console.log(
      `outage of ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s until all arrived: ${atStop} before it, ${queued} records queued, ` +
        `${logboek.spansAcked - N} duplicates`,
    );
  }, 240_000);

  test("the sidecar killed with SIGKILL in the middle and started again on its volume: none lost", async () => {
    const { logboek, sidecar, otlpUrl } = await rig("sigkill");
    const sent = blockSpans(N);
    // The Logboek holds its answers from the start: what the sidecar has is only on its volume
    // (and in exports in flight, which a held answer leaves unacknowledged).
    logboek.mode = "hold";
    const writing = writeAll(otlpUrl, sent, 50, 2, 100);
    const before = await until(
      "records queued in the sidecar",
      () => sidecar.metric("otelcol_logboek_records", { signal: "traces", stream: "records" }),
      (n) => n >= N / 2,
      30_000,
    );
    await sidecar.stop("SIGKILL");
    expect(logboek.spans.size).toBe(0);
    // Answers held for the killed sidecar's connections are lost with them: once the Logboek has
    // seen them close, releasing keeps none of those records.
    await until(
      "the killed sidecar's connections closed",
      () => logboek.connections,
      (n) => n === 0,
      10_000,
    );
    logboek.release();
    await sidecar.start(); // same configuration, same storage directory
    const written = await writing;
    await until(
      "all records after the kill",
      () => logboek.spans.size,
      (n) => n >= N,
      120_000,
    );
    expectDelivered(logboek, sent);
    console.log(
      `SIGKILL with ${before} records acknowledged to the block and none at the Logboek; ${written.retried} of ${written.batches} ` +
        `batches retried by the block; all ${N} arrived, ${logboek.spansAcked - N} duplicates`,
    );
  }, 240_000);

  test("a pod replaced while the Logboek is down: a new sidecar on the same claim, after the old one is gone, sends all, none twice", async () => {
    const { logboek, sidecar, otlpUrl, dir } = await rig("replaced");
    const sent = blockSpans(N);
    // The first records reach the Logboek; then it goes down, and the block writes on: the
    // sidecar acknowledges each write once it is queued.
    const before = sent.slice(0, 200);
    await writeAll(otlpUrl, before, 100, 2);
    await until(
      "the first records at the Logboek",
      () => logboek.spans.size,
      (n) => n >= before.length,
      30_000,
    );
    await logboek.stop();
    const written = await writeAll(otlpUrl, sent.slice(before.length), 100, 2);
    expect(written.retried).toBe(0);
    const queued = await sidecar.metric("otelcol_exporter_queue_size", {
      exporter: "otlp_grpc/logboek",
      data_type: "traces",
    });
    expect(queued).toBeGreaterThan(0);
    // The pod is replaced (a rollout, an eviction): its sidecar gets SIGTERM, with the kubelet's
    // 30 s grace before SIGKILL, and cannot send meanwhile. Its queue is on the replica's claim.
    const exit = await sidecar.stop("SIGTERM");
    const old = sidecar.process;
    expect(old?.exitCode !== null || old?.signalCode !== null, "the old sidecar is gone").toBe(true);
    // The Logboek got nothing after it went down: the rest is only in the queue on the claim.
    expect(logboek.spans.size).toBe(before.length);
    // The new pod of the same ordinal: a new sidecar process, the same configuration and the same
    // storage directory (the claim), started once the old process is gone.
    const replacement = new Sidecar({
      binary,
      configPath: path.join(dir, "config.yaml"),
      logFile: path.join(dir, "replacement.log"),
      healthPort: sidecar.opts.healthPort,
      metricsPort: sidecar.opts.metricsPort,
    });
    await replacement.start();
    cleanups.push(async () => {
      await replacement.stop();
    });
    await logboek.start();
    await untilDelivered("all records from the replacement", logboek, sent, 120_000);
    expect(logboek.spansAcked - N).toBe(0);
    console.log(
      `pod replaced with ${before.length} records at the Logboek and ${queued} queued while it was down: all ${N} arrived, ` +
        `${logboek.spansAcked - N} duplicates (exit of the old sidecar: ${exit})`,
    );
  }, 240_000);

  test("stopped with SIGTERM (a pod replaced) while the Logboek is up: it delivers what it acknowledged before it exits", async () => {
    const { logboek, sidecar, otlpUrl } = await rig("sigterm");
    const sent = blockSpans(N);
    await writeAll(otlpUrl, sent, 100, 4);
    // Right after the last acknowledgement, so records are still in its queue and batches.
    const atTerm = logboek.spans.size;
    const exitCode = await sidecar.stop("SIGTERM");
    expect(exitCode).toBe(0);
    // The process is gone: what the Logboek has now is all it will ever get from it.
    expectDelivered(logboek, sent);
    console.log(`SIGTERM with ${N - atTerm} of ${N} records not yet at the Logboek: all delivered before exit`);
  });

  test("a full queue refuses the block's writes (503, which it retries) and drops nothing", async () => {
    // A queue of 1,000 records instead of QUEUE_ITEMS, so that it fills quickly.
    const { logboek, sidecar, otlpUrl } = await rig("full-queue", (c) =>
      c.replaceAll(`queue_size: ${QUEUE_ITEMS}`, "queue_size: 1000"),
    );
    await logboek.stop();
    const sent = blockSpans(1400);
    const statuses: number[] = [];
    for (let i = 0; i < sent.length; i += 100) {
      const res = await fetch(otlpUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: tracesJson(sent.slice(i, i + 100)),
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([...Array(10).fill(200), ...Array(4).fill(503)]);
    expect(
      await sidecar.metric("otelcol_exporter_queue_size", { exporter: "otlp_grpc/logboek", data_type: "traces" }),
    ).toBe(1000);
    await logboek.start();
    // The block writes the refused ones again, as an SDK retries a 503.
    await writeAll(otlpUrl, sent.slice(1000), 100, 1);
    await until(
      "all records after the queue was full",
      () => logboek.spans.size,
      (n) => n >= sent.length,
      120_000,
    );
    expectDelivered(logboek, sent);
  }, 180_000);

  test("records of an activity declared without personal data go to no stream, counted; one naming a data subject is a violation", async () => {
    const { logboek, sidecar, otlpUrl } = await rig("no-personal-data", undefined, {
      activitiesWithoutPersonalData: ["telling"],
    });
    const span = spansOfOneCall();
    const counted = [1, 2, 3].map((i) => span(`telling ${i}`, { "dpl.core.processing_activity_id": "telling" }));
    const named = span("telling met persoon", {
      "dpl.core.processing_activity_id": "telling",
      "dpl.core.data_subject_id": "pseudo-9",
    });
    const good = span("goed", {
      "dpl.core.processing_activity_id": "intake-analyse",
      "dpl.core.data_subject_id": "p-1",
    });
    await writeSpans(otlpUrl, [counted[0], named, counted[1], good, counted[2]] as BlockSpan[]);
    // One request: once its record and its violation arrived and the three were counted, nothing
    // else of it is on its way.
    await until(
      "the record and the violation",
      () => `${logboek.spansOf("records").length}/${logboek.spansOf("violations").length}`,
      (x) => x === "1/1",
      30_000,
    );
    await until(
      "three records not logged",
      () => sidecar.metric("otelcol_logboek_not_logged", { signal: "traces", reason: "no_personal_data" }),
      (n) => n === 3,
      10_000,
    );
    expect(logboek.spansOf("records").map((r) => r.spanId)).toEqual([good.spanId]);
    const [violation] = logboek.spansOf("violations");
    expect(violation?.spanId).toBe(named.spanId);
    expect(violation?.attributes).toMatchObject({
      "aihub.logboek.violation.reason": "personal_data_in_activity_without_personal_data",
      "aihub.block.processing_activity_id": "telling",
    });
    expect(violation?.attributes["dpl.core.processing_activity_id"]).toBeUndefined();
    for (const c of counted) expect(logboek.spans.has(c.spanId)).toBe(false);
  });

  test("log lines go to no Logboek unless the tenant forwards them (logLines: Drop, the default)", async () => {
    const { dir, logboek, otlpUrl } = await rig("log-lines-dropped", undefined, { forwardLogLines: false });
    writeFileSync(path.join(dir, "logs", "block.log"), "bezwaar 42 ontvangen\n");
    // The block's SDK may export logs too: without a logs pipeline the sidecar does not take them.
    const logs = await fetch(otlpUrl.replace("/v1/traces", "/v1/logs"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "hallo" } }] }] }] }),
    });
    expect(logs.ok).toBe(false);
    const sent = blockSpans(10);
    await writeSpans(otlpUrl, sent);
    await untilDelivered("the spans at the Logboek", logboek, sent, 30_000);
    // Its configuration has no log receiver and no logs pipeline, so nothing can follow.
    expect(logboek.logs).toEqual([]);
    const config = readFileSync(path.join(dir, "config.yaml"), "utf8");
    expect(config).not.toContain("file_log");
    expect(config).not.toContain("logs/");
  });

  test("records without a processing activity id, unmapped, or with a plain BSN go to the violation stream, redacted and counted", async () => {
    const { dir, logboek, sidecar, otlpUrl } = await rig("violations");
    const span = spansOfOneCall();
    const good = [1, 2, 3].map((i) =>
      span(`goed ${i}`, {
        "dpl.core.processing_activity_id": "intake-analyse",
        "dpl.core.data_subject_id": `pseudo-${i}`,
      }),
    );
    const missing = span("zonder activiteit", { "dpl.core.data_subject_id": "pseudo-4" });
    const plainBsn = span("met bsn", {
      "dpl.core.processing_activity_id": "zaak-voorstel",
      "dpl.core.data_subject_id": BSN,
      "dpl.core.data_subject_id_type": "BSN",
      // A block cannot mark its own record as fine.
      "aihub.logboek.violation.reason": "",
    });
    const unmapped = span("onbekende activiteit", { "dpl.core.processing_activity_id": "profilering" });
    // The block even claims another tenant and the records stream: the sidecar's resource wins.
    await writeSpans(otlpUrl, [good[0], missing, good[1], plainBsn, unmapped, good[2]] as BlockSpan[], {
      resource: { "aihub.tenant": "amsterdam", [STREAM_ATTRIBUTE]: "records" },
    });
    writeFileSync(path.join(dir, "logs", "block.log"), `bezwaar 42 ontvangen\nburger ${BSN} niet gevonden\n`);

    await until(
      "3 records and 3 violations",
      () => `${logboek.spansOf("records").length}/${logboek.spansOf("violations").length}`,
      (s) => s === "3/3",
      30_000,
    );
    await until(
      "2 log lines",
      () => logboek.logs.length,
      (n) => n >= 2,
      30_000,
    );
    const records = logboek.spansOf("records");
    const violations = logboek.spansOf("violations");
    expect(records.map((r) => r.spanId).sort()).toEqual(good.map((g) => g.spanId).sort());
    const byId = new Map(violations.map((v) => [v.spanId, v]));
    expect(byId.get(missing.spanId)?.attributes["aihub.logboek.violation.reason"]).toBe(
      "missing_processing_activity_id",
    );
    expect(byId.get(unmapped.spanId)?.attributes).toMatchObject({
      "aihub.logboek.violation.reason": "unmapped_processing_activity_id",
      "aihub.block.processing_activity_id": "profilering",
    });
    expect(byId.get(unmapped.spanId)?.attributes["dpl.core.processing_activity_id"]).toBeUndefined();
    expect(byId.get(plainBsn.spanId)?.attributes).toEqual({
      "dpl.core.processing_activity_id": "VWR-2024-018",
      "aihub.block.processing_activity_id": "zaak-voorstel",
      "dpl.core.data_subject_id": "[BSN-REDACTED]",
      "dpl.core.data_subject_id_type": "BSN",
      "aihub.logboek.violation.reason": "plain_bsn",
      "aihub.logboek.violation.redacted": ["dpl.core.data_subject_id"],
    });
    for (const v of violations) {
      expect(v.resource).toMatchObject({ "aihub.tenant": "utrecht", [STREAM_ATTRIBUTE]: "violations" });
      expect(v.traceId).toBe(good[0]?.traceId);
    }
    for (const r of records)
      expect(r.resource).toMatchObject({ "aihub.tenant": "utrecht", [STREAM_ATTRIBUTE]: "records" });
    expect(logboek.logsOf("records").map((l) => l.body)).toEqual(["bezwaar 42 ontvangen"]);
    expect(logboek.logsOf("violations").map((l) => [l.body, l.attributes["aihub.logboek.violation.reason"]])).toEqual([
      ["burger [BSN-REDACTED] niet gevonden", "plain_bsn"],
    ]);
    expect([...logboek.streamHeaders].sort()).toEqual(["records", "violations"]);
    // No plain BSN reached the Logboek, in any stream.
    const everything = JSON.stringify([...logboek.spans.values(), ...logboek.logs], (_, v) =>
      typeof v === "bigint" ? String(v) : v,
    );
    expect(everything).not.toContain(BSN);

    const violationsOf = (reason: string, signal = "traces") =>
      sidecar.metric("otelcol_logboek_violations", { reason, signal });
    await until(
      "violations counted",
      () => violationsOf("plain_bsn", "logs"),
      (n) => n === 1,
      10_000,
    );
    expect({
      missing: await violationsOf("missing_processing_activity_id"),
      unmapped: await violationsOf("unmapped_processing_activity_id"),
      bsn: await violationsOf("plain_bsn"),
      bsnInLogs: await violationsOf("plain_bsn", "logs"),
    }).toEqual({ missing: 1, unmapped: 1, bsn: 1, bsnInLogs: 1 });
  });
});

/** A call to the Logboek without a client certificate (the TLS handshake must fail). */
function noCertificateCall(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.certificate });
    session.on("error", (e) => {
      session.destroy();
      reject(e);
    });
    const req = session.request({
      ":method": "POST",
      ":path": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    });
    req.on("error", (e) => {
      session.destroy();
      reject(e);
    });
    req.on("response", (h) => {
      session.close();
      reject(new Error(`answered ${h[":status"]} without a client certificate`));
    });
    req.on("close", () => resolve());
    req.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

/** A collector input per example activation, as the operator would render it (tenant, block, version, mapping). */
function exampleActivations(): Record<string, CollectorConfigInput> {
  const examples = path.resolve(import.meta.dirname, "../../examples");
  const read = (sub: string) =>
    readdirSync(path.join(examples, sub))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => parse(readFileSync(path.join(examples, sub, f), "utf8")));
  const tenants = new Map(read("tenants").map((t) => [t.metadata.name, t.spec]));
  const blocks = new Map(read("catalog").map((b) => [b.metadata.name, b.spec]));
  const out: Record<string, CollectorConfigInput> = {};
  for (const a of read("activations")) {
    const tenant = tenants.get(a.metadata.namespace);
    const block = blocks.get(a.spec.block);
    const version: string =
      a.spec.version ??
      a.spec.approvedVersion ??
      [...(block?.versions ?? [])]
        .reverse()
        .find((v: { channel?: string }) => (v.channel ?? "stable") === (a.spec.channel ?? "stable"))?.version ??
      "0.0.0";
    out[`${a.metadata.namespace}-${a.metadata.name}`] = {
      resource: {
        municipalityCode: tenant?.municipalityCode ?? "GM0000",
        tenant: a.metadata.namespace,
        block: a.spec.block,
        version,
        activation: a.metadata.name,
      },
      ...(tenant?.logboek ? { logboek: { endpoint: tenant.logboek.endpoint, tlsDir: DEFAULT_TLS_DIR } } : {}),
      activities: Object.fromEntries(
        (a.spec.processingActivities ?? []).map((m: { activity: string; registerEntry: string }) => [
          m.activity,
          m.registerEntry,
        ]),
      ),
      storageDir: DEFAULT_STORAGE_DIR,
      logDir: DEFAULT_LOG_DIR,
      ports: DEFAULT_PORTS,
    };
  }
  return out;
}
