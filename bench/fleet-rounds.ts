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

/** The median of the finite numbers in `xs`, or undefined for none. */
export function median(xs: (number | undefined)[]): number | undefined {
  const s = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The rounds of raw client and aihub in turn (BENCH_ROUNDS=N): one row per round, each aihub
 * phase against the raw phases on both sides of it, and the medians of the ratios. Runs of one
 * setting spread by a fifth within an hour on this kind of machine (ADR 16): the median of
 * several rounds says more than one.
 */
export function roundsTable(rounds: Round[]): string {
  const speed = (p: RoundPhase) => f(p.machineSpeed?.meanMs);
  const ratios = rounds.map(roundRatios);
  const lines = [
    "| round | raw before: available (s) | aihub: Ready (s) | raw after: available (s) | / raw (mean of before and after) | / raw on an equal machine | all processes' CPU / raw's | speed probe, mean CPU ms: before, aihub, after | aihub peak RSS (MB) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rounds.map((r, i) => {
      const q = ratios[i] as ReturnType<typeof roundRatios>;
      return `| ${i + 1} | ${f(r.rawBefore.seconds)} | ${f(r.aihub.seconds)} | ${f(r.rawAfter.seconds)} | ${f(q.plain, 2)} | ${f(q.equalMachine, 2)} | ${f(q.cpu, 2)} | ${speed(r.rawBefore)}, ${speed(r.aihub)}, ${speed(r.rawAfter)} | ${f(r.aihub.peakRssMb, 0)} |`;
    }),
    `| median | | ${f(median(rounds.map((r) => r.aihub.seconds)))} | | ${f(median(ratios.map((q) => q.plain)), 2)} | ${f(median(ratios.map((q) => q.equalMachine)), 2)} | ${f(median(ratios.map((q) => q.cpu)), 2)} | | ${f(median(rounds.map((r) => r.aihub.peakRssMb)), 0)} |`,
  ];
  return lines.join("\n");
}
