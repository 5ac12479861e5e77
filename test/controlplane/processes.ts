// Child processes of a control plane: started with logs in files, stopped by PID, and
// swept up after an interrupted run (a dir whose owner process is gone).
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const WORKDIR_PREFIX = "aihub-cp-";

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts a binary with its output in `<dir>/<name>.log` and its PID recorded in `<dir>/pids`. */
export function startProcess(dir: string, name: string, binary: string, args: string[]): ManagedProcess {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(binary, args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  if (child.pid) appendFileSync(join(dir, "pids"), `${child.pid}\n`);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.once("error", () => undefined);
  return { name, child, logFile, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
export async function stopProcess(p: ManagedProcess, graceMs = 5000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
  await p.exited;
  clearTimeout(timer);
}

export function tailOfLog(p: ManagedProcess, lines = 30): string {
  if (!existsSync(p.logFile)) return "";
  return readFileSync(p.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Whether a process's command line mentions `text` (guards against a recycled PID). */
function commandLineMentions(pid: number, text: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
  } catch {
    return false;
  }
}

/**
 * Kills every process recorded in `<dir>/pids` whose command line names the dir; synchronous,
 * so that it works in a process 'exit' hook.
 */
export function killRecordedSync(dir: string): void {
  const file = join(dir, "pids");
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const pid = Number(line);
    if (pid > 0 && isAlive(pid) && commandLineMentions(pid, dir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Removes the work dirs of control planes whose owner process has died (an interrupted
 * test run or `make dev` killed with SIGKILL), killing the processes they recorded.
 */
export function sweepOrphans(): number {
  let swept = 0;
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(WORKDIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    const ownerFile = join(dir, "owner");
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, "utf8"));
    if (owner > 0 && isAlive(owner)) continue;
    killRecordedSync(dir);
    rmSync(dir, { recursive: true, force: true });
    swept++;
  }
  return swept;
}
