// The rounds of the fleet benchmark (BENCH_ROUNDS=N): aihub and the raw client in turn, each aihub
// phase against the raw phases on both sides of it, and the medians of the ratios. Pure.
import type { MachineSpeed } from "./speed-probe.ts";

/** A number with `d` decimals, or "-" for none. */
export const f = (x: unknown, d = 1) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(d) : "-");

/**
 * A phase's time as the work it took: seconds times the CPU the machine had to give per second,
 * its cores not stolen by the hypervisor over the probe's CPU ms for a fixed piece. Phases on a
 * machine whose speed moved can be compared so, to a first order (for the raw client, the mean
 * over its runs).
 */
export function atEqualMachine(seconds: unknown, speeds: unknown): number | undefined {
  const s = Array.isArray(seconds) ? seconds : [seconds];
  const p = Array.isArray(speeds) ? speeds : [speeds];
  const each = s.map((x, i) => {
    const speed = p[i] as MachineSpeed | undefined;
    const cores = speed?.cores === undefined ? 1 : speed.cores - (speed.stolenCores ?? 0);
    return typeof x === "number" && speed?.meanMs ? (x * cores) / speed.meanMs : Number.NaN;
  });
  const mean = each.reduce((sum, x) => sum + x, 0) / each.length;
  return each.length && Number.isFinite(mean) ? mean : undefined;
}

/** One side of a round (`BENCH_ROUNDS`): a phase's time, how fast the machine was, and the CPU of all processes. */
export interface RoundPhase {
  /** The raw client's: every StatefulSet available; aihub's: every tenant and activation Ready. */
  seconds: number;
  machineSpeed?: MachineSpeed;
  /** CPU seconds of every process of the phase (control plane, contender, benchmark) until then. */
  cpuSeconds?: number;
  peakRssMb?: number;
}

/** aihub's phase of a round, and the raw client's phases just before and just after it. */
export interface Round {
  rawBefore: RoundPhase;
  aihub: RoundPhase;
  rawAfter: RoundPhase;
}

/**
 * A round's ratios to the raw client: aihub's time over the mean of the two raw phases around it,
 * plainly and on an equal machine (atEqualMachine), and the same for the CPU of all processes.
 */
export function roundRatios(r: Round): { plain: number; equalMachine?: number; cpu?: number } {
  const raws = [r.rawBefore, r.rawAfter];
  const rawMean = (r.rawBefore.seconds + r.rawAfter.seconds) / 2;
  const rawScaled = atEqualMachine(
    raws.map((x) => x.seconds),
    raws.map((x) => x.machineSpeed),
  );
  const scaled = atEqualMachine(r.aihub.seconds, r.aihub.machineSpeed);
  const [before, after] = [r.rawBefore.cpuSeconds, r.rawAfter.cpuSeconds];
  const cpu =
    r.aihub.cpuSeconds !== undefined && before !== undefined && after !== undefined
      ? r.aihub.cpuSeconds / ((before + after) / 2)
      : undefined;
  return {
    plain: r.aihub.seconds / rawMean,
    ...(rawScaled && scaled && { equalMachine: scaled / rawScaled }),
    ...(cpu !== undefined && { cpu }),
  };
}

/** The finite numbers of `xs`: what a round that lacks a measure leaves out. */
const finite = (xs: (number | undefined)[]) =>
  xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));

/** The median of the finite numbers in `xs`, or undefined for none. */
export function median(xs: (number | undefined)[]): number | undefined {
  const s = finite(xs).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Issue 16's target for aihub at 342 municipalities: at most this many times the raw client's time. */
export const TARGET_RATIO = 1.2;

// Student's t, the two-sided 95 % quantile for 1 to 30 degrees of freedom (the published tables).
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95 % quantile of Student's t with `df` degrees of freedom: the table, beyond it the Cornish-Fisher expansion around 1.96. */
export function t95(df: number): number {
  const tabled = T95[df - 1];
  if (tabled !== undefined) return tabled;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** The mean of `xs` and the 95 % interval of that mean (Student's t), undefined for fewer than 2. */
export function meanInterval(xs: number[]): { mean: number; low: number; high: number } | undefined {
  if (xs.length < 2) return undefined;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
  const half = (t95(xs.length - 1) * sd) / Math.sqrt(xs.length);
  return { mean, low: mean - half, high: mean + half };
}

/**
 * What several rounds say together, plainly and on an equal machine: the median, the mean with
 * its 95 % interval, the range, and how many rounds were at most TARGET_RATIO times raw; and
 * aihub's peak RSS. One round differs from the next by up to a tenth on this kind of machine, so
 * whether aihub meets the target is a question for the middle of many rounds (the median, the
 * mean and how far its interval reaches), not for one round.
 */
export function roundsSummary(rounds: Round[]): string {
  const ratios = rounds.map(roundRatios);
  const side = (name: string, xs: number[]) => {
    const m = meanInterval(xs);
    const within = xs.filter((x) => x <= TARGET_RATIO + 1e-9).length;
    const interval = m ? `, mean ${f(m.mean, 2)} (95 % interval ${f(m.low, 2)} to ${f(m.high, 2)})` : "";
    return `${name} median ${f(median(xs), 2)}${interval}, ${f(Math.min(...xs), 2)} to ${f(Math.max(...xs), 2)}, at most ${f(TARGET_RATIO, 1)} in ${within} of ${xs.length}`;
  };
  const plain = finite(ratios.map((q) => q.plain));
  const equal = finite(ratios.map((q) => q.equalMachine));
  const rss = finite(rounds.map((r) => r.aihub.peakRssMb));
  const parts = [side("/ raw:", plain)];
  if (equal.length) parts.push(side("on an equal machine:", equal));
  if (rss.length) parts.push(`aihub peak RSS ${f(Math.min(...rss), 0)} to ${f(Math.max(...rss), 0)} MB`);
  return `${rounds.length} round${rounds.length === 1 ? "" : "s"}: ${parts.join("; ")}.`;
}

/**
 * The rounds of raw client and aihub in turn (BENCH_ROUNDS=N): one row per round, each aihub
 * phase against the raw phases on both sides of it, and the medians of the ratios. Runs of one
 * setting spread by a fifth within an hour on this kind of machine (ADR 16): the median of
 * several rounds says more than one.
 */
export function roundsTable(rounds: Round[], labels?: string[]): string {
  const speed = (p: RoundPhase) => f(p.machineSpeed?.meanMs);
  const ratios = rounds.map(roundRatios);
  const lines = [
    "| round | raw before: available (s) | aihub: Ready (s) | raw after: available (s) | / raw (mean of before and after) | / raw on an equal machine | all processes' CPU / raw's | speed probe, mean CPU ms: before, aihub, after | aihub peak RSS (MB) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rounds.map((r, i) => {
      const q = ratios[i] as ReturnType<typeof roundRatios>;
      return `| ${labels?.[i] ?? i + 1} | ${f(r.rawBefore.seconds)} | ${f(r.aihub.seconds)} | ${f(r.rawAfter.seconds)} | ${f(q.plain, 2)} | ${f(q.equalMachine, 2)} | ${f(q.cpu, 2)} | ${speed(r.rawBefore)}, ${speed(r.aihub)}, ${speed(r.rawAfter)} | ${f(r.aihub.peakRssMb, 0)} |`;
    }),
    `| median | | ${f(median(rounds.map((r) => r.aihub.seconds)))} | | ${f(median(ratios.map((q) => q.plain)), 2)} | ${f(median(ratios.map((q) => q.equalMachine)), 2)} | ${f(median(ratios.map((q) => q.cpu)), 2)} | | ${f(median(rounds.map((r) => r.aihub.peakRssMb)), 0)} |`,
  ];
  return lines.join("\n");
}
