// CPU seconds and peak memory of a process, from /proc (Linux), and what machine this is, from node:os.
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

const CLOCK_TICKS = 100;

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Peak resident set size in MB (VmHWM). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** The machine's CPU time so far in seconds (all cores), from /proc/stat: busy, idle and stolen by the hypervisor. */
export function machineCpu(): { busy: number; idle: number; steal: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const s = (x: number | undefined) => (x ?? 0) / CLOCK_TICKS;
  return {
    busy: s(user) + s(nice) + s(system) + s(irq) + s(softirq),
    idle: s(idle) + s(iowait),
    steal: s(steal),
  };
}

export interface Machine {
  cores: number;
  cpu?: string;
  memoryGiB: number;
  node: string;
}

/** The machine the benchmark ran on, as the OS reports it: cores, CPU model, memory; and Node's version. */
export function machine(): Machine {
  const cores = cpus();
  return {
    cores: cores.length,
    cpu: cores[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** The machine in one line of a report. */
export const machineLine = (m: Machine) => `${m.cores} cores (${m.cpu ?? "?"}), ${m.memoryGiB} GiB, Node ${m.node}`;
