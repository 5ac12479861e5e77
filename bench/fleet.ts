// make bench: the national fleet. Starts a fresh local control plane with kwok nodes and the
// operator as its own process, applies N municipalities with five activations each at once,
// and measures convergence, the raw limit of the API server for the same objects (on a fresh
// control plane of its own, before), a steady-state resync, the propagation of a new block
// version, and growth. Prints a markdown table and writes JSON; asserts nothing on time.
//
//   BENCH_TENANTS=342 (default)    fleet size of the main run
//   BENCH_GROWTH=34,171,342,1000   also run these sizes (time and memory per tenant); empty: none
//   BENCH_NODES=10                 kwok nodes
//   BENCH_OUT=bench/results        where the JSON goes
//   BENCH_RAW=2 (default)          raw baseline runs: one before the operator phase, one after
//                                  (the ratio uses their mean); 1: before only; 0: none
//   BENCH_NODE_ARGS="..."          the operator's V8 flags instead of operator/node-options
//   BENCH_HEAP_SNAPSHOT=1          a heap snapshot after convergence (bench/heap-summary.ts reads it)
//   BENCH_PROFILE=60               a CPU profile of kube-apiserver over the first 60 s of each phase
//                                  (go tool pprof -top <file>)
import { mkdirSync, writeFileSync } from "node:fs";
import { pino } from "pino";
import { renderActivation } from "../cdk/src/activation/activation-chart.ts";
import { validateParameters } from "../operator/src/api/parameters.ts";
import {
  type AIBuildingBlock,
  aiBuildingBlock,
  blockActivation,
  type MunicipalTenant,
  municipalTenant,
} from "../operator/src/api/v1alpha1/index.ts";
import { activationInput } from "../operator/src/controllers/activation/activation-input.ts";
import { resolveVersion } from "../operator/src/controllers/activation/version-resolution.ts";
import { CONFIG_MAPS_PER_ACTIVATION } from "../operator/src/controllers/tenant/quota.ts";
import { DEFAULT_TENANT_RENDER_CONTEXT, renderTenant } from "../operator/src/controllers/tenant/render.ts";
import { isConflict, isNotFound } from "../operator/src/kube/api-error.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import type { ControlPlane } from "../test/controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../test/support/clients.ts";
import { applyManifests, installCrds, installPolicies } from "../test/support/cluster.ts";
import { readManifests } from "../test/support/manifests.ts";
import { DEFAULT_ACTIVATION_RENDER_CONTEXT } from "../test/support/operator-defaults.ts";
import { startControlPlane, waitFor } from "./control-plane.ts";
import { printFleetReport } from "./fleet-report.ts";
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
import { OPERATOR_FLAGS, type OperatorProcess, operatorNodeArgs, startOperator } from "./operator-process.ts";
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
  c: CountingClient,
  tenantReady: (name: string) => boolean,
  obj: KubeObject & { apiVersion: string; kind: string },
) {
  while (!tenantReady(obj.metadata.namespace ?? "")) await sleep(100);
  for (;;) {
    try {
      return await c.client.request("POST", await c.paths.collectionPathOf(obj), { body: obj });
    } catch (err) {
      if (isNotFound(err)) {
        await sleep(200);
        continue;
      }
      if (isConflict(err)) return undefined;
      throw err;
    }
  }
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

/** The raw baseline: the same objects (rendered by the same code) created by a concurrent client. */
async function rawCreate(
  c: CountingClient,
  tenants: number,
  blocks: Map<string, AIBuildingBlock>,
  progress = { created: 0 },
) {
  const namespaces: (KubeObject & { apiVersion: string; kind: string })[] = [];
  const objects: (KubeObject & { apiVersion: string; kind: string })[] = [];
  for (let i = 0; i < tenants; i++) {
    const spec = fleetTenant(i);
    spec.metadata.name = `raw-${spec.metadata.name}`;
    const tenant = municipalTenant.parse(spec) as MunicipalTenant;
    const rendered = renderTenant(tenant, DEFAULT_TENANT_RENDER_CONTEXT);
    namespaces.push(rendered.namespace);
    objects.push(...rendered.children, ...rendered.clusterChildren);
    for (const a of fleetActivations(i)) {
      a.metadata.namespace = tenant.metadata.name;
      const activation = blockActivation.parse(a);
      const block = blocks.get(activation.spec.block) as AIBuildingBlock;
      const resolved = resolveVersion(activation, block);
      const params = validateParameters(block.spec.parameters ?? [], activation.spec.parameters, block.metadata.name);
      if (!resolved.ok || !params.ok) throw new Error(`fleet activation ${a.metadata.name} does not resolve`);
      const input = activationInput(activation, block, tenant, resolved, params.values);
      for (const o of renderActivation(input, DEFAULT_ACTIVATION_RENDER_CONTEXT)) {
        // No owner: the garbage collector would delete objects whose owner does not exist.
        const { ownerReferences: _, ...metadata } = o.metadata;
        objects.push({ ...o, metadata });
      }
    }
  }
  const started = performance.now();
  await pool(namespaces, 64, async (o) => {
    await c.client.request("POST", "/api/v1/namespaces", { body: o });
    progress.created++;
  });
  await pool(objects, 64, async (o) => {
    await c.client.request("POST", await c.paths.collectionPathOf(o), { body: o });
    progress.created++;
  });
  return { seconds: (performance.now() - started) / 1000, objects: namespaces.length + objects.length, started };
}

interface RunOptions {
  tenants: number;
  nodes: number;
  /** Raw baseline runs: the first before the operator phase, the second after it. */
  raw: number;
  steady: boolean;
  propagation: boolean;
}

/** The raw baseline on a fresh control plane of its own, so that both phases start from the same state. */
async function rawPhase(tenants: number, nodes: number, blocks: Map<string, AIBuildingBlock>) {
  const cp = await startControlPlane(nodes);
  try {
    const c = await countingClient({ file: cp.kubeconfigPath });
    const cpu = cpuMeter(cp);
    const progress = { created: 0 };
    const sampled = timeline(cpu, () => ({ "objects created": progress.created }));
    const profiled = profileApiServer(cp, "raw");
    const { started, ...raw } = await rawCreate(c, tenants, blocks, progress);
    const created = { cpuSeconds: cpu(), serverWrites: await serverWrites(cp) };
    // Then until every StatefulSet is available, pods running on kwok: what Ready means in the
    // operator phase. A watch, as the operator itself watches the StatefulSets.
    const workloads = new WatchCache<
      KubeObject & { spec?: { replicas?: number }; status?: { availableReplicas?: number } }
    >({
      client: c.client,
      path: "/apis/apps/v1/statefulsets",
      labelSelector: "aihub.gemeenten.nl/activation",
    });
    workloads.start();
    await workloads.waitForSync();
    const expected = tenants * FLEET_BLOCKS.length;
    await waitFor(
      "every raw StatefulSet available",
      () => {
        const all = workloads.list();
        return (
          all.length >= expected && all.every((d) => (d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1))
        );
      },
      1_800_000,
    );
    const availableSeconds = (performance.now() - started) / 1000;
    await workloads.stop();
    const rows = await sampled();
    c.client.close();
    await profiled;
    return { ...raw, availableSeconds, ...created, timeline: rows };
  } finally {
    await cp.stop();
  }
}

async function run(o: RunOptions) {
  const result: Record<string, unknown> = { tenants: o.tenants, activations: o.tenants * FLEET_BLOCKS.length };
  const catalog = readManifests("examples/catalog");
  const blocks = new Map(catalog.map((b) => [b.metadata?.name ?? "", aiBuildingBlock.parse(b) as AIBuildingBlock]));
  // The raw phase is the noisier one (75 to 109 s on this machine): run it on both sides of the
  // operator phase and compare with the mean.
  const rawRuns: Awaited<ReturnType<typeof rawPhase>>[] = [];
  const rawRun = async () => {
    rawRuns.push(await rawPhase(o.tenants, o.nodes, blocks));
    log.info({ seconds: rawRuns.at(-1)?.seconds }, "raw baseline done");
    const mean = (of: (r: (typeof rawRuns)[number]) => number) =>
      rawRuns.reduce((sum, r) => sum + of(r), 0) / rawRuns.length;
    result.raw = { ...rawRuns[0], seconds: mean((r) => r.seconds), availableSeconds: mean((r) => r.availableSeconds) };
    result.rawSeconds = rawRuns.map((r) => r.seconds);
    result.rawAvailableSeconds = rawRuns.map((r) => r.availableSeconds);
  };
  if (o.raw > 0) await rawRun();
  const cp = await startControlPlane(o.nodes);
  let operator: OperatorProcess | undefined;
  let seen: ReturnType<typeof observe> | undefined;
  try {
    const c = await countingClient({ file: cp.kubeconfigPath });
    await installCrds(c);
    await installPolicies(c);
    await applyManifests(c, catalog);

    const observed = observe(c);
    seen = observed;
    await observed.synced();
    operator = await startOperator(cp.kubeconfigPath, `${outDir}/operator-${o.tenants}-${stamp}.log`);
    const pid = operator.proc.pid as number;
    const cpuAtStart = cpuSeconds(pid);
    const cpu = cpuMeter(cp, { operator: pid });
    const peakMemory = memoryAtPeak(operator.metricsUrl);
    const sampled = timeline(cpu, async () => ({
      ...observed.counts(),
      ...(await operatorProgress((operator as OperatorProcess).metricsUrl)),
    }));
    const profiled = profileApiServer(cp, `operator-${o.tenants}`);
    const started = performance.now();
    const startedAt = Date.now();
    const tenants = Array.from({ length: o.tenants }, (_, i) => i);
    await pool(tenants, 32, (i) => c.client.request("POST", `${API}/municipaltenants`, { body: fleetTenant(i) }));
    await pool(
      tenants.flatMap((i) => fleetActivations(i)),
      32,
      (a) => createWhenTenantReady(c, observed.tenantReady, a),
    );
    result.applySeconds = (performance.now() - started) / 1000;
    await waitFor(
      "every tenant and activation Ready",
      () => observed.readyTenants() >= o.tenants && observed.readyActivations() >= o.tenants * FLEET_BLOCKS.length,
      1_800_000,
    );
    result.readySeconds = (performance.now() - started) / 1000;
    result.timeline = await sampled();
    await profiled;
    // Ready is written after the children are applied; check that they are all there, and when
    // the last one came (creationTimestamp has whole seconds: rounded up here).
    // Per activation: its StatefulSet, its ConfigMaps (parameters, logging sidecar) and its Service.
    const expectedChildren = o.tenants * FLEET_BLOCKS.length * (2 + CONFIG_MAPS_PER_ACTIVATION);
    const made = await children(c);
    if (made.count < expectedChildren) throw new Error(`${made.count} of ${expectedChildren} child objects exist`);
    result.childrenSeconds = Math.min(result.readySeconds as number, (made.lastCreatedMs + 1000 - startedAt) / 1000);
    result.requests = await requestsByVerb(operator.metricsUrl);
    result.cpuSeconds = cpuSeconds(pid) - cpuAtStart;
    result.cpuByProcess = cpu();
    result.serverWrites = await serverWrites(cp);
    result.peakRssMb = peakRssMb(pid);
    result.rssMb = rssMb(pid);
    result.memory = await memoryOf(operator.metricsUrl);
    result.memoryAtPeak = peakMemory();
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      operator.proc.kill("SIGUSR2");
      await sleep(60_000);
    }

    if (o.steady) {
      // Quiet first (last status writes, events), then a window that holds a full resync
      // (--resync-period-seconds in OPERATOR_FLAGS).
      await sleep(10_000);
      const before = await requestsByVerb(operator.metricsUrl);
      const reconcilesBefore = await reconciles(operator.metricsUrl);
      const cpuBefore = cpuSeconds(pid);
      await sleep(STEADY_WINDOW_SECONDS * 1000);
      const after = await requestsByVerb(operator.metricsUrl);
      result.steady = {
        windowSeconds: STEADY_WINDOW_SECONDS,
        // At least one per tenant, activation and block: the resync reached every object.
        reconciles: (await reconciles(operator.metricsUrl)) - reconcilesBefore,
        writes: writesOf(after) - writesOf(before),
        cpuSeconds: cpuSeconds(pid) - cpuBefore,
      };
    }

    if (o.propagation) {
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
    c.client.close();
  } finally {
    await seen?.stop();
    await operator?.stop();
    await cp.stop();
  }
  if (o.raw > 1) await rawRun();
  return result;
}

const size = Number(process.env.BENCH_TENANTS ?? 342);
const nodes = Number(process.env.BENCH_NODES ?? 10);
const growth = (process.env.BENCH_GROWTH ?? "").split(",").filter(Boolean).map(Number);

// The JSON is written after each run, so that a late failure keeps what was measured.
mkdirSync(outDir, { recursive: true });
const file = `${outDir}/fleet-${stamp}.json`;
const setup = { nodes, machine: machine(), operator: { flags: OPERATOR_FLAGS, nodeArgs: operatorNodeArgs() } };
const main = await run({
  tenants: size,
  nodes,
  raw: Number(process.env.BENCH_RAW ?? 2),
  steady: true,
  propagation: true,
});
writeFileSync(file, JSON.stringify({ ...setup, main, growth: [] }, null, 2));
const growthRuns: Record<string, unknown>[] = [];
for (const n of growth) {
  log.info({ tenants: n }, "growth run");
  growthRuns.push(await run({ tenants: n, nodes, raw: 0, steady: false, propagation: false }));
  writeFileSync(file, JSON.stringify({ ...setup, main, growth: growthRuns }, null, 2));
}

printFleetReport(main, growthRuns, setup);
console.log(`\nJSON: ${file}`);

// Not a timing: a resync of an unchanged fleet must send no writes, and must have reached every
// object. Either failing makes the run (and the CI smoke) fail.
const objects = (main.tenants as number) + (main.activations as number);
const steady = main.steady as { writes: number; reconciles: number };
if (steady.writes !== 0 || steady.reconciles < objects) {
  console.error(
    `steady state: ${steady.writes} writes (must be 0) and ${steady.reconciles} reconciles (at least ${objects} expected)`,
  );
  process.exit(1);
}
