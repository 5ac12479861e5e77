// bench/rollout-report.ts prints the rollout benchmark's table: the good version's row of how fast
// the machine was (the speed probe), beside what the run measured.
import { afterEach, describe, expect, it, vi } from "vitest";
import { printRolloutReport } from "./rollout-report.ts";

afterEach(() => vi.restoreAllMocks());

const printed = (result: Record<string, unknown>) => {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => lines.push(args.join(" ")));
  printRolloutReport(result);
  return lines.join("\n").split("\n");
};

const run = (good: Record<string, unknown>) => ({
  flags: { BENCH_TENANTS: 3, BENCH_NODES: 2 },
  machine: { cores: 2, cpu: "AMD EPYC", memoryGiB: 24, node: "v24.22.3" },
  operator: { flags: ["--workers=16"], nodeArgs: [] },
  rings: { canary: 1, early: 1, general: 1 },
  good: {
    succeededSeconds: 41.25,
    rings: [],
    writes: { server: 90, operator: 30, byServer: {}, byOperator: {} },
    cpuSeconds: {},
    ...good,
  },
});

describe("the rollout report", () => {
  it("says how fast the machine was while the good version rolled out", () => {
    const lines = printed(
      run({ machineSpeed: { pieces: 8, meanMs: 72.04, minMs: 50, maxMs: 90.5, cores: 2, stolenCores: 0.1 } }),
    );
    const row = lines.find((l) => l.startsWith("| good: machine, the speed probe's CPU ms"));
    expect(row?.endsWith("| 72.0 (50.0 to 90.5), 0.10 of 2 cores stolen |")).toBe(true);
    expect(lines).toContain("| **good 1.1.0: publish to rollout Succeeded (s)** | **41.3** |");
  });

  it("prints a dash where a run has no speed probe (a JSON from before it)", () => {
    const row = printed(run({})).find((l) => l.startsWith("| good: machine, the speed probe's CPU ms"));
    expect(row?.endsWith("| - |")).toBe(true);
  });
});
