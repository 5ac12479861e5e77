// The controller-runtime peer (bench/peer) as its own process, the way the fleet benchmark runs
// it: the binary bench/peer/build.sh caches (make peer), the flags of one contender, its log
// (zap JSON on stderr) kept in a file, started once both controllers run their workers.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { freePort } from "../test/controlplane/control-plane.ts";
import { RESYNC_SECONDS } from "./operator-process.ts";

/**
 * The peers of the benchmark, by name (BENCH_CONTENDERS): their flags besides --kubeconfig,
 * --children and --metrics-bind-address. Every one has aihub's resync period as its SyncPeriod,
 * so that a full resync falls in the steady-state window as aihub's does (RESYNC_SECONDS).
 */
export const PEER_FLAGS: Record<string, readonly string[]> = {
  // controller-runtime v0.23's defaults: one reconcile at a time per controller, and no
  // client-side rate limit (GetConfig sets QPS -1 since v0.21).
  "peer-default": [`--sync-period=${RESYNC_SECONDS}s`],
  // As a careful team would tune it: as many concurrent reconciles as aihub's workers in this
  // benchmark (--workers=16), no client-side rate limit (said explicitly).
  "peer-tuned": ["--max-concurrent-reconciles=16", "--kube-api-qps=-1", `--sync-period=${RESYNC_SECONDS}s`],
  // The client limit controller-runtime had by default up to v0.20 (20 requests/s, burst 30),
  // with its default of one reconcile at a time. Not in the default set: about 15,000 requests
  // at 342 municipalities take it over 12 minutes.
  "peer-qps20": ["--kube-api-qps=20", "--kube-api-burst=30", `--sync-period=${RESYNC_SECONDS}s`],
};

// With one reconcile at a time, the peer with controller-runtime's defaults needs more than 10
// minutes at 342 municipalities on 2 cores: capped, so that make bench stays within about 20.
// When aihub ran before it in the same run (or at the same growth size just before), the cap is
// aihub's time until Ready: a peer that is not Ready by then is slower than aihub, which is what
// the comparison asks, and a longer cap only costs the run's time (at 1.25 times aihub's time,
// both peers of a make bench on a slow machine took 3 minutes more). Without aihub, the cap is
// 300 s at 342 municipalities, in proportion for other sizes. At least two minutes either way;
// a configured cap (BENCH_PEER_TIMEOUT, seconds at 342, in proportion) is a floor over both.
export const peerTimeoutMs = (tenants: number, aihubReadySeconds?: number, configured?: number) => {
  const own = (configured ?? (aihubReadySeconds === undefined ? 300 : 0)) * (tenants / 342);
  return Math.round(Math.max(120, own, aihubReadySeconds ?? 0)) * 1000;
};

export interface PeerProcess {
  proc: ChildProcess;
  metricsUrl: string;
  flags: string[];
  stop(): Promise<void>;
}

/** The peer's binary: built (or found in the cache) by bench/peer/build.sh. */
export const peerBinary = (): string =>
  execFileSync("bash", ["bench/peer/build.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

/** Starts the peer `name` (a key of PEER_FLAGS) on `kubeconfig`; resolves once both controllers run. */
export async function startPeer(
  name: string,
  binary: string,
  kubeconfig: string,
  childrenFile: string,
  logFile: string,
): Promise<PeerProcess> {
  const own = PEER_FLAGS[name];
  if (!own) throw new Error(`BENCH_CONTENDERS: no peer ${name}; the peers are ${Object.keys(PEER_FLAGS).join(", ")}`);
  const port = await freePort();
  const flags = [`--children=${childrenFile}`, `--metrics-bind-address=127.0.0.1:${port}`, ...own];
  const proc = spawn(binary, [`--kubeconfig=${kubeconfig}`, ...flags], { stdio: ["ignore", "ignore", "pipe"] });
  const kill = () => proc.kill("SIGKILL");
  process.once("exit", kill);
  proc.once("exit", () => process.removeListener("exit", kill));
  await new Promise<void>((resolve, reject) => {
    proc.stderr?.pipe(createWriteStream(logFile));
    const lines = createInterface({ input: proc.stderr as NodeJS.ReadableStream });
    let running = 0;
    lines.on("line", (line) => {
      if (line.includes('"Starting workers"') && ++running === 2) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`the peer exited with ${code} during start-up; see ${logFile}`)));
  });
  return {
    proc,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    flags: own.slice(),
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
