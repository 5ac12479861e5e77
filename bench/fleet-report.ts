// The fleet benchmark's report: the figures of one run (and its growth runs) as markdown tables.
import type { Memory, TimelineRow } from "./measure.ts";
import { operatorFlag } from "./operator-process.ts";
import { type Machine, machineLine } from "./process-stats.ts";

/** What every run had: kwok nodes, the machine, and the operator's flags. */
export interface FleetSetup {
  nodes: number;
  machine: Machine;
  operator: { flags: readonly string[]; nodeArgs: string[] };
}

export function printFleetReport(
  main: Record<string, unknown>,
  growthRuns: Record<string, unknown>[],
  setup: FleetSetup,
): void {
  const f = (x: unknown, d = 1) => (typeof x === "number" ? x.toFixed(d) : "-");
  const raw = (main.raw ?? { seconds: Number.NaN, availableSeconds: Number.NaN, objects: 0, cpuSeconds: {} }) as {
    seconds: number;
    availableSeconds: number;
    objects: number;
    cpuSeconds: Record<string, number>;
    serverWrites?: Record<string, number>;
  };
  const memoryRow = (m: Memory | undefined) =>
    m ? `RSS ${m.rssMb}, V8 heap ${m.heapUsedMb} used of ${m.heapTotalMb}, external ${m.externalMb}` : "-";
  const countRow = (counts: Record<string, number> | undefined) =>
    Object.entries(counts ?? {})
      .slice(0, 14)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  const cpuRow = (byProcess: Record<string, number>) =>
    Object.entries(byProcess)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(", ");
  const steady = main.steady as { writes: number; cpuSeconds: number; windowSeconds: number; reconciles: number };
  console.log(`
## Fleet benchmark: ${main.tenants} municipalities, ${main.activations} activations

| measure | value |
| --- | ---: |
| machine | ${machineLine(setup.machine)}, ${setup.nodes} kwok nodes |
| operator flags | ${setup.operator.flags.join(" ")} |
| operator V8 flags | ${setup.operator.nodeArgs.join(" ")} |
| all child objects exist (s) | ${f(main.childrenSeconds)} |
| all tenants and activations Ready, pods running (s) | ${f(main.readySeconds)} |
| raw client, same ${raw.objects} objects (s): mean of ${((main.rawSeconds as number[]) ?? []).map((x) => f(x)).join(" and ")} | ${f(raw.seconds)} |
| operator (children) / raw time | ${f((main.childrenSeconds as number) / raw.seconds, 2)} |
| raw client, until every StatefulSet is available (s): mean of ${((main.rawAvailableSeconds as number[]) ?? []).map((x) => f(x)).join(" and ")} | ${f(raw.availableSeconds)} |
| operator (all Ready, pods running) / raw (all available) | ${f((main.readySeconds as number) / raw.availableSeconds, 2)} |
| operator requests by verb | ${Object.entries(main.requests as Record<string, number>)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")} |
| operator CPU seconds to converge | ${f(main.cpuSeconds)} |
| CPU seconds by process, raw client | ${cpuRow(raw.cpuSeconds)} |
| CPU seconds by process, operator run | ${cpuRow(main.cpuByProcess as Record<string, number>)} |
| writes the API server served (all clients), raw client | ${countRow(raw.serverWrites)} |
| writes the API server served (all clients), operator run | ${countRow(main.serverWrites as Record<string, number>)} |
| operator peak RSS (MB) | ${f(main.peakRssMb, 0)} |
| operator memory at its sampled peak (MB) | ${memoryRow(main.memoryAtPeak as Memory | undefined)} |
| operator memory after convergence (MB) | ${memoryRow(main.memory as Memory)} |
| steady state: reconciles in ${steady.windowSeconds} s (a resync every ${operatorFlag("resync-period-seconds", setup.operator.flags)} s) | ${steady.reconciles} |
| steady state: writes in that window | ${steady.writes} |
| steady state: operator CPU seconds in that window | ${f(steady.cpuSeconds, 2)} |
| new version to all ${main.tenants} activations (s) | ${f(main.propagationSeconds)} |
  `);
  if (growthRuns.length) {
    console.log(
      "| tenants | activations | children exist (s) | Ready (s) | ms per tenant (Ready) | peak RSS (MB) | RSS per tenant (kB) |",
    );
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of growthRuns) {
      const n = r.tenants as number;
      console.log(
        `| ${n} | ${r.activations} | ${f(r.childrenSeconds)} | ${f(r.readySeconds)} | ${f(((r.readySeconds as number) * 1000) / n, 0)} | ${f(r.peakRssMb, 0)} | ${f(((r.peakRssMb as number) * 1024) / n, 0)} |`,
      );
    }
  }
  /** Every `step`-th row of a timeline as a markdown table: where the time went, stage by stage. */
  const timelineTable = (title: string, rows: TimelineRow[] | undefined, step: number) => {
    if (!rows?.length) return;
    const columns = Object.keys(rows[0] as TimelineRow);
    console.log(`\n${title}\n\n| ${columns.join(" | ")} |\n|${columns.map(() => " ---: |").join("")}`);
    for (const r of rows.filter((_, i) => i % step === step - 1 || i === rows.length - 1)) {
      console.log(`| ${columns.map((k) => r[k] ?? "").join(" | ")} |`);
    }
  };
  timelineTable(
    "Raw client over time (cores: CPU used in the interval)",
    (main.raw as { timeline?: TimelineRow[] })?.timeline,
    2,
  );
  timelineTable("Operator run over time (cores: CPU used in the interval)", main.timeline as TimelineRow[], 2);
}
