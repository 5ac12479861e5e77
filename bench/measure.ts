// What the fleet benchmark reads from the processes it measures: Prometheus text from the
// operator's and the API server's /metrics, CPU seconds from /proc, and a phase's timeline (the
// cluster's pods and claims: pipeline.ts).
import type { ControlPlane } from "../test/controlplane/control-plane.ts";
import { cpuSeconds, machineCpu } from "./process-stats.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comment lines are skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const m of text.matchAll(/^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)/gm)) {
    const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples of `name`, grouped by what `group` says of their labels ("" by default: one sum). */
export function sumBy(
  samples: Sample[],
  name: string,
  group: (labels: Record<string, string>) => string | undefined = () => "",
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const key = s.name === name ? group(s.labels) : undefined;
    if (key !== undefined) out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

const scrape = async (url: string) => parseMetrics(await (await fetch(url)).text());

/** rest_client_requests_total of the operator, by method. */
export async function requestsByVerb(metricsUrl: string): Promise<Record<string, number>> {
  return sumBy(await scrape(metricsUrl), "rest_client_requests_total", (l) => l.method);
}

export const writesOf = (v: Record<string, number>) => (v.POST ?? 0) + (v.PUT ?? 0) + (v.PATCH ?? 0) + (v.DELETE ?? 0);

/** controller_runtime_reconcile_total of the operator, summed over controllers and results. */
export async function reconciles(metricsUrl: string): Promise<number> {
  return sumBy(await scrape(metricsUrl), "controller_runtime_reconcile_total")[""] ?? 0;
}

/** controller_runtime_reconcile_total of the operator, by controller (aihub's and the peer's name the same metric). */
export async function reconcilesByController(metricsUrl: string): Promise<Record<string, number>> {
  return sumBy(await scrape(metricsUrl), "controller_runtime_reconcile_total", (l) => l.controller);
}

/** aihub_renders_skipped_total, by controller: reconciles that found the children as rendered before (none for the peer). */
export async function rendersSkippedByController(metricsUrl: string): Promise<Record<string, number>> {
  return sumBy(await scrape(metricsUrl), "aihub_renders_skipped_total", (l) => l.controller);
}

/**
 * What the operator is doing now, for a timeline: the depth of each controller's queue, the writes
 * it has sent and the reconciles that failed (and went back to the queue with a backoff).
 */
export function operatorProgress(samples: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [controller, depth] of Object.entries(sumBy(samples, "workqueue_depth", (l) => l.controller))) {
    out[`${controller} queue`] = depth;
  }
  out["operator writes"] = writesOf(sumBy(samples, "rest_client_requests_total", (l) => l.method));
  out["reconcile errors"] = sumBy(samples, "controller_runtime_reconcile_errors_total")[""] ?? 0;
  return out;
}

export interface Memory {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  rssMb: number;
  /** Memory-reducing collections the operator ran so far, and their seconds. */
  reductions: number;
  reductionSeconds: number;
  /** Seconds the main thread spent in V8's collections so far, by kind (minor, major, incremental, weakcb). */
  gcSeconds?: Record<string, number>;
}

/** The operator's own view of its memory, in MB. */
export async function memoryOf(metricsUrl: string): Promise<Memory> {
  return memoryIn(await scrape(metricsUrl));
}

/** The operator's memory as one scrape's samples say it. */
export function memoryIn(samples: Sample[]): Memory {
  const mb = (name: string) => Math.round((sumBy(samples, name)[""] ?? 0) / 2 ** 20);
  return {
    heapUsedMb: mb("nodejs_heap_size_used_bytes"),
    heapTotalMb: mb("nodejs_heap_size_total_bytes"),
    externalMb: mb("nodejs_external_memory_bytes"),
    rssMb: mb("process_resident_memory_bytes"),
    reductions: sumBy(samples, "aihub_memory_reductions_total")[""] ?? 0,
    reductionSeconds: sumBy(samples, "aihub_memory_reduction_seconds_total")[""] ?? 0,
    gcSeconds: sumBy(samples, "nodejs_gc_duration_seconds_sum", (l) => l.kind),
  };
}

/**
 * One scrape of the operator's metrics for each row of the timeline (every 5 s): what it is doing
 * (operatorProgress) and, with `peak`, its memory, keeping the scrape with the highest RSS (what
 * makes the peak; VmHWM from /proc is the peak itself). One scrape serves both, so that the
 * benchmark asks the operator no more often than a row needs: every scrape costs the operator
 * about 1 MB of allocation (ADR 16).
 */
export function operatorSampler(metricsUrl: string, peak: boolean) {
  let atPeak: Memory | undefined;
  return {
    async sample(): Promise<Record<string, number>> {
      const samples = await scrape(metricsUrl);
      if (peak) {
        const m = memoryIn(samples);
        if (!atPeak || m.rssMb > atPeak.rssMb) atPeak = m;
      }
      return operatorProgress(samples);
    },
    /** The memory of the sample with the highest RSS so far. */
    memoryAtPeak: () => atPeak,
  };
}

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"]);

/**
 * Write requests the API server served, by verb and resource, from its own metrics (every client:
 * the operator, kube-controller-manager, kwok, this benchmark). Shows where the API server's work goes.
 */
export async function serverWrites(cp: ControlPlane): Promise<Record<string, number>> {
  const writes = sumBy(parseMetrics((await cp.get("/metrics")).body), "apiserver_request_total", (l) =>
    WRITE_VERBS.has(l.verb ?? "") ? `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ""}` : undefined,
  );
  return Object.fromEntries(Object.entries(writes).sort((a, b) => b[1] - a[1]));
}

/** Requests or admission steps of one kind: how many, and their mean time in milliseconds. */
export interface Timed {
  count: number;
  meanMs: number;
}

/**
 * Count and mean of a Prometheus histogram (its `_sum` and `_count`) grouped by `group`, the
 * largest total first; groups with fewer than `least` observations are left out.
 */
export function meansBy(
  samples: Sample[],
  histogram: string,
  group: (labels: Record<string, string>) => string | undefined,
  least = 1,
): Record<string, Timed> {
  const sums = sumBy(samples, `${histogram}_sum`, group);
  const counts = sumBy(samples, `${histogram}_count`, group);
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([, n]) => n >= least)
      .sort((a, b) => (sums[b[0]] ?? 0) - (sums[a[0]] ?? 0))
      .map(([k, n]) => [k, { count: n, meanMs: Math.round(((sums[k] ?? 0) / n) * 1e4) / 10 }]),
  );
}

/**
 * How long the API server took, from its own metrics: each kind of write (every client's: the
 * contender's, kube-controller-manager's one worker that binds the claims, kwok's), and each
 * admission step (the quota's, the webhooks'). Where a phase's requests wait beside its CPU.
 */
export async function serverLatency(
  cp: ControlPlane,
): Promise<{ writes: Record<string, Timed>; admission: Record<string, Timed> }> {
  const samples = parseMetrics((await cp.get("/metrics")).body);
  const write = (l: Record<string, string>) =>
    WRITE_VERBS.has(l.verb ?? "") ? `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ""}` : undefined;
  return {
    writes: meansBy(samples, "apiserver_request_duration_seconds", write, 100),
    admission: {
      ...meansBy(
        samples,
        "apiserver_admission_controller_admission_duration_seconds",
        (l) => `${l.name} ${l.operation}`,
        100,
      ),
      ...meansBy(
        samples,
        "apiserver_admission_webhook_admission_duration_seconds",
        (l) => `webhook ${l.name} ${l.operation}`,
        100,
      ),
    },
  };
}

/**
 * Watch events the API server sent, by resource, and their megabytes, from its own metrics: every
 * watcher (kube-controller-manager, the scheduler and kwok too, in protobuf; the contender and this
 * benchmark in JSON). What a contender's watches cost beside its writes.
 */
export async function serverWatchEvents(cp: ControlPlane): Promise<Record<string, { events: number; mb: number }>> {
  const samples = parseMetrics((await cp.get("/metrics")).body);
  const name = (l: Record<string, string>) => `${l.resource}${l.group ? `.${l.group}` : ""}`;
  const events = sumBy(samples, "apiserver_watch_events_total", name);
  const bytes = sumBy(samples, "apiserver_watch_events_sizes_sum", name);
  return Object.fromEntries(
    Object.entries(events)
      .sort((a, b) => (bytes[b[0]] ?? 0) - (bytes[a[0]] ?? 0))
      .map(([r, n]) => [r, { events: n, mb: Math.round((bytes[r] ?? 0) / 1e4) / 100 }]),
  );
}

/** CPU seconds per process of the control plane (and the operator, and this client) over a phase. */
export function cpuMeter(cp: ControlPlane, extra: Record<string, number> = {}): () => Record<string, number> {
  const pids = new Map([...cp.pids(), ...Object.entries(extra)]);
  const read = () => new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
  const self = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const before = read();
  const selfBefore = self();
  return () => {
    const out: Record<string, number> = {};
    for (const [name, s] of read()) out[name] = Math.round((s - (before.get(name) ?? 0)) * 10) / 10;
    out["benchmark client"] = Math.round((self() - selfBefore) * 10) / 10;
    return out;
  };
}

export interface TimelineRow {
  /** Seconds since the timeline started. */
  t: number;
  [measure: string]: number;
}

/**
 * Samples `counts` and the CPU seconds per process every `everyMs`: which stage of the pipeline the
 * time goes to, and whether the API server (or the machine) was busy meanwhile. CPU figures are
 * cores used in the interval (1.0 is one core busy); `idle` and `steal` are the machine's.
 */
export function timeline(
  cpu: () => Record<string, number>,
  counts: () => Record<string, number> | Promise<Record<string, number>>,
  everyMs = 5000,
): () => Promise<TimelineRow[]> {
  const rows: TimelineRow[] = [];
  const started = performance.now();
  let lastCpu = cpu();
  let lastMachine = machineCpu();
  let lastT = 0;
  const sample = async () => {
    const measured = await Promise.resolve(counts()).catch(() => ({}));
    const t = (performance.now() - started) / 1000;
    const dt = t - lastT || 1;
    const nowCpu = cpu();
    const machine = machineCpu();
    const cores = (a: number, b: number) => Math.round(((a - b) / dt) * 100) / 100;
    const row: TimelineRow = { t: Math.round(t), ...measured };
    for (const [name, s] of Object.entries(nowCpu)) row[`${name} cores`] = cores(s, lastCpu[name] ?? 0);
    row["machine idle cores"] = cores(machine.idle, lastMachine.idle);
    row["machine steal cores"] = cores(machine.steal, lastMachine.steal);
    rows.push(row);
    lastCpu = nowCpu;
    lastMachine = machine;
    lastT = t;
  };
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(sample);
  }, everyMs);
  return async () => {
    clearInterval(timer);
    await sampling;
    await sample();
    return rows;
  };
}
