// The logging sidecar (aihub-otelcol) as a process, for its tests and its benchmark: built (or
// found in the cache) by sidecar/build.sh, started with a rendered configuration, probed through
// its health check and read through its Prometheus metrics.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

/** The control plane's, for the collector's ports. */
export { freePort } from "../controlplane/control-plane.ts";

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");

/** The sidecar's binary: sidecar/build.sh builds it once (a minute or more), then finds it. */
export async function collectorBinary(): Promise<string> {
  const { stdout } = await run("bash", [path.join(repo, "sidecar/build.sh")], { maxBuffer: 64 << 20 });
  return stdout.trim().split("\n").pop() ?? "";
}

/** `aihub-otelcol validate`: whether the collector accepts a configuration, and what it said. */
export async function validate(binary: string, configPath: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(binary, ["validate", `--config=${configPath}`]);
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message };
  }
}

export interface SidecarOptions {
  binary: string;
  configPath: string;
  /** Where its output goes (appended: a restarted sidecar writes on). */
  logFile: string;
  healthPort: number;
  metricsPort: number;
  /** A command that runs the binary (for example taskset), and extra environment. */
  wrap?: string[];
  env?: Record<string, string>;
}

export class Sidecar {
  process: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

  readonly opts: SidecarOptions;

  constructor(opts: SidecarOptions) {
    this.opts = opts;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts it and waits until its health check answers 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    const { binary, configPath, logFile, wrap = [], env = {} } = this.opts;
    const out = createWriteStream(logFile, { flags: "a" });
    const [command, ...args] = [...wrap, binary, `--config=${configPath}`];
    const child = spawn(command as string, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Both into one file: neither may end it, the process's close does.
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    child.once("close", () => out.end());
    this.process = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    let gone = false;
    void this.exited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (gone) throw new Error(`the sidecar exited at start:\n${this.logTail()}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.opts.healthPort}/status`, {
          signal: AbortSignal.timeout(1000),
        });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the sidecar was not healthy within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Sends a signal and waits until it is gone (SIGTERM: a graceful stop; SIGKILL: none). */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<number | null> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      this.process = undefined;
    }
  }

  /** The health check's answer. */
  async health(): Promise<{ status: number; body: string }> {
    const res = await fetch(`http://127.0.0.1:${this.opts.healthPort}/status`);
    return { status: res.status, body: await res.text() };
  }

  /** The Prometheus text of its metrics. */
  async metricsText(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.opts.metricsPort}/metrics`);
    return res.text();
  }

  /** The sum of a metric's samples whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumMetric(await this.metricsText(), name, labels);
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.opts.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no output)";
    }
  }
}

/** The sum of the samples of `name` in Prometheus text whose labels include `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([-+0-9.eEInfa]+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      have[l[1] as string] = l[2] as string;
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}
