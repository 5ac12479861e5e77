// bench/fleet-print.ts prints a fleet run's tables from its JSON, and names the file it cannot read.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const print = (file: string) =>
  spawnSync(process.execPath, ["bench/fleet-print.ts", file], { encoding: "utf8", timeout: 30_000 });
const dir = mkdtempSync(join(tmpdir(), "fleet-print-"));
/** A fleet run's JSON with this main run and these growth runs, on a 2-core machine; its path. */
const writeRun = (
  name: string,
  main: Record<string, unknown>,
  growth: Record<string, unknown>[] = [],
  times: Record<string, string> = {},
) => {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      ...times,
      nodes: 10,
      machine: { cores: 2, cpu: "AMD EPYC", memoryGiB: 24, node: "v24.22.3" },
      operator: { flags: ["--workers=16"], nodeArgs: [] },
      main,
      growth,
    }),
  );
  return file;
};

describe("fleet-print", () => {
  it("prints the growth runs a stopped run finished, one row each", () => {
    const growthRun = (contender: string, repeat: number, readySeconds: number) => ({
      tenants: 34,
      activations: 170,
      contender,
      repeat,
      childrenSeconds: 9.5,
      readySeconds,
      peakRssMb: 120,
      loadAverage: [3.25, 2, 1],
      machineSpeed: { pieces: 4, meanMs: 52.5, minMs: 40, maxMs: 60 },
    });
    const file = writeRun("fleet.json", { contenders: [], tenants: 342, activations: 1710 }, [
      growthRun("aihub", 1, 17),
      growthRun("peer-tuned", 1, 34),
    ]);
    const r = print(file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("| 34 | 170 | aihub | 1 | 9.5 | 17.0 | 500 | 120 | 3.25 | 52.5 |");
    expect(r.stdout).toContain("| 34 | 170 | peer-tuned | 1 | 9.5 | 34.0 | 1000 | 120 | 3.25 | 52.5 |");
  });

  it("prints each phase's machine speed and the ratio to the raw client at equal speed", () => {
    const speed = (meanMs: number, stolenCores: number) => ({
      pieces: 40,
      meanMs,
      minMs: meanMs - 10,
      maxMs: meanMs + 10,
      cores: 2,
      stolenCores,
    });
    const file = writeRun("speed.json", {
      contenders: ["raw", "aihub"],
      tenants: 342,
      activations: 1710,
      // Two raw runs: 200 s at 50 ms a piece and nothing stolen (200 x 2 / 50 = 8), 300 s at
      // 100 ms with half a core stolen (300 x 1.5 / 100 = 4.5): 6.25 on average.
      raw: {
        seconds: 100,
        availableSeconds: 250,
        podsReadySeconds: 249,
        objects: 14364,
        cpuSeconds: {},
        machineSpeed: speed(50, 0),
      },
      rawAvailableSeconds: [200, 300],
      rawMachineSpeed: [speed(50, 0), speed(100, 0.5)],
      // 350 s at 80 ms with 0.4 cores stolen: 350 x 1.6 / 80 = 7, 1.12 times 6.25; the plain
      // ratio is 1.40 times the mean of 250 s.
      readySeconds: 350,
      podsReadySeconds: 331,
      podsReadyAfterWorkload: { p50: 12.4, p90: 40, max: 81 },
      podSteps: {
        workload: { p50: 150, p90: 230, max: 250 },
        pod: { p50: 20, p90: 40, max: 60 },
        ready: { p50: 1, p90: 2, max: 3 },
      },
      reconcilesByController: { blockactivation: 5000, blockrollout: 7 },
      memory: {
        rssMb: 120,
        heapUsedMb: 60,
        heapTotalMb: 70,
        externalMb: 5,
        reductions: 3,
        reductionSeconds: 0.5,
        gcSeconds: { minor: 3.5, major: 1.25 },
      },
      machineSpeed: speed(80, 0.4),
      cpuByProcess: {},
      requests: {},
      steady: { writes: 0, reconciles: 2052, windowSeconds: 25, cpuSeconds: 1 },
    });
    const r = print(file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "| 50.0 (40.0 to 60.0), 0.00 of 2 cores stolen, 100.0 (90.0 to 110.0), 0.50 of 2 cores stolen | 80.0 (70.0 to 90.0), 0.40 of 2 cores stolen |",
    );
    expect(r.stdout).toContain("| / raw client (Ready / available) | - | 1.40 |");
    expect(r.stdout).toContain("its probe's mean) | - | 1.12 |");
    // The cluster's part of each phase (the last pod Ready), and the operator's collections.
    expect(r.stdout).toContain(
      "after its StatefulSet was created | 249.0 | 331.0 (median 12, 90th percentile 40, at most 81 s) |",
    );
    // Where each pod's time went; a step the JSON does not have is "-", a run without steps too.
    expect(r.stdout).toContain(
      "Ready after scheduled (kwok) | - | workload 150 / 230 / 250; pod 20 / 40 / 60; volume -; scheduled -; ready 1 / 2 / 3 |",
    );
    expect(r.stdout).toContain("until Ready (s, by kind) | minor 3.50, major 1.25 |");
    expect(r.stdout).toContain(
      "| operator reconciles until Ready, by controller | blockactivation 5000, blockrollout 7 |",
    );
  });

  const side = (seconds: number, meanMs: number, cpuSeconds?: number, peakRssMb?: number) => ({
    seconds,
    machineSpeed: { pieces: 40, meanMs, minMs: meanMs, maxMs: meanMs, cores: 2, stolenCores: 0 },
    ...(cpuSeconds !== undefined && { cpuSeconds }),
    ...(peakRssMb !== undefined && { peakRssMb }),
  });
  /** A run of three rounds of raw client and aihub in turn, started at `startedAt`; its path. */
  const roundsRun = (name: string, startedAt?: string) =>
    writeRun(
      name,
      {
        contenders: ["raw", "aihub"],
        tenants: 342,
        activations: 1710,
        raw: { seconds: 100, availableSeconds: 200, objects: 14364, cpuSeconds: {} },
        readySeconds: 240,
        cpuByProcess: {},
        requests: {},
        steady: { writes: 0, reconciles: 2052, windowSeconds: 65, cpuSeconds: 1 },
        rounds: [
          // 240 / 200 on the same machine throughout: 1.20 each way.
          { rawBefore: side(200, 40, 400), aihub: side(240, 40, 480, 140), rawAfter: side(200, 40, 400) },
          // 300 / 225 plainly; on an equal machine 300 x 2 / 50 = 12 against (10 + 10) / 2.
          { rawBefore: side(200, 40, 400), aihub: side(300, 50, 600, 150), rawAfter: side(250, 50, 500) },
          // 260 / 245 plainly; 13 against (10 + 12) / 2 = 1.18; no CPU for aihub: "-".
          { rawBefore: side(250, 50, 500), aihub: side(260, 40, undefined, 145), rawAfter: side(240, 40, 480) },
        ],
      },
      [],
      startedAt ? { startedAt } : {},
    );

  it("prints each round of raw client and aihub in turn against the raw phases around it, the medians and what the rounds say together", () => {
    const r = print(roundsRun("rounds.json"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Raw client and aihub in turn, 3 rounds");
    expect(r.stdout).toContain("| 1 | 200.0 | 240.0 | 200.0 | 1.20 | 1.20 | 1.20 | 40.0, 40.0, 40.0 | 140 |");
    expect(r.stdout).toContain("| 2 | 200.0 | 300.0 | 250.0 | 1.33 | 1.20 | 1.33 | 40.0, 50.0, 50.0 | 150 |");
    expect(r.stdout).toContain("| 3 | 250.0 | 260.0 | 240.0 | 1.06 | 1.18 | - | 50.0, 40.0, 40.0 | 145 |");
    // Medians: of 1.20, 1.33 and 1.06; of 1.20, 1.20 and 1.18; of the two CPU ratios, 1.20 and 1.33.
    expect(r.stdout).toContain("| median | | 260.0 | | 1.20 | 1.20 | 1.27 | | 145 |");
    // Plainly: mean 1.198, standard deviation 0.136, ± 4.303 x 0.136 / √3; 1.20 and 1.06 at most 1.2.
    expect(r.stdout).toContain(
      "3 rounds: / raw: median 1.20, mean 1.20 (95 % interval 0.86 to 1.54), 1.06 to 1.33, at most 1.2 in 2 of 3; " +
        "on an equal machine: median 1.20, mean 1.19 (95 % interval 1.17 to 1.22), 1.18 to 1.20, at most 1.2 in 3 of 3; " +
        "aihub peak RSS 140 to 150 MB.",
    );
    // A run without rounds prints no such table.
    const plain = print(writeRun("no-rounds.json", { contenders: ["raw"], tenants: 3, activations: 15 }));
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain("in turn");
  });

  it("prints the rounds of several runs as one table, each round named by its run's start, and names a run without rounds", () => {
    const a = roundsRun("rounds-a.json", "2026-12-05T09:22:11.000Z");
    const b = roundsRun("rounds-b.json", "2026-12-05T10:01:37.000Z");
    const r = spawnSync(process.execPath, ["bench/fleet-print.ts", "--rounds", a, b], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Raw client and aihub in turn: 6 rounds of 2 runs");
    expect(r.stdout).toContain("| 2026-12-05 09:22, 1 | 200.0 | 240.0 | 200.0 | 1.20 |");
    expect(r.stdout).toContain("| 2026-12-05 10:01, 3 | 250.0 | 260.0 | 240.0 | 1.06 |");
    // The same three ratios twice: the same median and mean, a narrower interval (t 2.571, √6).
    expect(r.stdout).toContain(
      "6 rounds: / raw: median 1.20, mean 1.20 (95 % interval 1.07 to 1.33), 1.06 to 1.33, at most 1.2 in 4 of 6;",
    );
    const none = spawnSync(
      process.execPath,
      ["bench/fleet-print.ts", "--rounds", a, writeRun("one-round.json", { contenders: ["raw"], tenants: 3 })],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("one-round.json: no rounds (a run with BENCH_ROUNDS=2 or more has them)");
  });

  /** A raw and an aihub phase of 3 municipalities, with `raw` in the raw client's measures until available and `aihub` in aihub's. */
  const twoPhases = (raw: object, aihub: object) => ({
    contenders: ["raw", "aihub"],
    tenants: 3,
    activations: 15,
    raw: {
      seconds: 10,
      availableSeconds: 20,
      objects: 126,
      cpuSeconds: {},
      available: { cpuSeconds: {}, serverWrites: { "POST configmaps": 30 }, ...raw },
    },
    readySeconds: 24,
    serverWrites: { "POST configmaps": 30 },
    ...aihub,
    cpuByProcess: {},
    requests: {},
    steady: { writes: 0, reconciles: 15, windowSeconds: 65, cpuSeconds: 0.1 },
  });

  it("prints the watch events the API server sent, by resource, with the largest first, and none for a run without them", () => {
    const r = print(
      writeRun(
        "watch-events.json",
        twoPhases(
          { serverWatchEvents: { "statefulsets.apps": { events: 40, mb: 0.31 }, pods: { events: 60, mb: 0.5 } } },
          {
            serverWatchEvents: {
              "statefulsets.apps": { events: 55, mb: 0.62 },
              "blockactivations.aihub.gemeenten.nl": { events: 45, mb: 0.1 },
              pods: { events: 60, mb: 0.5 },
            },
          },
        ),
      ),
    );
    expect(r.status, r.stderr).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf("Watch events the API server sent"));
    expect(table).toContain("| statefulsets.apps | 40 (0.3) | 55 (0.6) |");
    expect(table).toContain("| blockactivations.aihub.gemeenten.nl | - | 45 (0.1) |");
    expect(table).toContain("| all resources | 100 (0.8) | 160 (1.2) |");
    expect(table.indexOf("statefulsets.apps")).toBeLessThan(table.indexOf("| pods |"));
    expect(table.indexOf("| pods |")).toBeLessThan(table.indexOf("blockactivations"));
    const before = print(writeRun("no-watch-events.json", twoPhases({}, {})));
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).not.toContain("Watch events the API server sent");
  });

  it("prints the API server's mean time per kind of write and admission step, the most time first, and none for a run without them", () => {
    const latency = (services: number) => ({
      serverLatency: {
        writes: { "POST services": { count: 15, meanMs: services }, "POST configmaps": { count: 30, meanMs: 80.4 } },
        admission: { "ResourceQuota CREATE": { count: 60, meanMs: 2.46 } },
      },
    });
    const r = print(writeRun("latency.json", twoPhases(latency(2134), latency(843))));
    expect(r.status, r.stderr).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf("How long the API server took per request"));
    expect(table).toContain("| POST services | 2134 (15) | 843 (15) |");
    expect(table).toContain("| POST configmaps | 80 (30) | 80 (30) |");
    expect(table).toContain("| admission: ResourceQuota CREATE | 2.5 (60) | 2.5 (60) |");
    expect(table.indexOf("POST services")).toBeLessThan(table.indexOf("POST configmaps"));
    const before = print(writeRun("no-latency.json", twoPhases({}, {})));
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).not.toContain("How long the API server took per request");
  });

  it("prints how long the run took, by part, and says when it was stopped before its end", () => {
    const main = {
      contenders: ["raw", "aihub"],
      tenants: 342,
      activations: 1710,
      wallSeconds: { raw: 380.4, aihub: 699.6 },
    };
    const growth = [
      { tenants: 34, activations: 170, contender: "aihub", repeat: 1, readySeconds: 40, wallSeconds: 70 },
      { tenants: 34, activations: 170, contender: "peer-tuned", repeat: 1, readySeconds: 60, wallSeconds: 86 },
    ];
    const startedAt = "2026-12-03T10:00:00.000Z";
    const mainEndedAt = "2026-12-03T10:18:00.000Z";
    const whole = print(
      writeRun("whole.json", main, growth, { startedAt, mainEndedAt, endedAt: "2026-12-03T10:20:36.000Z" }),
    );
    expect(whole.status, whole.stderr).toBe(0);
    expect(whole.stdout).toContain(
      "Duration (wall clock; each phase with its control plane's start and stop): main run 18.0 min (raw 380 s, aihub 700 s); 2 growth runs 2.6 min; the whole run 20.6 min.",
    );
    const stopped = print(writeRun("stopped.json", main, growth.slice(0, 1), { startedAt, mainEndedAt }));
    expect(stopped.status, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain("1 growth run 1.2 min; the run was stopped before its end.");
    // The JSON of a run before the times were recorded prints no duration.
    expect(print(writeRun("before.json", main, growth)).stdout).not.toContain("Duration");
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
