// The operator as its own process, the way the fleet benchmark runs it: the bundle (make build)
// with the V8 flags from operator/node-options, its metrics port read from its first log line.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { operatorNodeOptions } from "../test/support/operator-node-options.ts";

const BUNDLE = "dist/operator.mjs";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      // The operator's own V8 flags, unless BENCH_NODE_ARGS replaces them (for experiments).
      ...(process.env.BENCH_NODE_ARGS !== undefined
        ? process.env.BENCH_NODE_ARGS.split(" ").filter(Boolean)
        : operatorNodeOptions()),
      // BENCH_HEAP_SNAPSHOT=1: a heap snapshot of the operator after convergence (what is live).
      ...(process.env.BENCH_HEAP_SNAPSHOT ? ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=bench/results"] : []),
      // The bundle (make build), as the image runs it; the sources when it is missing.
      existsSync(BUNDLE) ? BUNDLE : "operator/src/main.ts",
      `--kubeconfig=${kubeconfig}`,
      "--workers=16",
      "--resync-period-seconds=20",
      "--health-probe-bind-address=127.0.0.1:0",
      "--metrics-bind-address=127.0.0.1:0",
      "--metrics-secure=false",
      "--webhook-bind-address=127.0.0.1:0",
      "--webhook-url=https://127.0.0.1:0",
      "--log-level=info",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
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
