// The machine's speed while a benchmark phase runs: a fixed piece of work (JSON written and read
// back, as the API server and the operator do all day), timed in its own process every few seconds
// beside the processes the benchmark measures. It prints the CPU milliseconds of each piece, one
// per line: CPU time of its own thread, so that waiting for a core does not count, and a slower
// core (another tenant of the host, a lower clock) does. Lower is faster. The fleet benchmark runs
// it during each phase and prints their mean, so that two phases of one run, or two runs, can be
// told apart by the machine's speed as well as by the code.
//
//   node bench/speed-probe.ts [EVERY_MS]   one piece every EVERY_MS (default 5000) until stopped
import { type ChildProcess, spawn } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { answerHelp } from "./help.ts";
import { machineCpu } from "./process-stats.ts";

/** A child object as the operator renders them, about 2 kB of JSON: what each piece writes and reads. */
const SAMPLE = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: {
    name: "transcriptie",
    namespace: "steenwijkerland",
    labels: { "app.kubernetes.io/name": "transcriptie", "aihub.gemeenten.nl/activation": "transcriptie" },
    annotations: { "aihub.gemeenten.nl/applied-hash": "0123456789abcdef" },
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { "app.kubernetes.io/name": "transcriptie" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "transcriptie" } },
      spec: {
        containers: Array.from({ length: 2 }, (_, i) => ({
          name: `container-${i}`,
          image: `registry.gemeenten.nl/aihub/transcriptie@sha256:${"a".repeat(64)}`,
          env: Array.from({ length: 8 }, (_, j) => ({ name: `PARAMETER_${j}`, value: `value-${i}-${j}` })),
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
          ports: [{ containerPort: 8080 + i, name: `http-${i}` }],
        })),
      },
    },
  },
};

/**
 * Rounds of the piece: about 50 ms of CPU on the 2-core machine when it is fast (1 % of its CPU at
 * one piece every 5 s). The kernel counts a thread's CPU time in ticks of 4 ms, so a single piece
 * is known to a tenth at best; the mean over a phase's pieces is not biased by that.
 */
const ROUNDS = 2500;

/** The fixed piece of work. Returns a count that depends on every round, so none can be left out. */
export function fixedWork(rounds = ROUNDS): number {
  let n = 0;
  let o: unknown = SAMPLE;
  for (let i = 0; i < rounds; i++) {
    const text = JSON.stringify(o);
    o = JSON.parse(text);
    n += text.length;
  }
  return n;
}

/** CPU milliseconds of this thread for one piece. */
export function timePiece(rounds = ROUNDS): number {
  const before = process.threadCpuUsage();
  fixedWork(rounds);
  const used = process.threadCpuUsage(before);
  return (used.user + used.system) / 1000;
}

export interface MachineSpeed {
  /** Pieces timed in the phase. */
  pieces: number;
  /** CPU ms of a piece: the mean, the fastest and the slowest. */
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** The machine's cores, and how many of them the hypervisor took on average meanwhile (/proc/stat's steal). */
  cores?: number;
  stolenCores?: number;
}

/** Mean, fastest and slowest of the pieces; undefined for none. */
export function summarize(ms: number[]): MachineSpeed | undefined {
  if (!ms.length) return undefined;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    pieces: ms.length,
    meanMs: round(ms.reduce((sum, x) => sum + x, 0) / ms.length),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
  };
}

/** A phase's pieces for a table: mean CPU ms (fastest to slowest), and the cores stolen; "-" for none. */
export function speedLine(s: MachineSpeed | undefined): string {
  if (!s) return "-";
  const stolen = s.stolenCores === undefined ? "" : `, ${s.stolenCores.toFixed(2)} of ${s.cores} cores stolen`;
  return `${s.meanMs.toFixed(1)} (${s.minMs.toFixed(1)} to ${s.maxMs.toFixed(1)})${stolen}`;
}

export interface SpeedProbe {
  /** The probe's process. */
  pid: number;
  /** Pieces timed so far. */
  pieces(): number;
  /** The last piece's CPU ms, for a timeline. */
  latest(): number | undefined;
  /** Stops the probe's process; what it measured since it started. */
  stop(): Promise<MachineSpeed | undefined>;
}

/** Starts this file as its own process, one piece every `everyMs`. */
export function startSpeedProbe(everyMs = 5000): SpeedProbe {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), String(everyMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ms: number[] = [];
  let rest = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) ms.push(Number(line));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Time the hypervisor gave to others is not in any process's CPU seconds, the probe's included.
  const since = { at: performance.now(), steal: machineCpu().steal };
  let ended = false;
  let stopped: MachineSpeed | undefined;
  return {
    pid: child.pid as number,
    pieces: () => ms.length,
    latest: () => ms.at(-1),
    stop: async () => {
      // The first stop sums up (also of a probe whose process ended on its own); a second answers the same.
      if (!ended) {
        ended = true;
        const seconds = (performance.now() - since.at) / 1000;
        const stolenCores = Math.round(((machineCpu().steal - since.steal) / seconds) * 100) / 100;
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        const pieces = summarize(ms);
        stopped = pieces && { ...pieces, cores: cpus().length, stolenCores };
      }
      await exited;
      return stopped;
    },
  };
}

if (import.meta.main) {
  answerHelp(import.meta.url);
  const everyMs = Number(process.argv[2] ?? 5000);
  if (!(everyMs > 0)) {
    console.error(`EVERY_MS must be a positive number of milliseconds, not ${process.argv[2]}`);
    process.exit(2);
  }
  // The benchmark stops it; should the benchmark die first, it goes too (it has a new parent then).
  const parent = process.ppid;
  const piece = () => {
    if (process.ppid !== parent) process.exit(0);
    console.log(timePiece().toFixed(2));
  };
  // One piece first that is not counted: the first compiles the code it runs.
  timePiece();
  piece();
  setInterval(piece, everyMs);
  process.on("SIGTERM", () => process.exit(0));
}
