// make bench: the national fleet. Starts a fresh local control plane with kwok nodes for each
// contender, applies N municipalities with five activations each at once, and measures
// convergence, the API server's work and the contender's own cost. The contenders:
//   raw            a concurrent client that creates the same objects: the tenants, the activations
//                  and their children (rendered by aihub's code), the API server's limit; runs
//                  before aihub and again after it (BENCH_RAW)
//   aihub          the operator as its own process (the bundle, its V8 flags), with a
//                  steady-state resync and the propagation of a new block version
//   peer-default   aihub-peer (bench/peer): a controller-runtime operator that applies the same
//                  children (a file rendered by aihub's renderers), controller-runtime's defaults
//   peer-tuned     the same, tuned: 16 concurrent reconciles (aihub's --workers here), no
//                  client-side rate limit
//   peer-qps20     optional: controller-runtime's client limit up to v0.20 (20/s, burst 30)
// Prints markdown tables (a three-way table of all contenders) and writes JSON; asserts nothing
// on time. Every figure is measured; the machine's facts come from the OS.
//
//   BENCH_TENANTS=342 (default)    fleet size of the main run
//   BENCH_CONTENDERS=raw,aihub,peer-default,peer-tuned (default)   who runs in the main run
//                                  (empty: no main run, for growth runs alone)
//   BENCH_GROWTH=34,171,342,1000   also run these sizes (time and memory per tenant); empty: none
//   BENCH_GROWTH_CONTENDERS=aihub,peer-tuned (default)   who runs the growth sizes
//   BENCH_GROWTH_REPEAT=1          how often each growth size runs (2 shows the spread)
//   BENCH_PEER_TIMEOUT=300         seconds a peer may take until everything is Ready at 342
//                                  municipalities (in proportion for other sizes, at least 120,
//                                  and at least 1.25 x aihub's time when aihub ran before it:
//                                  in the main run, or at that growth size);
//                                  then it is reported as "did not converge within N s"
//   BENCH_REQUIRE_CONVERGENCE=1    a peer that does not converge fails the run (the CI smoke)
//   BENCH_NODES=10                 kwok nodes
//   BENCH_OUT=bench/results        where the JSON goes
//   BENCH_RAW=2 (default)          raw baseline runs: one before the operator phase, one after
//                                  (the ratio uses their mean); 1: before only; 0: none
//   BENCH_NODE_ARGS="..."          the operator's V8 flags instead of operator/node-options
//   BENCH_MEMORY_REDUCE_MB=16      the operator's --memory-reduce-threshold-mb (0: off)
//   BENCH_HEAP_SNAPSHOT=1          a heap snapshot after convergence (bench/heap-summary.ts reads it)
//   BENCH_PROFILE=60               a CPU profile of kube-apiserver over the first 60 s of each phase
//                                  (go tool pprof -top <file>)
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { pino } from "pino";
import { type AIBuildingBlock, aiBuildingBlock } from "../operator/src/api/v1alpha1/index.ts";
import { CONFIG_MAPS_PER_ACTIVATION } from "../operator/src/controllers/tenant/quota.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import type { ControlPlane } from "../test/controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../test/support/clients.ts";
import { applyManifests, installCrds, installPolicies } from "../test/support/cluster.ts";
import { readManifests } from "../test/support/manifests.ts";
import { startControlPlane, waitFor } from "./control-plane.ts";
import { createCounted, rawPhase } from "./fleet-raw.ts";
import { peerChildrenFile, renderFleet } from "./fleet-render.ts";
import { growthTable, printFleetReport } from "./fleet-report.ts";
import { FLEET_BLOCKS, fleetActivations, fleetTenant } from "./fleet-spec.ts";
import { answerHelp } from "./help.ts";
import {
  cpuMeter,
  memoryAtPeak,
  memoryOf,
  operatorProgress,
  reconciles,
  requestsByVerb,
  serverWrites,
  timeline,
  writesOf,
} from "./measure.ts";
import { OPERATOR_FLAGS, operatorEnvVars, operatorNodeArgs, startOperator } from "./operator-process.ts";
import { PEER_FLAGS, peerBinary, peerTimeoutMs, startPeer } from "./peer-process.ts";
import { pool } from "./pool.ts";
import { cpuSeconds, machine, peakRssMb, rssMb } from "./process-stats.ts";

answerHelp(import.meta.url);

const log = pino({ level: "info" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const outDir = process.env.BENCH_OUT ?? "bench/results";
const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "");
const profileSeconds = Number(process.env.BENCH_PROFILE ?? 0);
/** How long the steady state is watched: longer than the operator's resync period (OPERATOR_FLAGS). */
const STEADY_WINDOW_SECONDS = 25;

/** With BENCH_PROFILE: where kube-apiserver spends its CPU in this phase, written beside the JSON. */
function profileApiServer(cp: ControlPlane, phase: string): Promise<void> {
  if (!profileSeconds) return Promise.resolve();
  const file = `${outDir}/apiserver-${phase}-${stamp}.pprof`;
  return cp.apiServerCpuProfile(profileSeconds).then(
    (bytes) => {
      writeFileSync(file, bytes);
      log.info({ file }, "kube-apiserver CPU profile written");
    },
    (err: Error) => log.warn({ err: err.message }, "no kube-apiserver CPU profile"),
  );
}

/**
 * Creates an activation once its tenant is Ready (its namespace made and its quota counted), as a
 * municipality would: polling with creates that fail would be work for the API server.
 */
async function createWhenTenantReady(
  quotaRefusals: { count: number },
  c: CountingClient,
  tenantReady: (name: string) => boolean,
  obj: KubeObject & { apiVersion: string; kind: string },
  deadline: number,
) {
  while (!tenantReady(obj.metadata.namespace ?? "")) {
    // A contender that never makes the tenant Ready: the phase reports that it did not converge.
    if (performance.now() > deadline) return undefined;
    await sleep(100);
  }
  return createCounted(quotaRefusals, c, obj);
}

interface Listed {
  items: (KubeObject & { status?: { conditions?: { type: string; status: string }[]; currentVersion?: string } })[];
}

const readyCount = (items: Listed["items"]) =>
  items.filter((o) => o.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;

/**
 * What the benchmark observes: tenants and activations by watch. Polling lists of thousands of
 * Deployments every 250 ms cost the API server more CPU than the operator did, and watching the
 * children would still add thousands of events; when the children came is read afterwards from
 * their creationTimestamp.
 */
function observe(c: CountingClient) {
  const watch = (path: string, labelSelector?: string) => {
    const cache = new WatchCache<KubeObject>({ client: c.client, path, labelSelector });
    cache.start();
    return cache;
  };
  const tenants = watch(`${API}/municipaltenants`);
  const activations = watch(`${API}/blockactivations`);
  const namespaces = watch("/api/v1/namespaces", "aihub.gemeenten.nl/tenant");
  const all = [tenants, activations, namespaces];
  return {
    synced: () => Promise.all(all.map((w) => w.waitForSync())),
    tenantReady: (name: string) =>
      readyCount(tenants.get(name) ? [tenants.get(name) as Listed["items"][number]] : []) === 1,
    readyTenants: () => readyCount(tenants.list()),
    readyActivations: () => readyCount(activations.list()),
    counts: () => ({
      "tenants Ready": readyCount(tenants.list()),
      namespaces: namespaces.list().length,
      activations: activations.list().length,
      "activations Ready": readyCount(activations.list()),
    }),
    activations: () => activations.list() as Listed["items"],
    stop: () => Promise.all(all.map((w) => w.stop())),
  };
}

/** How many of the activations' children exist, and when the last one was created (epoch ms). */
async function children(c: CountingClient): Promise<{ count: number; lastCreatedMs: number }> {
  let count = 0;
  let lastCreatedMs = 0;
  for (const path of ["/apis/apps/v1/statefulsets", "/api/v1/configmaps", "/api/v1/services"]) {
    const l = await c.client.request<Listed>("GET", path, {
      query: { labelSelector: "aihub.gemeenten.nl/activation" },
    });
    count += l.items.length;
    for (const o of l.items) lastCreatedMs = Math.max(lastCreatedMs, Date.parse(o.metadata.creationTimestamp ?? ""));
  }
  return { count, lastCreatedMs };
}

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

interface RunOptions {
  tenants: number;
  nodes: number;
  contenders: string[];
  /** Raw baseline runs: the first before the operator phase, the second after it. */
  raw: number;
  steady: boolean;
  propagation: boolean;
  /** aihub's time until Ready at this size in a run just before (a growth run): the peer's cap. */
  aihubReadySeconds?: number;
}

/** A contender that reconciles the fleet (aihub or a peer): its process and its Prometheus metrics. */
interface Reconciler {
  pid: number;
  metricsUrl: string;
  flags: string[];
  stop(): Promise<void>;
}

/**
 * One contender that reconciles the fleet, on a fresh control plane: aihub, or a peer. The same
 * objects go in the same way; what is measured is the same, except what only one of them has
 * (aihub's V8 memory, the propagation of a new version, which the peer does not resolve).
 */
async function reconcilerPhase(
  o: RunOptions,
  catalog: KubeObject[],
  name: string,
  start: (cp: ControlPlane) => Promise<Reconciler>,
  timeoutMs: number,
) {
  const isAihub = name === "aihub";
  // Other work on the machine moves every figure: the load when the phase starts goes with them.
  const result: Record<string, unknown> = { loadAverage: loadavg() };
  const cp = await startControlPlane(o.nodes);
  let contender: Reconciler | undefined;
  let seen: ReturnType<typeof observe> | undefined;
  try {
    const c = await countingClient({ file: cp.kubeconfigPath });
    await installCrds(c);
    await installPolicies(c);
    await applyManifests(c, catalog);

    const observed = observe(c);
    seen = observed;
    await observed.synced();
    const running = await start(cp);
    contender = running;
    result.flags = running.flags;
    const pid = running.pid;
    const cpuAtStart = cpuSeconds(pid);
    const cpu = cpuMeter(cp, { [name]: pid });
    const peakMemory = isAihub ? memoryAtPeak(running.metricsUrl) : undefined;
    const sampled = timeline(cpu, async () => ({
      ...observed.counts(),
      ...(await operatorProgress(running.metricsUrl)),
    }));
    const profiled = profileApiServer(cp, `${name}-${o.tenants}`);
    const started = performance.now();
    const startedAt = Date.now();
    const deadline = started + timeoutMs;
    const quotaRefusals = { count: 0 };
    const tenants = Array.from({ length: o.tenants }, (_, i) => i);
    await pool(tenants, 32, (i) => c.client.request("POST", `${API}/municipaltenants`, { body: fleetTenant(i) }));
    await pool(
      tenants.flatMap((i) => fleetActivations(i)),
      32,
      (a) => createWhenTenantReady(quotaRefusals, c, observed.tenantReady, a, deadline),
    );
    result.applySeconds = (performance.now() - started) / 1000;
    result.quotaRefusals = quotaRefusals.count;
    let converged = true;
    try {
      await waitFor(
        "every tenant and activation Ready",
        () => observed.readyTenants() >= o.tenants && observed.readyActivations() >= o.tenants * FLEET_BLOCKS.length,
        Math.max(0, deadline - performance.now()),
      );
      result.readySeconds = (performance.now() - started) / 1000;
    } catch (err) {
      if (isAihub) throw err;
      converged = false;
      result.didNotConvergeSeconds = timeoutMs / 1000;
      result.countsAtTimeout = observed.counts();
      log.warn({ contender: name, ...observed.counts() }, `did not converge within ${timeoutMs / 1000} s`);
    }
    result.timeline = await sampled();
    await profiled;
    // Ready is written after the children are applied; check that they are all there, and when
    // the last one came (creationTimestamp has whole seconds: rounded up here).
    // Per activation: its StatefulSet, its ConfigMaps (parameters, logging sidecar) and its Service.
    const expectedChildren = o.tenants * FLEET_BLOCKS.length * (2 + CONFIG_MAPS_PER_ACTIVATION);
    const made = await children(c);
    result.childObjects = made.count;
    if (converged && made.count < expectedChildren) {
      throw new Error(`${name}: ${made.count} of ${expectedChildren} child objects exist`);
    }
    if (made.count >= expectedChildren) {
      const childrenSeconds = (made.lastCreatedMs + 1000 - startedAt) / 1000;
      result.childrenSeconds = converged ? Math.min(result.readySeconds as number, childrenSeconds) : childrenSeconds;
    }
    result.requests = await requestsByVerb(running.metricsUrl);
    result.cpuSeconds = cpuSeconds(pid) - cpuAtStart;
    result.cpuByProcess = cpu();
    result.serverWrites = await serverWrites(cp);
    result.peakRssMb = peakRssMb(pid);
    result.rssMb = rssMb(pid);
    if (isAihub) {
      result.memory = await memoryOf(running.metricsUrl);
      result.memoryAtPeak = peakMemory?.();
      if (process.env.BENCH_HEAP_SNAPSHOT) {
        process.kill(pid, "SIGUSR2");
        await sleep(60_000);
      }
    }

    if (o.steady && converged) {
      // Quiet first (last status writes, events), then a window that holds a full resync
      // (aihub: --resync-period-seconds; the peers: --sync-period, controller-runtime's SyncPeriod).
      await sleep(10_000);
      const before = await requestsByVerb(running.metricsUrl);
      const reconcilesBefore = await reconciles(running.metricsUrl);
      const cpuBefore = cpuSeconds(pid);
      await sleep(STEADY_WINDOW_SECONDS * 1000);
      const after = await requestsByVerb(running.metricsUrl);
      result.steady = {
        windowSeconds: STEADY_WINDOW_SECONDS,
        // At least one per tenant, activation and block: the resync reached every object.
        reconciles: (await reconciles(running.metricsUrl)) - reconcilesBefore,
        writes: writesOf(after) - writesOf(before),
        writesByVerb: Object.fromEntries(
          Object.entries(after)
            .map(([verb, n]) => [verb, n - (before[verb] ?? 0)])
            .filter(([verb, n]) => verb !== "GET" && verb !== "WATCH" && (n as number) > 0),
        ),
        cpuSeconds: cpuSeconds(pid) - cpuBefore,
      };
    }

    if (o.propagation && isAihub) {
      const b = await c.client.request<KubeObject & { spec: { versions: unknown[] } }>(
        "GET",
        `${API}/aibuildingblocks/uitlegbaarheid`,
      );
      const t0 = performance.now();
      await c.client.request("PATCH", `${API}/aibuildingblocks/uitlegbaarheid`, {
        contentType: "application/merge-patch+json",
        body: {
          spec: {
            // Through the fleet rollout's three rings, all of a ring at once and no bake time:
            // what the machinery costs, not how long a careful strategy waits.
            rollout: { maxConcurrent: "100%", bakeTime: "0s" },
            versions: [
              ...b.spec.versions,
              {
                version: "1.2.0",
                image: `registry.gemeenten.nl/aihub/uitlegbaarheid@sha256:${"e".repeat(64)}`,
                releaseDate: "2026-11-28",
                releaseNotes: "Benchmark release.",
              },
            ],
          },
        },
      });
      await waitFor(
        "every activation of uitlegbaarheid on 1.2.0",
        () =>
          observed
            .activations()
            .filter((a) => a.metadata.name === "uitlegbaarheid" && a.status?.currentVersion === "1.2.0").length >=
          o.tenants,
        600_000,
      );
      result.propagationSeconds = (performance.now() - t0) / 1000;
    }
    result.peakRssMb = peakRssMb(pid);
    if (isAihub) result.memoryAtEnd = await memoryOf(running.metricsUrl);
    c.client.close();
  } finally {
    await seen?.stop();
    await contender?.stop();
    await cp.stop();
  }
  return result;
}

async function run(o: RunOptions) {
  const result: Record<string, unknown> = {
    tenants: o.tenants,
    activations: o.tenants * FLEET_BLOCKS.length,
    contenders: o.contenders,
  };
  const catalog = readManifests("examples/catalog");
  const blocks = new Map(catalog.map((b) => [b.metadata?.name ?? "", aiBuildingBlock.parse(b) as AIBuildingBlock]));
  // The raw phase is the noisier one (75 to 109 s on this machine): run it on both sides of the
  // operator phases and compare with the mean.
  const rawRuns: Awaited<ReturnType<typeof rawPhase>>[] = [];
  const rawRun = async () => {
    rawRuns.push(await rawPhase(o.tenants, o.nodes, blocks, catalog, profileApiServer));
    log.info({ seconds: rawRuns.at(-1)?.seconds }, "raw baseline done");
    const mean = (of: (r: (typeof rawRuns)[number]) => number) =>
      rawRuns.reduce((sum, r) => sum + of(r), 0) / rawRuns.length;
    result.raw = { ...rawRuns[0], seconds: mean((r) => r.seconds), availableSeconds: mean((r) => r.availableSeconds) };
    result.rawSeconds = rawRuns.map((r) => r.seconds);
    result.rawAvailableSeconds = rawRuns.map((r) => r.availableSeconds);
    result.rawLoad = rawRuns.map((r) => r.loadAverage[0]);
  };
  const withRaw = o.contenders.includes("raw");
  if (withRaw && o.raw > 0) await rawRun();
  if (o.contenders.includes("aihub")) {
    // aihub's figures stay at the top of the result, where the reports before issue 16 read them.
    const aihub = await reconcilerPhase(
      o,
      catalog,
      "aihub",
      async (cp) => {
        const op = await startOperator(cp.kubeconfigPath, `${outDir}/operator-${o.tenants}-${stamp}.log`);
        return { pid: op.proc.pid as number, metricsUrl: op.metricsUrl, flags: [...OPERATOR_FLAGS], stop: op.stop };
      },
      1_800_000,
    );
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
          ...(await reconcilerPhase(
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
              Number(process.env.BENCH_PEER_TIMEOUT ?? 300),
            ),
          )),
        };
        log.info({ contender: name, readySeconds: byPeer[name]?.readySeconds }, "peer done");
      }
    } finally {
      rmSync(file, { force: true });
    }
  }
  if (withRaw && o.raw > 1) await rawRun();
  return result;
}

const size = Number(process.env.BENCH_TENANTS ?? 342);
const nodes = Number(process.env.BENCH_NODES ?? 10);
const growth = (process.env.BENCH_GROWTH ?? "").split(",").filter(Boolean).map(Number);
const contenders = contendersOf("BENCH_CONTENDERS", "raw,aihub,peer-default,peer-tuned");
const growthContenders = contendersOf("BENCH_GROWTH_CONTENDERS", "aihub,peer-tuned").filter((c) => c !== "raw");
const growthRepeat = Number(process.env.BENCH_GROWTH_REPEAT ?? 1);

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
  raw: Number(process.env.BENCH_RAW ?? 2),
  steady: true,
  propagation: true,
});
writeFileSync(file, JSON.stringify({ ...setup, main, growth: [] }, null, 2));
const growthRuns: Record<string, unknown>[] = [];
for (let repeat = 1; repeat <= growthRepeat; repeat++) {
  for (const n of growth) {
    // aihub's time at this size, when it ran first: a peer's cap is at least 1.25 times it.
    let aihubReadySeconds: number | undefined;
    for (const name of growthContenders) {
      log.info({ tenants: n, contender: name, repeat }, "growth run");
      const r = await run({
        tenants: n,
        nodes,
        contenders: [name],
        raw: 0,
        steady: false,
        propagation: false,
        aihubReadySeconds,
      });
      if (name === "aihub") aihubReadySeconds = r.readySeconds as number | undefined;
      const own = name === "aihub" ? r : ((r.peers as Record<string, Record<string, unknown>>)[name] ?? {});
      growthRuns.push({ ...own, tenants: n, activations: r.activations, contender: name, repeat });
      writeFileSync(file, JSON.stringify({ ...setup, main, growth: growthRuns }, null, 2));
      // The table so far, so that a run stopped early still shows what it measured.
      console.log(`\nGrowth so far\n\n${growthTable(growthRuns)}\n`);
    }
  }
}

printFleetReport(main, growthRuns, setup);
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
