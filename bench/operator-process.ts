// The operator as its own process, the way the fleet benchmark runs it: the bundle (make build)
// with the V8 flags from operator/node-options, its metrics port read from its first log line.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { nodeEnv } from "../operator/image/image-config.ts";
import { operatorNodeEnv, operatorNodeOptions } from "../test/support/operator-node-options.ts";

const BUNDLE = "dist/operator.mjs";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How often the operator resyncs in every benchmark run (its default is 600 s), and the peers
 * (controller-runtime's SyncPeriod, default 10 hours): short enough that a steady-state window
 * holds a full resync (STEADY_WINDOW_SECONDS), long enough that the resync does not add a round of
 * reconciles every few seconds to a fleet that converges (ADR 16, fifteenth pass: 20 s did).
 */
export const RESYNC_SECONDS = 40;

/**
 * How long a steady state is watched: every object's resync falls in it. The operator skips a key
 * reconciled within the last half period and takes it at the next, so a key reconciled just
 * before the window is resynced within one and a half periods.
 */
export const STEADY_WINDOW_SECONDS = RESYNC_SECONDS * 1.5 + 5;

/**
 * The operator's flags in every benchmark run, besides `--kubeconfig` (the run's own control
 * plane): more workers, connections and a shorter resync than the defaults (4, 16 and 600 s; 32
 * connections: 16 held a new activation's creates back, 64 were no faster and held more memory,
 * ADR 16; BENCH_WORKERS and BENCH_API_CONNECTIONS for experiments), the memory-reducing collection's threshold
 * (BENCH_MEMORY_REDUCE_MB, for experiments), the first status's hold on a busy controller (its
 * default, printed; BENCH_BUSY_HOLD_SECONDS=5 holds as a quiet one, ADR 18), and every server on
 * a free loopback port. The
 * reports print them from here.
 */
export const OPERATOR_FLAGS: readonly string[] = [
  `--workers=${process.env.BENCH_WORKERS ?? "16"}`,
  `--api-connections=${process.env.BENCH_API_CONNECTIONS ?? "32"}`,
  `--resync-period-seconds=${RESYNC_SECONDS}`,
  `--memory-reduce-threshold-mb=${process.env.BENCH_MEMORY_REDUCE_MB ?? "16"}`,
  `--busy-first-status-hold-seconds=${process.env.BENCH_BUSY_HOLD_SECONDS ?? "180"}`,
  "--health-probe-bind-address=127.0.0.1:0",
  "--metrics-bind-address=127.0.0.1:0",
  "--metrics-secure=false",
  "--webhook-bind-address=127.0.0.1:0",
  "--webhook-url=https://127.0.0.1:0",
  "--log-level=info",
];

/** The value of `--name=value` among `flags` (by default OPERATOR_FLAGS; a report passes the ones its run recorded). */
export function operatorFlag(name: string, flags: readonly string[] = OPERATOR_FLAGS): string | undefined {
  return flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The operator's environment variables from operator/node-env, with the values it runs with (this process's if set). */
export function operatorEnvVars(): string[] {
  const env = operatorNodeEnv();
  return Object.keys(nodeEnv()).map((name) => `${name}=${env[name]}`);
}

/** The operator's V8 flags: BENCH_NODE_ARGS when it is set (for experiments), else operator/node-options. */
export function operatorNodeArgs(): string[] {
  return process.env.BENCH_NODE_ARGS !== undefined
    ? process.env.BENCH_NODE_ARGS.split(" ").filter(Boolean)
    : operatorNodeOptions();
}

export interface OperatorProcess {
  proc: ChildProcess;
  metricsUrl: string;
  stop(): Promise<void>;
}

/** Starts the operator; its log (JSON lines) goes to `logFile`. */
export async function startOperator(kubeconfig: string, logFile: string): Promise<OperatorProcess> {
  const proc = spawn(
    process.execPath,
    [
      ...operatorNodeArgs(),
      // BENCH_HEAP_SNAPSHOT=1: a heap snapshot of the operator after convergence (what is live).
      ...(process.env.BENCH_HEAP_SNAPSHOT ? ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=bench/results"] : []),
      // The bundle (make build), as the image runs it; the sources when it is missing.
      existsSync(BUNDLE) ? BUNDLE : "operator/src/main.ts",
      `--kubeconfig=${kubeconfig}`,
      ...OPERATOR_FLAGS,
    ],
    { env: operatorNodeEnv(), stdio: ["ignore", "pipe", "inherit"] },
  );
  // If the benchmark dies, the operator goes with it.
  const kill = () => proc.kill("SIGKILL");
  process.once("exit", kill);
  proc.once("exit", () => process.removeListener("exit", kill));
  const metricsPort = await new Promise<number>((resolve, reject) => {
    proc.stdout?.pipe(createWriteStream(logFile));
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.includes('"msg":"starting"')) resolve(JSON.parse(line).metrics as number);
    });
    proc.once("exit", (code) => reject(new Error(`the operator exited with ${code} during start-up`)));
  });
  // Wait for the webhook: it is registered after the metrics server starts.
  await sleep(2000);
  return {
    proc,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stop: async () => {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** How a supervised operator process ended when nobody asked it to, and the end of its log. */
export interface OwnExit {
  ended: string;
  log: string;
}

/**
 * The operator as its pod's restart policy keeps it: started again whenever it exits without being
 * asked to (a crash, a fatal error), and each such exit recorded. `kill()` is a crash on purpose
 * (SIGKILL, then a new process); `stop()` ends it.
 */
export class SupervisedOperator {
  private current: OperatorProcess | undefined;
  private gone: Promise<void> = Promise.resolve();
  private restarting: Promise<void> | undefined;
  private asked = false;
  /** Processes started, the one running included. */
  starts = 0;
  readonly ownExits: OwnExit[] = [];

  private readonly kubeconfig: string;
  private readonly logFile: (n: number) => string;
  private readonly say: (what: string) => void;

  constructor(kubeconfig: string, logFile: (n: number) => string, say: (what: string) => void) {
    this.kubeconfig = kubeconfig;
    this.logFile = logFile;
    this.say = say;
  }

  /** The running process's id (for SIGSTOP and SIGCONT). */
  get pid(): number {
    return this.current?.proc.pid as number;
  }

  /** Starts a process; one that exits during start-up (the API server away) is started again. */
  async start(): Promise<void> {
    for (;;) {
      const file = this.logFile(this.starts++);
      try {
        const op = await startOperator(this.kubeconfig, file);
        this.current = op;
        const done = (code: number | null, signal: string | null) => {
          if (!this.asked) this.exitedOnItsOwn(file, signal ? `signal ${signal}` : `exit code ${code}`);
        };
        if (op.proc.exitCode !== null || op.proc.signalCode !== null) {
          done(op.proc.exitCode, op.proc.signalCode);
          return;
        }
        this.gone = new Promise((resolve) =>
          op.proc.once("exit", (code, signal) => {
            resolve();
            done(code, signal);
          }),
        );
        return;
      } catch (err) {
        this.say(`operator start failed (${(err as Error).message}); again`);
        await sleep(1000);
      }
    }
  }

  private exitedOnItsOwn(file: string, ended: string): void {
    const log = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .slice(-5)
      .map((l) => l.slice(0, 300))
      .join("\n");
    this.ownExits.push({ ended, log });
    this.say(`the operator exited on its own (${ended}); started again. The end of its log:\n${log}`);
    this.restarting = this.start().finally(() => {
      this.restarting = undefined;
    });
  }

  /** SIGKILL, as a crash would, then a new process. */
  async kill(): Promise<void> {
    await this.restarting;
    this.asked = true;
    this.current?.proc.kill("SIGKILL");
    await this.gone;
    this.asked = false;
    await this.start();
  }

  async stop(): Promise<void> {
    await this.restarting;
    this.asked = true;
    await this.current?.stop();
  }
}
