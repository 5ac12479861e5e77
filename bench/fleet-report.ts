// The fleet benchmark's report: the figures of one run (and its growth runs) as markdown tables.

import { atEqualMachine, f, type Round, roundsSummary, roundsTable } from "./fleet-rounds.ts";
import type { Memory, Timed, TimelineRow } from "./measure.ts";
import { operatorFlag, STEADY_WINDOW_SECONDS } from "./operator-process.ts";
import type { PodSteps, Spread } from "./pipeline.ts";
import { type Machine, machineLine } from "./process-stats.ts";
import { type MachineSpeed, speedLine } from "./speed-probe.ts";

/** What every run had: kwok nodes, the machine, and the operator's flags. */
export interface FleetSetup {
  nodes: number;
  machine: Machine;
  startedAt?: string;
  /** When the main run ended, and the whole run with its growth runs (absent: stopped before). */
  mainEndedAt?: string;
  endedAt?: string;
  operator: { flags: readonly string[]; nodeArgs: string[]; env?: string[] };
  peers?: Record<string, readonly string[] | undefined>;
}

type Run = Record<string, unknown>;

/** A phase's pod steps (`PodSteps`) in one cell: "workload 12 / 80 / 95; pod 1 / 3 / 9; …", or "-". */
export function podStepsLine(steps: PodSteps | undefined): string {
  if (!steps) return "-";
  const part = (s: Spread | undefined) => (s ? `${f(s.p50, 0)} / ${f(s.p90, 0)} / ${f(s.max, 0)}` : "-");
  return (["workload", "pod", "volume", "scheduled", "ready"] as const)
    .map((step) => `${step} ${part(steps[step])}`)
    .join("; ");
}
/** ": mean of a and b" when the raw client ran more than once (BENCH_RAW=2), else nothing. */
const meanOf = (runs: unknown) =>
  Array.isArray(runs) && runs.length > 1 ? `: mean of ${runs.map((x) => f(x)).join(" and ")}` : "";
const byVerb = (counts: Record<string, number> | undefined) =>
  Object.entries(counts ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "-";
/** The API server's writes (verb and resource) summed by verb. */
const serverVerbs = (writes: Record<string, number> | undefined) => {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(writes ?? {})) {
    const verb = k.split(" ")[0] as string;
    out[verb] = (out[verb] ?? 0) + n;
  }
  return out;
};

/** The raw client's measures until every StatefulSet was available (runs before 2026-12 lack them). */
const rawAvailableRun = (r: Run) =>
  r.available as { cpuSeconds: Record<string, number>; serverWrites: Record<string, number> } | undefined;
/** A column's writes: the raw client's until available, like a reconciler's until Ready. */
const writesOf = (r: Run): Record<string, number> =>
  rawAvailableRun(r)?.serverWrites ?? (r.serverWrites as Record<string, number> | undefined) ?? {};

/**
 * The three-way table (issue 16): the raw client, aihub and each peer of one run side by side,
 * every cell measured in that run, and the API server's writes by verb and resource.
 */
export function contendersTable(main: Run, setup: FleetSetup): string {
  const raw = main.raw as Run | undefined;
  const columns: [string, Run][] = [];
  if (raw) columns.push(["raw client", raw]);
  if (typeof main.readySeconds === "number") columns.push(["aihub", main]);
  for (const [name, r] of Object.entries((main.peers ?? {}) as Record<string, Run>)) columns.push([name, r]);
  const isRaw = (r: Run) => r === raw;
  const rawAvailable = raw?.availableSeconds as number | undefined;
  const rawCreated = raw?.seconds as number | undefined;
  const cell = (r: Run, get: (r: Run) => string) => get(r);
  const row = (label: string, get: (r: Run) => string) =>
    `| ${label} | ${columns.map(([, r]) => cell(r, get)).join(" | ")} |`;
  const notConverged = (r: Run) => {
    if (typeof r.didNotConvergeSeconds !== "number") return undefined;
    const at = (r.countsAtTimeout ?? {}) as Record<string, number>;
    return `did not converge within ${r.didNotConvergeSeconds} s (Ready then: ${at["tenants Ready"] ?? 0} of ${main.tenants} tenants, ${at["activations Ready"] ?? 0} of ${main.activations} activations)`;
  };
  const steady = (r: Run) =>
    r.steady as { reconciles: number; writes: number; writesByVerb?: Record<string, number> } | undefined;
  const lines = [
    `## ${main.tenants} municipalities, ${main.activations} activations: raw client, aihub and the controller-runtime peer`,
    "",
    `${setup.startedAt ?? ""} on ${machineLine(setup.machine)}, ${setup.nodes} kwok nodes; each contender on a fresh control plane of the same build`,
    "",
    `| measure | ${columns.map(([name]) => name).join(" | ")} |`,
    `| --- |${columns.map(() => " ---: |").join("")}`,
    row("flags", (r) =>
      isRaw(r)
        ? typeof r.customResources === "number"
          ? `64 concurrent creates, of ${r.objects} objects: the ${r.customResources} tenants and activations and their children`
          : "64 concurrent creates of the children"
        : r === main
          ? [...setup.operator.nodeArgs, ...setup.operator.flags, ...(setup.operator.env ?? [])].join(" ")
          : ((r.flags as string[]) ?? []).join(" "),
    ),
    row("load average (1 min) when the phase started", (r) =>
      isRaw(r)
        ? ((main.rawLoad as number[] | undefined) ?? [(r.loadAverage as number[] | undefined)?.[0]])
            .map((x) => f(x, 2))
            .join(", ")
        : f((r.loadAverage as number[] | undefined)?.[0], 2),
    ),
    row("every child object exists (s)", (r) =>
      isRaw(r)
        ? `${f(rawCreated)} (created)`
        : notConverged(r) && r.childrenSeconds === undefined
          ? "-"
          : f(r.childrenSeconds),
    ),
    row("every tenant and activation Ready, pods running (s)", (r) =>
      isRaw(r) ? `${f(rawAvailable)} (every StatefulSet available)` : (notConverged(r) ?? f(r.readySeconds)),
    ),
    row(
      "the last activation's pod Ready (s): the cluster's part, before the contender reports it; each pod after its StatefulSet was created",
      (r) => {
        const after = r.podsReadyAfterWorkload as Spread | undefined;
        return `${f(r.podsReadySeconds)}${after ? ` (median ${f(after.p50, 0)}, 90th percentile ${f(after.p90, 0)}, at most ${f(after.max, 0)} s)` : ""}`;
      },
    ),
    row(
      "each pod's steps, median / 90th percentile / at most (s): its StatefulSet created after the phase began; the pod after its StatefulSet (kube-controller-manager); its volume after the pod (the provisioner); scheduled after its volume (kube-scheduler); Ready after scheduled (kwok)",
      (r) => podStepsLine(r.podSteps as PodSteps | undefined),
    ),
    row("/ raw client (Ready / available)", (r) =>
      isRaw(r) || !rawAvailable || typeof r.readySeconds !== "number"
        ? "-"
        : f((r.readySeconds as number) / rawAvailable, 2),
    ),
    row(
      "machine: the speed probe's CPU ms for a fixed piece, mean (fastest to slowest; lower is faster), and cores stolen by the hypervisor",
      (r) =>
        isRaw(r)
          ? ((main.rawMachineSpeed as (MachineSpeed | undefined)[] | undefined) ?? [r.machineSpeed as MachineSpeed])
              .map(speedLine)
              .join(", ")
          : speedLine(r.machineSpeed as MachineSpeed | undefined),
    ),
    row("/ raw client on an equal machine (each phase's time x its cores not stolen / its probe's mean)", (r) => {
      const rawScaled = atEqualMachine(
        main.rawAvailableSeconds ?? rawAvailable,
        main.rawMachineSpeed ?? raw?.machineSpeed,
      );
      const scaled = atEqualMachine(r.readySeconds, r.machineSpeed);
      return isRaw(r) || !rawScaled || !scaled ? "-" : f(scaled / rawScaled, 2);
    }),
    row("kube-apiserver CPU seconds", (r) =>
      isRaw(r)
        ? `${f(rawAvailableRun(r)?.cpuSeconds["kube-apiserver"])} (${f((r.cpuSeconds as Record<string, number>)?.["kube-apiserver"])} until created)`
        : f((r.cpuByProcess as Record<string, number>)?.["kube-apiserver"]),
    ),
    row("contender's CPU seconds", (r) =>
      isRaw(r)
        ? `${f((r.cpuSeconds as Record<string, number>)?.["benchmark client"])} (the benchmark's process)`
        : f(r.cpuSeconds),
    ),
    row("contender's peak RSS (MB)", (r) => (isRaw(r) ? "-" : f(r.peakRssMb, 0))),
    row("contender's requests by verb", (r) => byVerb(r.requests as Record<string, number>)),
    row("writes the API server served, all clients, by verb", (r) => byVerb(serverVerbs(writesOf(r)))),
    row(`steady state: reconciles in a ${STEADY_WINDOW_SECONDS} s window with a full resync`, (r) =>
      isRaw(r) ? "-" : f(steady(r)?.reconciles, 0),
    ),
    row("steady state: writes in that window", (r) =>
      isRaw(r) || !steady(r)
        ? "-"
        : `${steady(r)?.writes}${steady(r)?.writes ? ` (${byVerb(steady(r)?.writesByVerb)})` : ""}`,
    ),
    row("activation creates refused as quota not counted yet (retried)", (r) =>
      typeof r.quotaRefusals === "number" ? String(r.quotaRefusals) : "-",
    ),
    row("children file the peer reads (MB)", (r) => (typeof r.childrenFileMb === "number" ? f(r.childrenFileMb) : "-")),
  ];
  // Where the API server's writes went: the resources with the most writes in any column.
  const keys = new Map<string, number>();
  for (const [, r] of columns) {
    for (const [k, n] of Object.entries(writesOf(r))) {
      keys.set(k, Math.max(keys.get(k) ?? 0, n));
    }
  }
  const top = [...keys].sort((a, b) => b[1] - a[1]).slice(0, 18);
  lines.push(
    "",
    "Writes the API server served, by verb and resource (all clients: the contender, kube-controller-manager, kwok, the benchmark; raw: until every StatefulSet is available):",
    "",
    `| verb resource | ${columns.map(([name]) => name).join(" | ")} |`,
    `| --- |${columns.map(() => " ---: |").join("")}`,
    ...top.map(([k]) => `| ${k} | ${columns.map(([, r]) => String(writesOf(r)[k] ?? 0)).join(" | ")} |`),
    ...watchEventsTable(columns),
    ...latencyTable(columns),
  );
  return lines.join("\n");
}

type Latency = { writes: Record<string, Timed>; admission: Record<string, Timed> };
/** A column's latencies: the raw client's until available, like a reconciler's until Ready. */
const latencyOf = (r: Run): Latency | undefined =>
  (r.available as { serverLatency?: Latency } | undefined)?.serverLatency ?? (r.serverLatency as Latency | undefined);

/**
 * How long the API server took on average: the `top` kinds of write and admission steps with the
 * most time in any column (count times mean), each as its mean in ms and count. Nothing for runs
 * that did not record them (before 2026-12-05).
 */
export function latencyTable(columns: [string, Run][], top = 16): string[] {
  const rows = new Map<string, number>();
  const all = (r: Run): Record<string, Timed> => {
    const l = latencyOf(r);
    return l
      ? { ...l.writes, ...Object.fromEntries(Object.entries(l.admission).map(([k, v]) => [`admission: ${k}`, v])) }
      : {};
  };
  for (const [, r] of columns) {
    for (const [k, v] of Object.entries(all(r))) rows.set(k, Math.max(rows.get(k) ?? 0, v.count * v.meanMs));
  }
  if (!rows.size) return [];
  const cell = (v: Timed | undefined) => (v ? `${f(v.meanMs, v.meanMs < 10 ? 1 : 0)} (${v.count})` : "-");
  return [
    "",
    "How long the API server took per request, from its own metrics: mean ms (count), every client's writes and admission steps (the raw client's until every StatefulSet is available), the kinds with the most time:",
    "",
    `| write or admission step | ${columns.map(([name]) => name).join(" | ")} |`,
    `| --- |${columns.map(() => " ---: |").join("")}`,
    ...[...rows]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k]) => `| ${k} | ${columns.map(([, r]) => cell(all(r)[k])).join(" | ")} |`),
  ];
}

type WatchEvents = Record<string, { events: number; mb: number }>;
/** A column's watch events: the raw client's until available, like a reconciler's until Ready. */
const watchEventsOf = (r: Run): WatchEvents =>
  (r.available as { serverWatchEvents?: WatchEvents } | undefined)?.serverWatchEvents ??
  (r.serverWatchEvents as WatchEvents | undefined) ??
  {};

/**
 * Where the API server's watch events went: the `top` resources with the most megabytes in any
 * column, and all resources together. Nothing for runs that did not record them (before
 * 2026-12-03's evening).
 */
export function watchEventsTable(columns: [string, Run][], top = 12): string[] {
  const keys = new Map<string, number>();
  for (const [, r] of columns) {
    for (const [k, v] of Object.entries(watchEventsOf(r))) keys.set(k, Math.max(keys.get(k) ?? 0, v.mb));
  }
  if (!keys.size) return [];
  const cell = (v: { events: number; mb: number } | undefined) => (v ? `${v.events} (${f(v.mb)})` : "-");
  const all = (r: Run) =>
    Object.values(watchEventsOf(r)).reduce((sum, v) => ({ events: sum.events + v.events, mb: sum.mb + v.mb }), {
      events: 0,
      mb: 0,
    });
  return [
    "",
    "Watch events the API server sent, by resource: events (megabytes) to all watchers (kube-controller-manager, kube-scheduler and kwok in protobuf; the contender and the benchmark in JSON; raw: until every StatefulSet is available):",
    "",
    `| resource | ${columns.map(([name]) => name).join(" | ")} |`,
    `| --- |${columns.map(() => " ---: |").join("")}`,
    ...[...keys]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k]) => `| ${k} | ${columns.map(([, r]) => cell(watchEventsOf(r)[k])).join(" | ")} |`),
    `| all resources | ${columns.map(([, r]) => cell(all(r))).join(" | ")} |`,
  ];
}

/** The growth runs, one row per size, contender and repeat. */
export function growthTable(growthRuns: Run[]): string {
  const lines = [
    "| municipalities | activations | contender | run | children exist (s) | Ready (s) | ms per municipality (Ready) | peak RSS (MB) | load average (1 min) | speed probe, mean CPU ms (lower is faster) |",
    "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of growthRuns) {
    const n = r.tenants as number;
    const ready =
      typeof r.didNotConvergeSeconds === "number"
        ? `did not converge within ${r.didNotConvergeSeconds} s`
        : f(r.readySeconds);
    lines.push(
      `| ${n} | ${r.activations} | ${r.contender ?? "aihub"} | ${r.repeat ?? 1} | ${f(r.childrenSeconds)} | ${ready} | ${f(((r.readySeconds as number) * 1000) / n, 0)} | ${f(r.peakRssMb, 0)} | ${f((r.loadAverage as number[] | undefined)?.[0], 2)} | ${f((r.machineSpeed as MachineSpeed | undefined)?.meanMs)} |`,
    );
  }
  return lines.join("\n");
}

/**
 * How long the run took by the wall clock, from the times the benchmark recorded: the main run
 * and each of its phases (a phase with its control plane's start and stop; aihub's with its steady
 * state and new version), the growth runs, the whole run. Undefined for a run of before 2026-12-03.
 */
export function durationLine(main: Run, growthRuns: Run[], setup: FleetSetup): string | undefined {
  const start = setup.startedAt ? Date.parse(setup.startedAt) : Number.NaN;
  const mainEnd = setup.mainEndedAt ? Date.parse(setup.mainEndedAt) : Number.NaN;
  if (!Number.isFinite(start) || !Number.isFinite(mainEnd)) return undefined;
  const minutes = (ms: number) => `${f(ms / 60_000)} min`;
  const phases = Object.entries((main.wallSeconds as Record<string, number> | undefined) ?? {})
    .map(([name, s]) => `${name} ${f(s, 0)} s`)
    .join(", ");
  const parts = [`main run ${minutes(mainEnd - start)}${phases ? ` (${phases})` : ""}`];
  const growthSeconds = growthRuns.reduce((sum, r) => sum + ((r.wallSeconds as number | undefined) ?? 0), 0);
  if (growthRuns.length)
    parts.push(`${growthRuns.length} growth run${growthRuns.length === 1 ? "" : "s"} ${minutes(growthSeconds * 1000)}`);
  const end = setup.endedAt ? Date.parse(setup.endedAt) : Number.NaN;
  parts.push(Number.isFinite(end) ? `the whole run ${minutes(end - start)}` : "the run was stopped before its end");
  return `Duration (wall clock; each phase with its control plane's start and stop): ${parts.join("; ")}.`;
}

export function printFleetReport(
  main: Record<string, unknown>,
  growthRuns: Record<string, unknown>[],
  setup: FleetSetup,
): void {
  if ((main.contenders as string[] | undefined)?.length !== 0) console.log(`\n${contendersTable(main, setup)}`);
  const rounds = main.rounds as Round[] | undefined;
  if (rounds?.length)
    console.log(
      `\nRaw client and aihub in turn, ${rounds.length} rounds (each aihub phase against the raw phases before and after it; the first round is the table's)\n\n${roundsTable(rounds)}\n\n${roundsSummary(rounds)}`,
    );
  if (growthRuns.length) console.log(`\nGrowth\n\n${growthTable(growthRuns)}`);
  const duration = durationLine(main, growthRuns, setup);
  if (duration) console.log(`\n${duration}`);
  // aihub's own figures in detail (not there when BENCH_CONTENDERS leaves it out).
  if (typeof main.readySeconds !== "number") return;
  const raw = (main.raw ?? { seconds: Number.NaN, availableSeconds: Number.NaN, objects: 0, cpuSeconds: {} }) as {
    seconds: number;
    availableSeconds: number;
    objects: number;
    cpuSeconds: Record<string, number>;
    serverWrites?: Record<string, number>;
    available?: { cpuSeconds: Record<string, number>; serverWrites: Record<string, number> };
  };
  const memoryRow = (m: Memory | undefined) =>
    m ? `RSS ${m.rssMb}, V8 heap ${m.heapUsedMb} used of ${m.heapTotalMb}, external ${m.externalMb}` : "-";
  const reductionsRow = (m: Memory | undefined) =>
    m
      ? `${m.reductions} (${f(m.reductionSeconds, 2)} s; threshold ${operatorFlag("memory-reduce-threshold-mb", setup.operator.flags) ?? "-"} MB)`
      : "-";
  const gcRow = (m: Memory | undefined) =>
    m?.gcSeconds
      ? Object.entries(m.gcSeconds)
          .map(([kind, seconds]) => `${kind} ${f(seconds, 2)}`)
          .join(", ")
      : "-";
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
| operator environment | ${setup.operator.env?.join(" ") || "-"} |
| all child objects exist (s) | ${f(main.childrenSeconds)} |
| all tenants and activations Ready, pods running (s) | ${f(main.readySeconds)} |
| raw client, same ${raw.objects} objects (s)${meanOf(main.rawSeconds)} | ${f(raw.seconds)} |
| operator (children) / raw time | ${f((main.childrenSeconds as number) / raw.seconds, 2)} |
| raw client, until every StatefulSet is available (s)${meanOf(main.rawAvailableSeconds)} | ${f(raw.availableSeconds)} |
| operator (all Ready, pods running) / raw (all available) | ${f((main.readySeconds as number) / raw.availableSeconds, 2)} |
| operator requests by verb | ${Object.entries(main.requests as Record<string, number>)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")} |
| operator reconciles until Ready, by controller | ${countRow(main.reconcilesByController as Record<string, number> | undefined)} |
| of these, found as rendered before (not rendered again) | ${countRow(main.rendersSkipped as Record<string, number> | undefined)} |
| operator CPU seconds to converge | ${f(main.cpuSeconds)} |
| CPU seconds by process, raw client until created | ${cpuRow(raw.cpuSeconds)} |
| CPU seconds by process, raw client until available | ${raw.available ? cpuRow(raw.available.cpuSeconds) : "-"} |
| CPU seconds by process, operator run | ${cpuRow(main.cpuByProcess as Record<string, number>)} |
| writes the API server served (all clients), raw client until available | ${countRow(raw.available?.serverWrites ?? raw.serverWrites)} |
| writes the API server served (all clients), operator run | ${countRow(main.serverWrites as Record<string, number>)} |
| operator peak RSS (MB) | ${f(main.peakRssMb, 0)} |
| operator memory at its sampled peak (MB) | ${memoryRow(main.memoryAtPeak as Memory | undefined)} |
| operator memory after convergence (MB) | ${memoryRow(main.memory as Memory)} |
| operator's memory-reducing collections, whole run | ${reductionsRow(main.memoryAtEnd as Memory | undefined)} |
| operator's main thread in V8's collections until Ready (s, by kind) | ${gcRow(main.memory as Memory | undefined)} |
| steady state: reconciles in ${steady.windowSeconds} s (a resync every ${operatorFlag("resync-period-seconds", setup.operator.flags)} s) | ${steady.reconciles} |
| steady state: writes in that window | ${steady.writes} |
| steady state: operator CPU seconds in that window | ${f(steady.cpuSeconds, 2)} |
| new version to all ${main.tenants} activations (s) | ${f(main.propagationSeconds)} |
  `);
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
