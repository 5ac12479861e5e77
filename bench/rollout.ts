// make bench-rollout: a fleet rollout through N municipalities in rings of about 5, 20 and 75%,
// one activation each of a block of the benchmark's own. Starts a fresh control plane with kwok
// nodes and the operator as its own process, then measures:
// 1. a good version (1.1.0): publish to Succeeded against the sum of the bake times, each ring,
//    the writes per activation moved, and how fast the machine was meanwhile (bench/speed-probe.ts);
// 2. a bad version (1.2.0, pods never Ready): the first failed health gate to every canary back
//    on 1.1.0 and to RolledBack; fails the run if an early or general activation ever left 1.1.0;
// 3. a steady state with a full resync: the operator must send no writes (fails the run otherwise).
// Prints a markdown table and writes JSON; asserts nothing on time.
//
//   BENCH_TENANTS=342        municipalities (one activation each)
//   BENCH_NODES=10           kwok nodes
//   BENCH_BAKE=10s           bake time of every ring
//   BENCH_CONCURRENCY=25%    maxConcurrent
//   BENCH_DEADLINE=60s       progressDeadline of the good version
//   BENCH_BAD_DEADLINE=20s   progressDeadline of the bad version (set in the same PATCH)
//   BENCH_OUT=bench/results  where the JSON and the operator's log go
import { mkdirSync, writeFileSync } from "node:fs";
import { durationMs } from "../operator/src/api/duration.ts";
import { RING_ORDER, type RingName } from "../operator/src/api/v1alpha1/index.ts";
import { isNotFound } from "../operator/src/kube/api-error.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import type { ControlPlane } from "../test/controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../test/support/clients.ts";
import { installCrds, installPolicies } from "../test/support/cluster.ts";
import { startControlPlane, waitFor } from "./control-plane.ts";
import { tenantName } from "./fleet-spec.ts";
import { answerHelp } from "./help.ts";
import { cpuMeter, parseMetrics, reconciles, requestsByVerb, serverWrites, sumBy, writesOf } from "./measure.ts";
import {
  OPERATOR_FLAGS,
  type OperatorProcess,
  operatorEnvVars,
  operatorNodeArgs,
  STEADY_WINDOW_SECONDS,
  startOperator,
} from "./operator-process.ts";
import { pool } from "./pool.ts";
import { machine } from "./process-stats.ts";
import { printRolloutReport } from "./rollout-report.ts";
import { BLOCK, blockVersion, ringOf, rolloutActivation, rolloutBlock, rolloutTenant } from "./rollout-spec.ts";
import { type SpeedProbe, startSpeedProbe } from "./speed-probe.ts";

answerHelp(import.meta.url);

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = (name: string, fallback: string) => process.env[name] || fallback;
const flags = {
  BENCH_TENANTS: Number(env("BENCH_TENANTS", "342")),
  BENCH_NODES: Number(env("BENCH_NODES", "10")),
  BENCH_BAKE: env("BENCH_BAKE", "10s"),
  BENCH_CONCURRENCY: env("BENCH_CONCURRENCY", "25%"),
  BENCH_DEADLINE: env("BENCH_DEADLINE", "60s"),
  BENCH_BAD_DEADLINE: env("BENCH_BAD_DEADLINE", "20s"),
  BENCH_OUT: env("BENCH_OUT", "bench/results"),
};
const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "");
const n = flags.BENCH_TENANTS;
const strategy = { maxConcurrent: flags.BENCH_CONCURRENCY, bakeTime: flags.BENCH_BAKE };

interface Activation extends KubeObject {
  status?: {
    currentVersion?: string;
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}
interface Workload extends KubeObject {
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
}
interface Rollout {
  status?: {
    phase?: string;
    rings?: { name: RingName; total: number; startedAt?: string; completedAt?: string }[];
    activations?: { activation: string; ring: RingName; state: string }[];
  };
}

const ready = (a: Activation | undefined) =>
  a?.status?.observedGeneration === a?.metadata.generation &&
  (a?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);
const runsBad = (d: Workload | undefined) =>
  d?.spec?.template?.spec?.containers?.some((c) => c.image?.includes("@sha256:0bad")) ?? false;

/** Writes in `after` that were not in `before`, largest first. */
function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const d = Object.entries(after)
    .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
    .filter(([, v]) => v > 0);
  return Object.fromEntries(d.sort((a, b) => b[1] - a[1]));
}
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((s, v) => s + v, 0);

/** Each activation's status changes as the watch saw them, since the last call of the function returned. */
function statusTrails(activations: WatchCache<Activation>): () => Map<string, string[]> {
  let trails = new Map<string, string[]>();
  const view = (a: Activation) =>
    [a.status?.currentVersion, ...(a.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`)].join(
      " ",
    );
  activations.on({
    update: (old, a) => {
      const same = JSON.stringify(old.status) === JSON.stringify(a.status);
      const trail = trails.get(a.metadata.namespace ?? "") ?? [];
      trails.set(a.metadata.namespace ?? "", [...trail, same ? UNCHANGED : view(a)]);
    },
  });
  return () => {
    const out = trails;
    trails = new Map();
    return out;
  };
}
const UNCHANGED = "(an update that left the status as it was)";
const changesPer = (trails: Map<string, string[]>, of: number, unchanged = false) =>
  [...trails.values()].flat().filter((v) => (v === UNCHANGED) === unchanged).length / of;

/** Reads the rollout every 200 ms and hands it to `sample` with the seconds since `t0`, until it says done. */
async function pollRollout(c: CountingClient, name: string, t0: number, sample: (r: Rollout, t: number) => boolean) {
  for (;;) {
    const r = await c.client.request<Rollout>("GET", `${API}/blockrollouts/${name}`).catch((err) => {
      if (isNotFound(err)) return {};
      throw err;
    });
    if (sample(r, (performance.now() - t0) / 1000)) return;
    if (performance.now() - t0 > 1_800_000) throw new Error(`rollout ${name}: no end after 30 minutes`);
    await sleep(200);
  }
}

/** The operator's requests by method and status code (a 409 is a write that lost a race). */
const requestsByCode = async (url: string) =>
  sumBy(parseMetrics(await (await fetch(url)).text()), "rest_client_requests_total", (l) => `${l.method} ${l.code}`);

/** The phase's writes: the API server's (every client) by verb and resource, and the operator's by verb and code. */
async function writesMeter(cp: ControlPlane, operator: OperatorProcess) {
  const server = await serverWrites(cp);
  const op = await requestsByCode(operator.metricsUrl);
  return async () => {
    const byServer = delta(await serverWrites(cp), server);
    const byOperator = delta(await requestsByCode(operator.metricsUrl), op);
    const operatorWrites = sum(Object.fromEntries(Object.entries(byOperator).filter(([k]) => !k.startsWith("GET"))));
    return { server: sum(byServer), operator: operatorWrites, byServer, byOperator };
  };
}

mkdirSync(flags.BENCH_OUT, { recursive: true });
const file = `${flags.BENCH_OUT}/rollout-${stamp}.json`;
const result: Record<string, unknown> = {
  flags,
  machine: machine(),
  operator: { flags: OPERATOR_FLAGS, nodeArgs: operatorNodeArgs(), env: operatorEnvVars() },
  rings: Object.fromEntries(
    RING_ORDER.map((r) => [r, Array.from({ length: n }, (_, i) => i).filter((i) => ringOf(i) === r).length]),
  ),
};
const problems: string[] = [];
const cp = await startControlPlane(flags.BENCH_NODES);
let operator: OperatorProcess | undefined;
let probe: SpeedProbe | undefined;
const watches: WatchCache<KubeObject>[] = [];
try {
  const c = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(c);
  await installPolicies(c);
  const watch = <T extends KubeObject>(path: string, labelSelector?: string) => {
    const cache = new WatchCache<T>({ client: c.client, path, labelSelector });
    cache.start();
    watches.push(cache as unknown as WatchCache<KubeObject>);
    return cache;
  };
  const activations = watch<Activation>(`${API}/blockactivations`);
  const workloads = watch<Workload>("/apis/apps/v1/statefulsets", "aihub.gemeenten.nl/activation");
  const tenants = watch<Activation>(`${API}/municipaltenants`);
  const trails = statusTrails(activations);
  await Promise.all(watches.map((w) => w.waitForSync()));
  operator = await startOperator(cp.kubeconfigPath, `${flags.BENCH_OUT}/operator-rollout-${n}-${stamp}.log`);
  const op = operator;

  // The fleet on 1.0.0.
  const ringByNs = new Map(Array.from({ length: n }, (_, i) => [tenantName(i), ringOf(i)]));
  const inRing = (ring: RingName) => [...ringByNs].filter(([, r]) => r === ring).map(([ns]) => ns);
  const activation = (ns: string) => activations.get(`${ns}/${BLOCK}`);
  const fleetOn = (version: string, nss = [...ringByNs.keys()]) =>
    nss.every((ns) => activation(ns)?.status?.currentVersion === version && ready(activation(ns)));
  const setupStarted = performance.now();
  await c.client.request("POST", `${API}/aibuildingblocks`, {
    body: rolloutBlock({ ...strategy, progressDeadline: flags.BENCH_DEADLINE }),
  });
  const indices = Array.from({ length: n }, (_, i) => i);
  await pool(indices, 32, (i) => c.client.request("POST", `${API}/municipaltenants`, { body: rolloutTenant(i) }));
  await pool(indices, 32, async (i) => {
    // As a municipality would: once its tenant is Ready (its quota counted, so the API server admits activations).
    await waitFor(`tenant ${tenantName(i)} Ready`, () => ready(tenants.get(tenantName(i))), 600_000);
    await c.client.request("POST", `${API}/namespaces/${tenantName(i)}/blockactivations`, {
      body: rolloutActivation(i),
    });
  });
  await waitFor(`${n} activations Ready on 1.0.0`, () => fleetOn("1.0.0"), 1_800_000);
  result.setupSeconds = (performance.now() - setupStarted) / 1000;
  await sleep(10_000); // the last status writes and events of the setup

  const publish = (versions: ReturnType<typeof blockVersion>[], rollout = {}) =>
    c.client.request("PATCH", `${API}/aibuildingblocks/${BLOCK}`, {
      contentType: "application/merge-patch+json",
      body: { spec: { rollout, versions: [blockVersion("1.0.0"), ...versions] } },
    });

  // 1. The good version through the three rings.
  const goodWrites = await writesMeter(cp, op);
  const goodCpu = cpuMeter(cp, { operator: op.proc.pid as number });
  const seen = Object.fromEntries(RING_ORDER.map((r) => [r, {} as { started?: number; completed?: number }]));
  let good: Rollout = {};
  trails();
  // How fast the machine was meanwhile (bench/speed-probe.ts): a slow run and slow code look alike.
  probe = startSpeedProbe();
  const t0 = performance.now();
  const t0Epoch = Date.now();
  await publish([blockVersion("1.1.0")]);
  await pollRollout(c, `${BLOCK}-1.1.0`, t0, (r, t) => {
    good = r;
    for (const ring of r.status?.rings ?? []) {
      const s = seen[ring.name] ?? {};
      if (ring.startedAt && s.started === undefined) s.started = t;
      if (ring.completedAt && s.completed === undefined) s.completed = t;
    }
    return r.status?.phase === "Succeeded";
  });
  const succeededSeconds = (performance.now() - t0) / 1000;
  await waitFor(`${n} activations Ready on 1.1.0`, () => fleetOn("1.1.0"), 600_000);
  const allReadySeconds = (performance.now() - t0) / 1000;
  await sleep(5000); // what the last ring's moves still cause (status writes, events) belongs to the phase
  const bake = durationMs(flags.BENCH_BAKE) / 1000;
  const rings = (good.status?.rings ?? []).filter((r) => r.total > 0);
  const fromPublish = (at?: string) => (at ? (Date.parse(at) - t0Epoch) / 1000 : undefined);
  const moved = good.status?.activations?.length ?? 0;
  const writes = await goodWrites();
  const goodTrails = trails();
  const machineSpeed = await probe.stop();
  result.good = {
    machineSpeed,
    succeededSeconds,
    allReadySeconds,
    sumOfBakesSeconds: rings.length * bake,
    overheadSeconds: succeededSeconds - rings.length * bake,
    rings: rings.map((r) => ({
      name: r.name,
      total: r.total,
      statusStartedSeconds: fromPublish(r.startedAt),
      statusCompletedSeconds: fromPublish(r.completedAt),
      observedStartedSeconds: seen[r.name]?.started,
      observedCompletedSeconds: seen[r.name]?.completed,
    })),
    moved,
    writes,
    serverWritesPerMoved: writes.server / moved,
    operatorWritesPerMoved: writes.operator / moved,
    cpuSeconds: goodCpu(),
    // What the writes to activation statuses were, seen by watch: how many, and two examples.
    statusChangesPerActivation: changesPer(goodTrails, n),
    unchangedStatusUpdatesPerActivation: changesPer(goodTrails, n, true),
    statusTrails: Object.fromEntries(
      ["canary", "general"].map((r) => [r, goodTrails.get(inRing(r as RingName)[0] ?? "")]),
    ),
  };
  writeFileSync(file, JSON.stringify(result, null, 2));

  // 2. The bad version: canary fails its health gate and goes back; early and general never move.
  const left: string[] = [];
  let guard = false;
  const check = (ns: string, what: string | undefined) => {
    const ring = ringByNs.get(ns);
    if (guard && what && ring && ring !== "canary") left.push(`${ns} (${ring}): ${what}`);
  };
  const onActivation = (a: Activation) => {
    const v = a.status?.currentVersion;
    if (a.metadata.name === BLOCK) check(a.metadata.namespace ?? "", v && v !== "1.1.0" ? `runs ${v}` : undefined);
  };
  const onWorkload = (d: Workload) => check(d.metadata.namespace ?? "", runsBad(d) ? "a 0bad image" : undefined);
  activations.on({ add: onActivation, update: (_, a) => onActivation(a) });
  workloads.on({ add: onWorkload, update: (_, d) => onWorkload(d) });
  guard = true;
  const canaries = inRing("canary");
  const badWrites = await writesMeter(cp, op);
  let bad: Rollout = {};
  let firstFailed: number | undefined;
  let canaryBack: number | undefined;
  let rolledBack: number | undefined;
  trails();
  const t1 = performance.now();
  const t1Epoch = Date.now();
  await publish([blockVersion("1.1.0"), blockVersion("1.2.0", true)], {
    ...strategy,
    progressDeadline: flags.BENCH_BAD_DEADLINE,
  });
  await pollRollout(c, `${BLOCK}-1.2.0`, t1, (r, t) => {
    bad = r;
    const phase = r.status?.phase ?? "";
    if (firstFailed === undefined && (r.status?.activations?.some((e) => e.state === "Failed") || /Roll/.test(phase)))
      firstFailed = t;
    const back = canaries.every((ns) => !runsBad(workloads.get(`${ns}/${BLOCK}`)));
    if (firstFailed !== undefined && canaryBack === undefined && back && fleetOn("1.1.0", canaries)) canaryBack = t;
    if (phase === "RolledBack" && rolledBack === undefined) rolledBack = t;
    return canaryBack !== undefined && rolledBack !== undefined;
  });
  const events = await c.client.request<{
    items: { reason: string; eventTime?: string; regarding?: { name?: string } }[];
  }>("GET", "/apis/events.k8s.io/v1/namespaces/default/events");
  const eventAt = (reason: string) => {
    const times = events.items
      .filter((e) => e.regarding?.name === `${BLOCK}-1.2.0` && e.reason === reason && e.eventTime)
      .map((e) => (Date.parse(e.eventTime as string) - t1Epoch) / 1000);
    return times.length ? Math.min(...times) : undefined;
  };
  const entries = bad.status?.activations ?? [];
  const outside = entries.filter((e) => e.ring !== "canary").map((e) => e.activation);
  const startedRings = (bad.status?.rings ?? []).filter((r) => r.startedAt && r.name !== "canary");
  await sleep(2000); // a late watch event would still count
  guard = false;
  if (left.length || outside.length || startedRings.length) {
    problems.push(
      `the bad version reached beyond canary: ${[...left, ...outside, ...startedRings.map((r) => `ring ${r.name} started`)].slice(0, 10).join("; ")}`,
    );
  }
  result.bad = {
    moved: entries.length,
    failed: entries.filter((e) => e.state === "Failed" || e.state === "RolledBack").length,
    canaries: canaries.length,
    firstFailedSeconds: firstFailed,
    activationFailedEventSeconds: eventAt("ActivationFailed"),
    rolloutHaltedEventSeconds: eventAt("RolloutHalted"),
    canaryBackSeconds: canaryBack,
    rolledBackSeconds: rolledBack,
    failedToCanaryBackSeconds: (canaryBack ?? Number.NaN) - (firstFailed ?? Number.NaN),
    failedToRolledBackSeconds: (rolledBack ?? Number.NaN) - (firstFailed ?? Number.NaN),
    earlyOrGeneralLeft: left.length + outside.length,
    statusChangesPerActivation: changesPer(trails(), n),
    writes: await badWrites(),
  };
  writeFileSync(file, JSON.stringify(result, null, 2));

  // 3. Steady state with both rollouts done: quiet first, then a window that holds a full resync
  // (--resync-period-seconds in OPERATOR_FLAGS).
  await sleep(10_000);
  const before = await requestsByVerb(op.metricsUrl);
  const reconcilesBefore = await reconciles(op.metricsUrl);
  await sleep(STEADY_WINDOW_SECONDS * 1000);
  const steady = {
    windowSeconds: STEADY_WINDOW_SECONDS,
    reconciles: (await reconciles(op.metricsUrl)) - reconcilesBefore,
    writes: writesOf(await requestsByVerb(op.metricsUrl)) - writesOf(before),
  };
  result.steady = steady;
  if (steady.writes !== 0 || steady.reconciles < 2 * n) {
    problems.push(
      `steady state: ${steady.writes} writes (must be 0) and ${steady.reconciles} reconciles (at least ${2 * n} expected)`,
    );
  }
  c.client.close();
} finally {
  await Promise.all(watches.map((w) => w.stop()));
  await probe?.stop();
  await operator?.stop();
  await cp.stop();
}
result.problems = problems;
writeFileSync(file, JSON.stringify(result, null, 2));
printRolloutReport(result);
console.log(`\nJSON: ${file}`);
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
