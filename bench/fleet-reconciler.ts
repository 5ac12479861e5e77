// The fleet benchmark's operator phases (bench/fleet.ts): one contender that reconciles the fleet
// (aihub or a controller-runtime peer) on a fresh control plane, fed and observed the same way,
// and what is measured of it. Also the run's log, output folder and time stamp, which every phase
// of a run shares.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { pino } from "pino";
import { CONFIG_MAPS_PER_ACTIVATION } from "../operator/src/controllers/tenant/quota.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import type { ControlPlane } from "../test/controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../test/support/clients.ts";
import { applyManifests, installCrds, installPolicies } from "../test/support/cluster.ts";
import { startControlPlane, waitFor } from "./control-plane.ts";
import { createCounted } from "./fleet-raw.ts";
import { FLEET_BLOCKS, fleetActivations, fleetTenant } from "./fleet-spec.ts";
import {
  cpuMeter,
  memoryOf,
  operatorSampler,
  reconciles,
  reconcilesByController,
  rendersSkippedByController,
  requestsByVerb,
  serverLatency,
  serverWatchEvents,
  serverWrites,
  type TimelineRow,
  timeline,
  writesOf,
} from "./measure.ts";
import { STEADY_WINDOW_SECONDS } from "./operator-process.ts";
import { podsReady, watchClaims, withStages } from "./pipeline.ts";
import { pool, poolWhenReady } from "./pool.ts";
import { cpuSeconds, peakRssMb, rssMb } from "./process-stats.ts";
import { type SpeedProbe, startSpeedProbe } from "./speed-probe.ts";

export const log = pino({ level: "info" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const API = "/apis/aihub.gemeenten.nl/v1alpha1";
export const outDir = process.env.BENCH_OUT ?? "bench/results";
export const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "");
const profileSetting = process.env.BENCH_PROFILE ?? "";

/** A CPU profile of kube-apiserver over a phase (BENCH_PROFILE); `end` when the phase is over. */
export interface Profiling {
  end(): Promise<void>;
}

/** Profiles are taken in pieces of this many seconds with BENCH_PROFILE=phase, and merged. */
const PIECE_SECONDS = 10;

/**
 * With BENCH_PROFILE: where kube-apiserver spends its CPU in this phase, written beside the JSON.
 * A number profiles the first that many seconds. `phase` profiles the whole phase, until `end`:
 * pieces of 10 s one after the other (the API server's profile ends only at the time it was asked
 * for), merged into one file by `go tool pprof -proto` (the pieces stay when Go is not there), so
 * that two phases of different length compare whole, with at most 10 s after the end.
 */
export function profileApiServer(cp: ControlPlane, phase: string): Profiling {
  const file = `${outDir}/apiserver-${phase}-${stamp}.pprof`;
  const warn = (err: Error) => log.warn({ err: err.message }, "no kube-apiserver CPU profile");
  if (!profileSetting) return { end: async () => {} };
  if (profileSetting !== "phase") {
    const profiled = cp.apiServerCpuProfile(Number(profileSetting)).then((bytes) => {
      writeFileSync(file, bytes);
      log.info({ file }, "kube-apiserver CPU profile written");
    }, warn);
    return { end: () => profiled };
  }
  let ending = false;
  const pieces: string[] = [];
  const taken = (async () => {
    while (!ending) {
      const bytes = await cp.apiServerCpuProfile(PIECE_SECONDS);
      pieces.push(`${file}.${pieces.length}`);
      writeFileSync(pieces.at(-1) as string, bytes);
    }
  })().catch(warn);
  return {
    end: async () => {
      ending = true;
      await taken;
      try {
        // The merged profile is written only once go has made it: a failed merge leaves no empty file.
        const merged = execFileSync("go", ["tool", "pprof", "-proto", ...pieces], {
          stdio: ["ignore", "pipe", "ignore"],
          maxBuffer: 256 * 2 ** 20,
        });
        writeFileSync(file, merged);
        if (!process.env.BENCH_PROFILE_KEEP) for (const piece of pieces) rmSync(piece);
        log.info({ file, pieces: pieces.length }, "kube-apiserver CPU profile of the whole phase written");
      } catch (err) {
        log.warn({ err: String(err), pieces: pieces.length }, `profile pieces kept as ${file}.<n>`);
      }
    },
  };
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
  const claims = watchClaims(c.client);
  return {
    synced: () => Promise.all([...all.map((w) => w.waitForSync()), claims.synced()]),
    tenantReady: (name: string) =>
      readyCount(tenants.get(name) ? [tenants.get(name) as Listed["items"][number]] : []) === 1,
    readyTenants: () => readyCount(tenants.list()),
    readyActivations: () => readyCount(activations.list()),
    counts: () => ({
      "tenants Ready": readyCount(tenants.list()),
      namespaces: namespaces.list().length,
      activations: activations.list().length,
      "activations Ready": readyCount(activations.list()),
      ...claims.counts(),
    }),
    activations: () => activations.list() as Listed["items"],
    stop: () => Promise.all([...all.map((w) => w.stop()), claims.stop()]),
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
export interface RunOptions {
  tenants: number;
  nodes: number;
  contenders: string[];
  /** Raw baseline runs: the first before the operator phase, the second after it. */
  raw: number;
  /** Rounds of aihub and the raw client in turn (BENCH_ROUNDS); 1: the main run only. */
  rounds: number;
  /** Called with the run's figures so far after each further round. */
  onRound?: (partial: Record<string, unknown>) => void;
  steady: boolean;
  propagation: boolean;
  /** aihub's time until Ready at this size in a run just before (a growth run): the peer's cap. */
  aihubReadySeconds?: number;
}

/** A contender that reconciles the fleet (aihub or a peer): its process and its Prometheus metrics. */
export interface Reconciler {
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
export async function reconcilerPhase(
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
  let probe: SpeedProbe | undefined;
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
    const operator = operatorSampler(running.metricsUrl, isAihub);
    const speed = startSpeedProbe();
    probe = speed;
    const timelineStart = Date.now();
    const sampled = timeline(cpu, async () => ({
      ...observed.counts(),
      ...(await operator.sample()),
      "probe ms": speed.latest() ?? 0,
    }));
    const profiled = profileApiServer(cp, `${name}-${o.tenants}`);
    const started = performance.now();
    const startedAt = Date.now();
    const deadline = started + timeoutMs;
    const quotaRefusals = { count: 0 };
    const tenants = Array.from({ length: o.tenants }, (_, i) => i);
    await pool(tenants, 32, (i) => c.client.request("POST", `${API}/municipaltenants`, { body: fleetTenant(i) }));
    // Each municipality creates its activations once its tenant is Ready (its namespace made and
    // its quota counted), on its own: a tenant that is late holds back only its own activations.
    await poolWhenReady(
      tenants.flatMap((i) => fleetActivations(i)),
      32,
      (a) => observed.tenantReady(a.metadata.namespace ?? ""),
      (a) => createCounted(quotaRefusals, c, a),
      deadline,
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
    result.machineSpeed = await speed.stop();
    await profiled.end();
    // Ready is written after the children are applied; check that they are all there, and when
    // the last one came (creationTimestamp has whole seconds: rounded up here).
    // Per activation: its StatefulSet, its ConfigMaps (parameters, logging sidecar) and its Service.
    const expectedChildren = o.tenants * FLEET_BLOCKS.length * (2 + CONFIG_MAPS_PER_ACTIVATION);
    const made = await children(c);
    result.childObjects = made.count;
    const pods = await podsReady(c.client, startedAt, o.tenants * FLEET_BLOCKS.length);
    result.podsReadySeconds = pods.lastSeconds;
    result.podsReadyAfterWorkload = pods.afterWorkload;
    result.podSteps = pods.steps;
    result.timeline = withStages(result.timeline as TimelineRow[], timelineStart, pods.stages);
    if (converged && made.count < expectedChildren) {
      throw new Error(`${name}: ${made.count} of ${expectedChildren} child objects exist`);
    }
    if (made.count >= expectedChildren) {
      const childrenSeconds = (made.lastCreatedMs + 1000 - startedAt) / 1000;
      result.childrenSeconds = converged ? Math.min(result.readySeconds as number, childrenSeconds) : childrenSeconds;
    }
    result.requests = await requestsByVerb(running.metricsUrl);
    result.reconcilesByController = await reconcilesByController(running.metricsUrl);
    result.rendersSkipped = await rendersSkippedByController(running.metricsUrl);
    result.cpuSeconds = cpuSeconds(pid) - cpuAtStart;
    result.cpuByProcess = cpu();
    result.serverWrites = await serverWrites(cp);
    result.serverWatchEvents = await serverWatchEvents(cp);
    result.serverLatency = await serverLatency(cp);
    result.peakRssMb = peakRssMb(pid);
    result.rssMb = rssMb(pid);
    if (isAihub) {
      result.memory = await memoryOf(running.metricsUrl);
      result.memoryAtPeak = operator.memoryAtPeak();
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
    await probe?.stop();
    await seen?.stop();
    await contender?.stop();
    await cp.stop();
  }
  return result;
}
