// bench/fleet-print.ts prints a fleet run's tables from its JSON, and names the file it cannot read.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const print = (file: string) =>
  spawnSync(process.execPath, ["bench/fleet-print.ts", file], { encoding: "utf8", timeout: 30_000 });
const dir = mkdtempSync(join(tmpdir(), "fleet-print-"));

describe("fleet-print", () => {
  it("prints the growth runs a stopped run finished, one row each", () => {
    const file = join(dir, "fleet.json");
    const growthRun = (contender: string, repeat: number, readySeconds: number) => ({
      tenants: 34,
      activations: 170,
      contender,
      repeat,
      childrenSeconds: 9.5,
      readySeconds,
      peakRssMb: 120,
      loadAverage: [3.25, 2, 1],
    });
    writeFileSync(
      file,
      JSON.stringify({
        nodes: 10,
        machine: { cores: 2, cpu: "AMD EPYC", memoryGiB: 24, node: "v24.22.3" },
        operator: { flags: ["--workers=16"], nodeArgs: [] },
        main: { contenders: [], tenants: 342, activations: 1710 },
        growth: [growthRun("aihub", 1, 17), growthRun("peer-tuned", 1, 34)],
      }),
    );
    const r = print(file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("| 34 | 170 | aihub | 1 | 9.5 | 17.0 | 500 | 120 | 3.25 |");
    expect(r.stdout).toContain("| 34 | 170 | peer-tuned | 1 | 9.5 | 34.0 | 1000 | 120 | 3.25 |");
  });

  it("names a file that is not a fleet run's JSON", () => {
    const file = join(dir, "other.json");
    writeFileSync(file, JSON.stringify({ items: [] }));
    const r = print(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: no "main" or "machine"`);
    const missing = print(join(dir, "absent.json"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("absent.json: not the JSON of a fleet run (ENOENT");
  });
});
