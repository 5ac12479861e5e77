// The rollout benchmark's report: what one run measured, as a markdown table.
import { operatorFlag } from "./operator-process.ts";
import { type Machine, machineLine } from "./process-stats.ts";
import { type MachineSpeed, speedLine } from "./speed-probe.ts";

interface Writes {
  server: number;
  operator: number;
  byServer: Record<string, number>;
  byOperator: Record<string, number>;
}
interface Ring {
  name: string;
  total: number;
  statusStartedSeconds?: number;
  statusCompletedSeconds?: number;
  observedStartedSeconds?: number;
  observedCompletedSeconds?: number;
}

const f = (x: unknown, d = 1) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(d) : "-");
const list = (counts: Record<string, number> | undefined, top = 12) =>
  Object.entries(counts ?? {})
    .slice(0, top)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

export function printRolloutReport(r: Record<string, unknown>): void {
  const flags = r.flags as Record<string, string | number>;
  const machine = r.machine as Machine;
  const operator = r.operator as { flags: string[]; nodeArgs: string[]; env?: string[] };
  const rings = r.rings as Record<string, number>;
  const good = r.good as
    | (Record<string, number> & {
        rings: Ring[];
        writes: Writes;
        cpuSeconds: Record<string, number>;
        machineSpeed?: MachineSpeed;
      })
    | undefined;
  const bad = r.bad as (Record<string, number> & { writes: Writes }) | undefined;
  const steady = r.steady as { windowSeconds: number; reconciles: number; writes: number } | undefined;
  const rows: [string, string][] = [
    ["machine", `${machineLine(machine)}, ${flags.BENCH_NODES} kwok nodes`],
    [
      "flags",
      Object.entries(flags)
        .map(([k, v]) => `${k}=${v}`)
        .join(" "),
    ],
    ["operator flags", operator.flags.join(" ")],
    ["operator V8 flags", operator.nodeArgs.join(" ")],
    ["operator environment", operator.env?.join(" ") || "-"],
    ["municipalities, one activation each", `${flags.BENCH_TENANTS}: ${list(rings)}`],
    ["setup: every activation Ready on 1.0.0 (s)", f(r.setupSeconds)],
  ];
  if (good) {
    rows.push(
      ["**good 1.1.0: publish to rollout Succeeded (s)**", `**${f(good.succeededSeconds)}**`],
      ["good: publish to every activation Ready on 1.1.0 (s)", f(good.allReadySeconds)],
      [
        "good: machine, the speed probe's CPU ms for a fixed piece, mean (fastest to slowest; lower is faster), and cores stolen",
        speedLine(good.machineSpeed),
      ],
      ["good: sum of the bake times (s)", f(good.sumOfBakesSeconds, 0)],
      ["**good: overhead = Succeeded - sum of bakes (s)**", `**${f(good.overheadSeconds)}**`],
    );
    for (const ring of good.rings) {
      rows.push([
        `good: ring ${ring.name} (${ring.total}): start to done, status (whole s) / observed (s)`,
        `${f((ring.statusCompletedSeconds ?? Number.NaN) - (ring.statusStartedSeconds ?? Number.NaN), 0)} / ${f((ring.observedCompletedSeconds ?? Number.NaN) - (ring.observedStartedSeconds ?? Number.NaN))} (started ${f(ring.observedStartedSeconds)} s after publish)`,
      ]);
    }
    rows.push(
      ["good: activations moved", String(good.moved)],
      ["**good: API server writes per activation moved (all clients)**", `**${f(good.serverWritesPerMoved)}**`],
      ["**good: operator writes per activation moved**", `**${f(good.operatorWritesPerMoved)}**`],
      ["good: operator requests by verb and code", list(good.writes.byOperator)],
      [
        "good: per activation, status changes / updates leaving the status as it was (watch)",
        `${f(good.statusChangesPerActivation)} / ${f(good.unchangedStatusUpdatesPerActivation)}`,
      ],
      ["good: API server writes by verb and resource", `${good.writes.server}: ${list(good.writes.byServer)}`],
      ["good: CPU seconds by process", list(good.cpuSeconds, 20)],
    );
  }
  if (bad) {
    rows.push(
      ["bad 1.2.0: canary activations moved / failed (of canary)", `${bad.moved} / ${bad.failed} (of ${bad.canaries})`],
      ["bad: publish to the first failed health gate, polled (s)", f(bad.firstFailedSeconds)],
      [
        "bad: publish to the ActivationFailed / RolloutHalted events (s)",
        `${f(bad.activationFailedEventSeconds, 2)} / ${f(bad.rolloutHaltedEventSeconds, 2)}`,
      ],
      ["**bad: first failure to every canary Ready on 1.1.0 again (s)**", `**${f(bad.failedToCanaryBackSeconds)}**`],
      ["bad: first failure to phase RolledBack (s)", f(bad.failedToRolledBackSeconds)],
      ["bad: early or general activations that left 1.1.0", String(bad.earlyOrGeneralLeft)],
      ["bad: operator writes / API server writes", `${bad.writes.operator} / ${bad.writes.server}`],
      ["bad: activation status changes per activation, all rings (watch)", f(bad.statusChangesPerActivation)],
    );
  }
  if (steady) {
    rows.push(
      [
        `steady: reconciles in ${steady.windowSeconds} s (a resync every ${operatorFlag("resync-period-seconds", operator.flags)} s)`,
        String(steady.reconciles),
      ],
      ["**steady: operator writes in that window**", `**${steady.writes}**`],
    );
  }
  console.log(`\n## Rollout benchmark\n\n| measure | value |\n| --- | ---: |`);
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}
