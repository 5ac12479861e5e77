// make bench: the national fleet. Starts a fresh local control plane with kwok nodes for each
// contender, applies N municipalities with five activations each at once, and measures
// convergence, the API server's work and the contender's own cost. The contenders:
//   raw            a concurrent client that creates the same objects: the tenants, the activations
//                  and their children (rendered by aihub's code), the API server's limit; runs
//                  before aihub (BENCH_RAW=2: again after the peers, the ratio uses the mean)
//   aihub          the operator as its own process (the bundle, its V8 flags), with a
//                  steady-state resync and the propagation of a new block version
//   peer-default   aihub-peer (bench/peer): a controller-runtime operator that applies the same
//                  children (a file rendered by aihub's renderers), controller-runtime's defaults
//   peer-tuned     the same, tuned: 16 concurrent reconciles (aihub's --workers here), no
//                  client-side rate limit
//   peer-qps20     optional: controller-runtime's client limit up to v0.20 (20/s, burst 30)
// Prints markdown tables (a three-way table of all contenders) and writes JSON; asserts nothing
// on time. Every figure is measured; the machine's facts come from the OS, and how fast it was in
// each phase from a speed probe beside the processes (bench/speed-probe.ts: CPU ms of a fixed
// piece of work, cores stolen by the hypervisor).
//
//   BENCH_TENANTS=342 (default)    fleet size of the main run
//   BENCH_CONTENDERS=raw,aihub,peer-default,peer-tuned (default)   who runs in the main run
//                                  (empty: no main run, for growth runs alone)
//   BENCH_GROWTH=34,171,342,1000   also run these sizes (time and memory per tenant); empty: none
//   BENCH_GROWTH_CONTENDERS=aihub,peer-tuned (default)   who runs the growth sizes
//   BENCH_GROWTH_REPEAT=1          how often each growth size runs (2 shows the spread)
//   BENCH_PEER_TIMEOUT             seconds a peer may take until everything is Ready at 342
//                                  municipalities (in proportion for other sizes); unset: aihub's
//                                  time when aihub ran before it (in the main run, or at that
//                                  growth size), else 300; at least 120; then it is reported as
//                                  "did not converge within N s"
//   BENCH_REQUIRE_CONVERGENCE=1    a peer that does not converge fails the run (the CI smoke)
//   BENCH_NODES=10                 kwok nodes
//   BENCH_OUT=bench/results        where the JSON goes
//   BENCH_RAW=1 (default)          raw baseline runs: 1 before the operator phase; 2: also one
//                                  after the peers (the ratio uses their mean); 0: none
//   BENCH_ROUNDS=1 (default)       N: after the main run, aihub and the raw client N-1 times more in
//                                  turn (raw, aihub, ..., raw), each aihub phase against the raw
//                                  phases on both sides; prints each round's ratios, the medians and
//                                  the means' 95 % intervals (bench/fleet-print.ts --rounds: of runs)
//   BENCH_RAW_WATCHES=1            the raw phases also keep the operator's watches (in JSON, acting
//                                  on nothing): what those streams alone cost a phase
//   BENCH_NODE_ARGS="..."          the operator's V8 flags instead of operator/node-options (with
//                                  --cpu-prof, bench/cpu-profile-summary.ts reads its profile)
//   BENCH_MEMORY_REDUCE_MB=16      the operator's --memory-reduce-threshold-mb (0: off)
//   BENCH_API_CONNECTIONS=32       the operator's --api-connections
//   BENCH_WORKERS=16               the operator's --workers
//   BENCH_BUSY_HOLD_SECONDS=180    the operator's --busy-first-status-hold-seconds (5: as quiet)
//   BENCH_HEAP_SNAPSHOT=1          a heap snapshot after convergence (bench/heap-summary.ts reads it)
//   BENCH_PROFILE=60               a CPU profile of kube-apiserver over the first 60 s of each phase
//                                  (go tool pprof -top <file>); BENCH_PROFILE=phase: over each whole
//                                  phase until Ready (available), in 10 s pieces merged into one
//   BENCH_PROFILE_KEEP=1           keeps those pieces too (<file>.<n>, the n-th 10 s), to read a
//                                  part of a phase (go tool pprof -proto <pieces> merges them)
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { type AIBuildingBlock, aiBuildingBlock } from "../operator/src/api/v1alpha1/index.ts";
import { readManifests } from "../test/support/manifests.ts";
import { rawPhase } from "./fleet-raw.ts";
import { log, outDir, profileApiServer, type RunOptions, reconcilerPhase, stamp } from "./fleet-reconciler.ts";
import { peerChildrenFile, renderFleet } from "./fleet-render.ts";
import { growthTable, printFleetReport } from "./fleet-report.ts";
import type { Round, RoundPhase } from "./fleet-rounds.ts";
import { FLEET_BLOCKS } from "./fleet-spec.ts";
import { answerHelp } from "./help.ts";
import { OPERATOR_FLAGS, operatorEnvVars, operatorNodeArgs, startOperator } from "./operator-process.ts";
import { PEER_FLAGS, peerBinary, peerTimeoutMs, startPeer } from "./peer-process.ts";
import { machine } from "./process-stats.ts";
import type { MachineSpeed } from "./speed-probe.ts";

answerHelp(import.meta.url);

/** Who may run: the raw client, aihub, and the peers of bench/peer-process.ts. */
const CONTENDERS = ["raw", "aihub", ...Object.keys(PEER_FLAGS)];

/** The contenders a BENCH_* variable names (comma-separated); an unknown one is an error that lists the known. */
function contendersOf(variable: string, fallback: string): string[] {
  const list = (process.env[variable] ?? fallback)
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = list.filter((c) => !CONTENDERS.includes(c));
  if (unknown.length) {
    throw new Error(
      `${variable}=${process.env[variable]}: no contender ${unknown.join(", ")}; choose from ${CONTENDERS.join(", ")}`,
    );
  }
  return list;
}

async function run(o: RunOptions) {
  const result: Record<string, unknown> = {
    tenants: o.tenants,
    activations: o.tenants * FLEET_BLOCKS.length,
    contenders: o.contenders,
  };
  // Each phase's wall-clock seconds, its control plane's start and stop included: what make
  // bench's duration is made of.
  const wallSeconds: Record<string, number> = {};
  result.wallSeconds = wallSeconds;
  const timed = async <T>(name: string, phase: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await phase();
    } finally {
      wallSeconds[name] = (performance.now() - start) / 1000;
    }
  };
  const catalog = readManifests("examples/catalog");
  const blocks = new Map(catalog.map((b) => [b.metadata?.name ?? "", aiBuildingBlock.parse(b) as AIBuildingBlock]));
  // The raw phase can run on both sides of the operator phases (BENCH_RAW=2), compared by the
  // mean, for a machine whose speed drifts; once by default, so that make bench stays short.
  const rawRuns: Awaited<ReturnType<typeof rawPhase>>[] = [];
  const rawRun = async () => {
    const name = ["raw", "raw, again"][rawRuns.length] ?? `raw ${rawRuns.length + 1}`;
    rawRuns.push(await timed(name, () => rawPhase(o.tenants, o.nodes, blocks, catalog, profileApiServer)));
    log.info({ seconds: rawRuns.at(-1)?.seconds }, "raw baseline done");
    // The table's raw column: the phases before and after the first aihub phase (round 1's).
    const first = rawRuns.slice(0, 2);
    const mean = (of: (r: (typeof rawRuns)[number]) => number) =>
      first.reduce((sum, r) => sum + of(r), 0) / first.length;
    result.raw = {
      ...rawRuns[0],
      seconds: mean((r) => r.seconds),
      availableSeconds: mean((r) => r.availableSeconds),
      podsReadySeconds: mean((r) => r.podsReadySeconds ?? Number.NaN),
    };
    result.rawSeconds = first.map((r) => r.seconds);
    result.rawAvailableSeconds = first.map((r) => r.availableSeconds);
    result.rawLoad = first.map((r) => r.loadAverage[0]);
    result.rawMachineSpeed = first.map((r) => r.machineSpeed);
  };
  const sum = (byProcess: Record<string, number> | undefined) =>
    byProcess ? Object.values(byProcess).reduce((a, b) => a + b, 0) : undefined;
  const rawSide = (r: (typeof rawRuns)[number]): RoundPhase => ({
    seconds: r.availableSeconds,
    machineSpeed: r.machineSpeed,
    cpuSeconds: sum(r.available.cpuSeconds),
  });
  const aihubSide = (a: Record<string, unknown>): RoundPhase => ({
    seconds: a.readySeconds as number,
    machineSpeed: a.machineSpeed as MachineSpeed | undefined,
    cpuSeconds: sum(a.cpuByProcess as Record<string, number> | undefined),
    peakRssMb: a.peakRssMb as number | undefined,
  });
  const aihubPhase = (round: number, options: RunOptions) =>
    reconcilerPhase(
      options,
      catalog,
      "aihub",
      async (cp) => {
        const suffix = round > 1 ? `-round${round}` : "";
        const op = await startOperator(cp.kubeconfigPath, `${outDir}/operator-${o.tenants}-${stamp}${suffix}.log`);
        return { pid: op.proc.pid as number, metricsUrl: op.metricsUrl, flags: [...OPERATOR_FLAGS], stop: op.stop };
      },
      1_800_000,
    );
  const withRaw = o.contenders.includes("raw");
  if (withRaw && o.raw > 0) await rawRun();
  if (o.contenders.includes("aihub")) {
    // aihub's figures stay at the top of the result, where the reports before issue 16 read them.
    const aihub = await timed("aihub", () => aihubPhase(1, o));
    Object.assign(result, aihub);
    log.info({ readySeconds: aihub.readySeconds }, "aihub done");
  }
  const peers = o.contenders.filter((c) => c in PEER_FLAGS);
  if (peers.length) {
    // The peer's desired children, from aihub's renderers, for the fleet the benchmark applies.
    const file = `${tmpdir()}/aihub-peer-children-${o.tenants}-${stamp}.json`;
    writeFileSync(file, JSON.stringify(peerChildrenFile(renderFleet(o.tenants, blocks))));
    const binary = peerBinary();
    const byPeer: Record<string, Record<string, unknown>> = {};
    result.peers = byPeer;
    try {
      for (const name of peers) {
        byPeer[name] = {
          childrenFileMb: statSync(file).size / 2 ** 20,
          ...(await timed(name, () =>
            reconcilerPhase(
              o,
              catalog,
              name,
              async (cp) => {
                const p = await startPeer(
                  name,
                  binary,
                  cp.kubeconfigPath,
                  file,
                  `${outDir}/${name}-${o.tenants}-${stamp}.log`,
                );
                return { pid: p.proc.pid as number, metricsUrl: p.metricsUrl, flags: p.flags, stop: p.stop };
              },
              peerTimeoutMs(
                o.tenants,
                (result.readySeconds as number | undefined) ?? o.aihubReadySeconds,
                process.env.BENCH_PEER_TIMEOUT ? Number(process.env.BENCH_PEER_TIMEOUT) : undefined,
              ),
            ),
          )),
        };
        log.info({ contender: name, readySeconds: byPeer[name]?.readySeconds }, "peer done");
      }
    } finally {
      rmSync(file, { force: true });
    }
  }
  if (withRaw && (o.raw > 1 || o.rounds > 1)) await rawRun();
  // BENCH_ROUNDS=N: aihub and the raw client again in turn, so that each aihub phase has a raw
  // phase on both sides; without the steady state and the new version, which round 1 measured.
  if (o.rounds > 1 && typeof result.readySeconds === "number") {
    const phases = [aihubSide(result)];
    const runs: Record<string, unknown>[] = [];
    result.aihubRounds = runs;
    for (let round = 2; round <= o.rounds; round++) {
      const again = await timed(`aihub ${round}`, () => aihubPhase(round, { ...o, steady: false, propagation: false }));
      runs.push(again);
      phases.push(aihubSide(again));
      log.info({ round, readySeconds: again.readySeconds }, "aihub done");
      await rawRun();
      result.rounds = phases.flatMap((aihub, i): Round[] => {
        const [before, after] = [rawRuns[i], rawRuns[i + 1]];
        return before && after ? [{ rawBefore: rawSide(before), aihub, rawAfter: rawSide(after) }] : [];
      });
      o.onRound?.(result);
    }
  }
  return result;
}

const size = Number(process.env.BENCH_TENANTS ?? 342);
const nodes = Number(process.env.BENCH_NODES ?? 10);
const growth = (process.env.BENCH_GROWTH ?? "").split(",").filter(Boolean).map(Number);
const contenders = contendersOf("BENCH_CONTENDERS", "raw,aihub,peer-default,peer-tuned");
const growthContenders = contendersOf("BENCH_GROWTH_CONTENDERS", "aihub,peer-tuned").filter((c) => c !== "raw");
const growthRepeat = Number(process.env.BENCH_GROWTH_REPEAT ?? 1);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`BENCH_ROUNDS=${process.env.BENCH_ROUNDS}: a whole number of rounds, 1 or more`);
}
if (rounds > 1 && !(contenders.includes("raw") && contenders.includes("aihub"))) {
  throw new Error(
    `BENCH_ROUNDS=${rounds} runs the raw client and aihub in turn: BENCH_CONTENDERS=${contenders.join(",")} needs both`,
  );
}
// Each round's aihub phase is measured against the raw phase before it: the first one too.
if (rounds > 1 && Number(process.env.BENCH_RAW ?? 1) < 1) {
  throw new Error(
    `BENCH_ROUNDS=${rounds} needs a raw phase before the first aihub phase: unset BENCH_RAW or set it to 1`,
  );
}

// The JSON is written after each run, so that a late failure keeps what was measured.
mkdirSync(outDir, { recursive: true });
const file = `${outDir}/fleet-${stamp}.json`;
const setup = {
  nodes,
  machine: machine(),
  startedAt: new Date().toISOString(),
  operator: { flags: OPERATOR_FLAGS, nodeArgs: operatorNodeArgs(), env: operatorEnvVars() },
  peers: Object.fromEntries(contenders.filter((c) => c in PEER_FLAGS).map((c) => [c, PEER_FLAGS[c]])),
};
const main = await run({
  tenants: size,
  nodes,
  contenders,
  raw: Number(process.env.BENCH_RAW ?? 1),
  rounds,
  steady: true,
  propagation: true,
  // A long run of rounds keeps what it measured if it is stopped: the JSON after each round.
  onRound: (partial) => writeFileSync(file, JSON.stringify({ ...setup, main: partial, growth: [] }, null, 2)),
});
// When the main run ended and when the whole run did: make bench's duration, as measured.
const times: { mainEndedAt: string; endedAt?: string } = { mainEndedAt: new Date().toISOString() };
writeFileSync(file, JSON.stringify({ ...setup, ...times, main, growth: [] }, null, 2));
const growthRuns: Record<string, unknown>[] = [];
for (let repeat = 1; repeat <= growthRepeat; repeat++) {
  for (const n of growth) {
    // aihub's time at this size, when it ran first: a peer's cap (peerTimeoutMs).
    let aihubReadySeconds: number | undefined;
    for (const name of growthContenders) {
      log.info({ tenants: n, contender: name, repeat }, "growth run");
      const r = await run({
        tenants: n,
        nodes,
        contenders: [name],
        raw: 0,
        rounds: 1,
        steady: false,
        propagation: false,
        aihubReadySeconds,
      });
      if (name === "aihub") aihubReadySeconds = r.readySeconds as number | undefined;
      const own = name === "aihub" ? r : ((r.peers as Record<string, Record<string, unknown>>)[name] ?? {});
      const wallSeconds = (r.wallSeconds as Record<string, number>)[name];
      growthRuns.push({ ...own, tenants: n, activations: r.activations, contender: name, repeat, wallSeconds });
      writeFileSync(file, JSON.stringify({ ...setup, ...times, main, growth: growthRuns }, null, 2));
      // The table so far, so that a run stopped early still shows what it measured.
      console.log(`\nGrowth so far\n\n${growthTable(growthRuns)}\n`);
    }
  }
}

times.endedAt = new Date().toISOString();
writeFileSync(file, JSON.stringify({ ...setup, ...times, main, growth: growthRuns }, null, 2));
printFleetReport(main, growthRuns, { ...setup, ...times });
console.log(`\nJSON: ${file}`);

// BENCH_REQUIRE_CONVERGENCE=1 (the CI smoke): a peer that did not converge fails the run, for at
// a few municipalities that means it is broken, not slow.
const stuck = Object.entries((main.peers ?? {}) as Record<string, Record<string, unknown>>).filter(
  ([, r]) => r.didNotConvergeSeconds !== undefined,
);
if (process.env.BENCH_REQUIRE_CONVERGENCE === "1" && stuck.length) {
  console.error(`did not converge: ${stuck.map(([name]) => name).join(", ")}`);
  process.exit(1);
}

// Not a timing: a resync of an unchanged fleet must send no writes, and must have reached every
// object. Either failing makes the run (and the CI smoke) fail. aihub's rule only: the peer, as
// controller-runtime's documentation writes it, applies every child again on each resync.
if (contenders.includes("aihub")) {
  const objects = (main.tenants as number) + (main.activations as number);
  const steady = main.steady as { writes: number; reconciles: number };
  if (steady.writes !== 0 || steady.reconciles < objects) {
    console.error(
      `steady state: ${steady.writes} writes (must be 0) and ${steady.reconciles} reconciles (at least ${objects} expected)`,
    );
    process.exit(1);
  }
}
