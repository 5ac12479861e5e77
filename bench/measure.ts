// What the fleet benchmark reads from the processes it measures: Prometheus text from the
// operator's and the API server's /metrics, and CPU seconds from /proc.
import type { ControlPlane } from "../test/controlplane/control-plane.ts";
import { cpuSeconds } from "./process-stats.ts";

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

export interface Memory {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  rssMb: number;
}

/** The operator's own view of its memory, in MB. */
export async function memoryOf(metricsUrl: string): Promise<Memory> {
  const samples = await scrape(metricsUrl);
  const mb = (name: string) => Math.round((sumBy(samples, name)[""] ?? 0) / 2 ** 20);
  return {
    heapUsedMb: mb("nodejs_heap_size_used_bytes"),
    heapTotalMb: mb("nodejs_heap_size_total_bytes"),
    externalMb: mb("nodejs_external_memory_bytes"),
    rssMb: mb("process_resident_memory_bytes"),
  };
}

/** Samples the operator's memory every 2 s and keeps the sample with the highest RSS: what makes the peak. */
export function memoryAtPeak(metricsUrl: string): () => Memory | undefined {
  let peak: Memory | undefined;
  const timer = setInterval(() => {
    memoryOf(metricsUrl)
      .then((m) => {
        if (!peak || m.rssMb > peak.rssMb) peak = m;
      })
      .catch(() => undefined);
  }, 2000);
  return () => {
    clearInterval(timer);
    return peak;
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
