// make bench-logging: how many records per second one logging sidecar (aihub-otelcol, with the
// configuration operator/src/logboek/collector-config.ts renders) forwards at its CPU limit
// without losing any, its memory at that rate, and the latency from the block's write to the
// Logboek's acknowledgement. The block (OTLP/JSON over HTTP, as an SDK writes) and the Logboek
// (OTLP/gRPC with TLS and client certificates, test/logging-sidecar/logboek-server.ts) run in
// this process; the sidecar runs in a CPU cgroup with the quota of BENCH_CPU (cgroup v2 cpu.max
// or v1 cpu.cfs_quota_us). Without a cgroup it runs with GOMAXPROCS=1 on one core (taskset),
// which is a full core and not the limit, and says so.
//
// Steps at rising rates (open loop: writes are sent on schedule, not after the previous one
// returns); a step "kept up" when every record written in it was acknowledged by the sidecar
// on the first attempt and reached the Logboek within BENCH_DRAIN after the step. Stops after
// the first step that did not keep up. Prints the machine, the flags, a table, and writes JSON.
//
//   BENCH_CPU=200m                          the sidecar's CPU limit
//   BENCH_RATES=1000,2000,4000,6000,8000,10000,12000,16000   records/s per step
//   BENCH_SECONDS=20                        length of each step
//   BENCH_BATCH=50                          records per write of the block
//   BENCH_DRAIN=1s                          how long after a step its records may take to arrive (a
//                                           backlog that grows during the step takes longer)
//   BENCH_OUT=bench/results                 where the JSON and the sidecar's log go
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, release, tmpdir } from "node:os";
import path from "node:path";
import { durationMs } from "../operator/src/api/duration.ts";
import { DEFAULT_PORTS, renderCollectorConfig } from "../operator/src/logboek/collector-config.ts";
import { createCertificateAuthority } from "../operator/src/pki/certificates.ts";
import { Logboek } from "../test/logging-sidecar/logboek-server.ts";
import { type BlockSpan, newSpanId, traceparent, writeSpans } from "../test/logging-sidecar/otlp.ts";
import { collectorBinary, freePort, Sidecar } from "../test/logging-sidecar/sidecar.ts";
import { answerHelp } from "./help.ts";
import { cpuSeconds, machine, machineLine, peakRssMb, rssMb } from "./process-stats.ts";

answerHelp(import.meta.url);

const env = (name: string, fallback: string) => process.env[name] || fallback;
const flags = {
  BENCH_CPU: env("BENCH_CPU", "200m"),
  BENCH_RATES: env("BENCH_RATES", "1000,2000,4000,6000,8000,10000,12000,16000"),
  BENCH_SECONDS: Number(env("BENCH_SECONDS", "20")),
  BENCH_BATCH: Number(env("BENCH_BATCH", "50")),
  BENCH_DRAIN: env("BENCH_DRAIN", "1s"),
  BENCH_OUT: env("BENCH_OUT", "bench/results"),
};
const millicores = /^(\d+)m$/.test(flags.BENCH_CPU)
  ? Number(flags.BENCH_CPU.slice(0, -1))
  : Number(flags.BENCH_CPU) * 1000;
if (!(millicores > 0)) throw new Error(`BENCH_CPU ${flags.BENCH_CPU}: expected millicores (200m) or cores (0.2)`);
const rates = flags.BENCH_RATES.split(",").map(Number);
const drainMs = durationMs(flags.BENCH_DRAIN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ACTIVITIES = { "intake-analyse": "VWR-2024-017", "zaak-voorstel": "VWR-2024-018" };

// --- the CPU limit ---------------------------------------------------------------------------

interface CpuLimit {
  how: string;
  wrap: string[];
  env: Record<string, string>;
  /** Periods throttled and time throttled (ms) so far, when the cgroup tells. */
  throttled(): { periods: number; ms: number } | undefined;
  remove(): void;
}

function cpuLimit(): CpuLimit {
  const name = `aihub-bench-logging-${process.pid}`;
  const period = 100_000;
  const quota = Math.round((millicores / 1000) * period);
  const enter = (dir: string) => ["sh", "-c", `echo $$ > ${dir}/cgroup.procs && exec "$0" "$@"`];
  const v2 = "/sys/fs/cgroup";
  try {
    if (existsSync(`${v2}/cgroup.controllers`) && readFileSync(`${v2}/cgroup.controllers`, "utf8").includes("cpu")) {
      const dir = `${v2}/${name}`;
      mkdirSync(dir);
      writeFileSync(`${dir}/cpu.max`, `${quota} ${period}`);
      return {
        how: `cgroup v2 ${dir}: cpu.max "${quota} ${period}"`,
        wrap: enter(dir),
        env: {},
        throttled: () => {
          const s = readFileSync(`${dir}/cpu.stat`, "utf8");
          return {
            periods: Number(/nr_throttled (\d+)/.exec(s)?.[1] ?? 0),
            ms: Number(/throttled_usec (\d+)/.exec(s)?.[1] ?? 0) / 1000,
          };
        },
        remove: () => rmdirSync(dir),
      };
    }
  } catch {
    // no cgroup v2 with the cpu controller here
  }
  try {
    const dir = `/sys/fs/cgroup/cpu/${name}`;
    mkdirSync(dir);
    writeFileSync(`${dir}/cpu.cfs_period_us`, String(period));
    writeFileSync(`${dir}/cpu.cfs_quota_us`, String(quota));
    return {
      how: `cgroup v1 ${dir}: cpu.cfs_quota_us ${quota} per cpu.cfs_period_us ${period}`,
      wrap: enter(dir),
      env: {},
      throttled: () => {
        const s = readFileSync(`${dir}/cpu.stat`, "utf8");
        return {
          periods: Number(/nr_throttled (\d+)/.exec(s)?.[1] ?? 0),
          ms: Number(/throttled_time (\d+)/.exec(s)?.[1] ?? 0) / 1e6,
        };
      },
      remove: () => rmdirSync(dir),
    };
  } catch {
    // no writable cgroup v1 cpu hierarchy either
  }
  return {
    how: `NO CPU QUOTA (no writable cgroup): GOMAXPROCS=1 on core 0 (taskset), which is a full core, not ${flags.BENCH_CPU}`,
    wrap: ["taskset", "-c", "0"],
    env: { GOMAXPROCS: "1" },
    throttled: () => undefined,
    remove: () => {},
  };
}

// --- a step ------------------------------------------------------------------------------------

interface Step {
  target: number;
  offered: number;
  written: number;
  retriedWrites: number;
  arrived: number;
  lost: number;
  keptUp: boolean;
  drainMs: number;
  latencyMs: { p50: number; p99: number; max: number };
  sidecarCpuCores: number;
  rssMb: number;
  peakRssMb: number;
  queueAtEnd: number;
  throttledPeriods?: number;
  throttledMs?: number;
  /** The machine's 1-minute load average at the step's end: other work competes for the 2 cores. */
  load1m: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) : Number.NaN;

async function main() {
  const m = machine();
  const started = new Date();
  const outDir = flags.BENCH_OUT;
  mkdirSync(outDir, { recursive: true });
  const stamp = started.toISOString().slice(0, 19).replace(/:/g, "");
  const binary = await collectorBinary();
  const dir = mkdtempSync(path.join(tmpdir(), "aihub-bench-logging-"));

  const ca = await createCertificateAuthority("bench-logboek-ca");
  const server = await ca.issue({ commonName: "logboek", ipAddresses: ["127.0.0.1"], usage: "server" });
  const client = await ca.issue({ commonName: "bench-sidecar", usage: "client" });
  const tlsDir = path.join(dir, "tls");
  mkdirSync(tlsDir);
  writeFileSync(path.join(tlsDir, "ca.crt"), ca.certificate);
  writeFileSync(path.join(tlsDir, "tls.crt"), client.certificate);
  writeFileSync(path.join(tlsDir, "tls.key"), client.privateKey);
  const logboek = new Logboek({
    certificate: server.certificate,
    privateKey: server.privateKey,
    clientCa: ca.certificate,
  });
  await logboek.start();

  const ports = {
    otlpGrpc: await freePort(),
    otlpHttp: await freePort(),
    health: await freePort(),
    metrics: await freePort(),
  };
  const configPath = path.join(dir, "config.yaml");
  writeFileSync(
    configPath,
    renderCollectorConfig({
      resource: {
        municipalityCode: "GM0344",
        tenant: "utrecht",
        block: "bench",
        version: "1.0.0",
        activation: "bench",
      },
      logboek: { endpoint: logboek.endpoint, tlsDir },
      activities: ACTIVITIES,
      storageDir: path.join(dir, "storage"),
      logDir: path.join(dir, "logs"),
      ports,
    }),
  );
  const limit = cpuLimit();
  const logFile = path.join(outDir, `logging-${stamp}-sidecar.log`);
  const sidecar = new Sidecar({
    binary,
    configPath,
    logFile,
    healthPort: ports.health,
    metricsPort: ports.metrics,
    wrap: limit.wrap,
    env: limit.env,
  });

  console.log(
    `machine: ${machineLine(m)}; kernel ${release()}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; storage ${dir}`,
  );
  console.log(`sidecar: ${binary}`);
  console.log(`CPU limit: ${limit.how}`);
  console.log(
    `flags: ${Object.entries(flags)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}; exporter batches of 512-2048 after the persisted queue (flush 200ms), 4 consumers, fsync off`,
  );
  console.log(`default ports in a pod: ${JSON.stringify(DEFAULT_PORTS)}; here: ${JSON.stringify(ports)}`);

  const steps: Step[] = [];
  const writeAt = new Map<string, number>();
  const latencies: number[] = [];
  let stepSpans = new Set<string>();
  logboek.onSpans = (spans, _stream, ackedAt) => {
    for (const s of spans) {
      const at = writeAt.get(s.spanId);
      if (at !== undefined && stepSpans.has(s.spanId)) {
        latencies.push(ackedAt - at);
        writeAt.delete(s.spanId);
      }
    }
  };

  try {
    await sidecar.start();
    const pid = sidecar.pid as number;
    const url = `http://127.0.0.1:${ports.otlpHttp}/v1/traces`;
    for (const target of rates) {
      stepSpans = new Set();
      latencies.length = 0;
      const arrivedBefore = logboek.spans.size;
      const cpuBefore = cpuSeconds(pid);
      const throttledBefore = limit.throttled();
      const batch = flags.BENCH_BATCH;
      const writes = Math.max(1, Math.round((target * flags.BENCH_SECONDS) / batch));
      const interval = (1000 * batch) / target;
      const t0 = performance.now();
      let retriedWrites = 0;
      const inflight = new Set<Promise<void>>();
      for (let w = 0; w < writes; w++) {
        const due = t0 + w * interval;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const call = traceparent();
        const spans: BlockSpan[] = [];
        const now = BigInt(Date.now()) * 1_000_000n;
        for (let i = 0; i < batch; i++) {
          const spanId = newSpanId();
          spans.push({
            traceId: call.traceId,
            parentSpanId: call.parentSpanId,
            spanId,
            name: "bezwaar analyseren",
            startTimeUnixNano: now,
            endTimeUnixNano: now + 1_000_000n,
            attributes: {
              "dpl.core.processing_activity_id": i % 2 ? "intake-analyse" : "zaak-voorstel",
              "dpl.core.data_subject_id": `pseudo-${newSpanId()}${newSpanId()}`,
              "dpl.core.data_subject_id_type": "BSN",
            },
          });
          stepSpans.add(spanId);
        }
        const at = performance.now();
        for (const s of spans) writeAt.set(s.spanId, at);
        const p = writeSpans(url, spans, { deadline: Date.now() + 120_000 }).then((attempts) => {
          if (attempts > 1) retriedWrites++;
        });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await Promise.all(inflight);
      const sendEnd = performance.now();
      const offered = (stepSpans.size * 1000) / (sendEnd - t0);
      const rssAtEnd = rssMb(pid);
      const queueAtEnd = await sidecar.metric("otelcol_exporter_queue_size", {
        exporter: "otlp_grpc/logboek",
        data_type: "traces",
      });
      // Wait for the step's records: within BENCH_DRAIN it kept up; afterwards only for the next step.
      const want = arrivedBefore + stepSpans.size;
      while (logboek.spans.size < want && performance.now() - sendEnd < Math.max(drainMs, 120_000)) await sleep(20);
      const drained = performance.now() - sendEnd;
      const arrived = logboek.spans.size - arrivedBefore;
      const cpu = cpuSeconds(pid) - cpuBefore;
      const throttledAfter = limit.throttled();
      latencies.sort((a, b) => a - b);
      const step: Step = {
        target,
        offered: Math.round(offered),
        written: stepSpans.size,
        retriedWrites,
        arrived,
        lost: stepSpans.size - arrived,
        keptUp: retriedWrites === 0 && arrived === stepSpans.size && drained <= drainMs && offered >= 0.95 * target,
        drainMs: Math.round(drained),
        latencyMs: {
          p50: Math.round(percentile(latencies, 50)),
          p99: Math.round(percentile(latencies, 99)),
          max: Math.round(latencies.at(-1) ?? Number.NaN),
        },
        sidecarCpuCores: Number((cpu / ((performance.now() - t0) / 1000)).toFixed(3)),
        rssMb: Math.round(rssAtEnd),
        peakRssMb: Math.round(peakRssMb(pid)),
        queueAtEnd,
        load1m: Number((loadavg()[0] ?? 0).toFixed(2)),
        ...(throttledBefore && throttledAfter
          ? {
              throttledPeriods: throttledAfter.periods - throttledBefore.periods,
              throttledMs: Math.round(throttledAfter.ms - throttledBefore.ms),
            }
          : {}),
      };
      steps.push(step);
      console.log(
        `${target}/s: offered ${step.offered}/s, ${step.arrived}/${step.written} arrived (${step.lost} missing), ` +
          `${step.retriedWrites} writes retried, drained ${step.drainMs} ms after the step, latency p50 ${step.latencyMs.p50} ms ` +
          `p99 ${step.latencyMs.p99} ms, CPU ${step.sidecarCpuCores} cores, RSS ${step.rssMb} MB -> ${step.keptUp ? "kept up" : "did NOT keep up"}`,
      );
      if (!step.keptUp) break;
    }
  } finally {
    await sidecar.stop();
    await logboek.stop();
    limit.remove();
    rmSync(dir, { recursive: true, force: true });
  }

  const best = steps.filter((s) => s.keptUp).at(-1);
  const table = [
    "| records/s | offered | arrived | missing | block retries | drained after | latency p50 | p99 | sidecar CPU | RSS | peak RSS | throttled | load 1m |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...steps.map(
      (s) =>
        `| ${s.target}${s.keptUp ? "" : " (not kept up)"} | ${s.offered} | ${s.arrived}/${s.written} | ${s.lost} | ${s.retriedWrites} | ${s.drainMs} ms | ${s.latencyMs.p50} ms | ${s.latencyMs.p99} ms | ${s.sidecarCpuCores} | ${s.rssMb} MB | ${s.peakRssMb} MB | ${s.throttledPeriods ?? "-"} periods | ${s.load1m} |`,
    ),
  ];
  console.log(`\n${table.join("\n")}\n`);
  console.log(
    best
      ? `one sidecar at ${flags.BENCH_CPU} (${limit.how.startsWith("NO") ? "NOT quota-limited" : "cgroup quota"}) forwarded ${best.target} records/s with none lost: RSS ${best.rssMb} MB, write to acknowledgement p50 ${best.latencyMs.p50} ms, p99 ${best.latencyMs.p99} ms`
      : "no step kept up",
  );
  const out = path.join(outDir, `logging-${stamp}.json`);
  writeFileSync(
    out,
    `${JSON.stringify({ machine: m, kernel: release(), cpuLimit: limit.how, flags, steps }, null, 2)}\n`,
  );
  console.log(`results: ${out}; the sidecar's log: ${logFile}`);
}

await main();
