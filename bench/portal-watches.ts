// make bench-portal: what the portal's live pages cost at fleet size. The portal holds no
// permissions of its own, so each signed-in person's pages are followed by watches with that
// person's token: here BENCH_SESSIONS sessions (one per municipality, each with its own API client,
// as the portal makes them), each following three collections (its namespace's activations, the
// catalogue, the tenants) through the portal's WatchPool, against a fresh control plane with one
// activation per municipality. Measures, and prints:
// 1. the time until every watch has its first list, and the portal process's heap and RSS per watch;
// 2. one activation changed: the time until its own session hears of it (p50, p95 of BENCH_CHANGES);
// 3. the catalogue changed: the time until every session has heard of it (the fan-out).
// Asserts nothing on time.
//
//   BENCH_SESSIONS=342   sessions (and municipalities)
//   BENCH_CHANGES=30     single activation changes timed
import type { KubeObject } from "../operator/src/kube/object.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import { clusterEndpoint, type UserApi, userApi } from "../portal/src/user-api.ts";
import { WatchPool } from "../portal/src/watch-pool.ts";
import { countingClient } from "../test/support/clients.ts";
import { applyManifests, installCrds, installPolicies } from "../test/support/cluster.ts";
import { readManifests } from "../test/support/manifests.ts";
import { publicReaderToken } from "../test/support/service-account-token.ts";
import { startControlPlane, waitFor } from "./control-plane.ts";
import { answerHelp } from "./help.ts";
import { machine, machineLine } from "./process-stats.ts";

answerHelp(import.meta.url);

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 342);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 30);
const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const gc = (globalThis as { gc?: () => void }).gc;
const memory = () => {
  gc?.();
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;

console.log(
  `# portal watches: ${SESSIONS} sessions x 3 collections; ${machineLine(machine())}${gc ? "" : " (run with --expose-gc for steadier memory figures)"}`,
);
const cp = await startControlPlane(0);
const admin = await countingClient({ file: cp.kubeconfigPath });
try {
  await installCrds(admin);
  await installPolicies(admin, ["charts/aihub/templates/portal-public-reader.yaml"]);
  await applyManifests(admin, readManifests("examples/catalog"));
  const ns = (i: number) => `gm${String(i).padStart(4, "0")}`;
  let started = performance.now();
  for (let i = 0; i < SESSIONS; i++)
    await applyManifests(admin, [
      {
        apiVersion: "aihub.gemeenten.nl/v1alpha1",
        kind: "BlockActivation",
        metadata: { name: "uitlegbaarheid", namespace: ns(i) },
        spec: { block: "uitlegbaarheid", channel: "stable", updatePolicy: "Automatic" },
      } as KubeObject,
    ]);
  console.log(
    `setup: ${SESSIONS} namespaces with one activation each in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // One identity that may read what the sessions watch (the public reader), one client per session.
  const token = await publicReaderToken(admin, "default", "bench", "bench-portal-reader");
  const endpoint = clusterEndpoint(cp.kubeconfigPath);
  const before = memory();
  const apis = new Map<string, UserApi>();
  for (let i = 0; i < SESSIONS; i++)
    apis.set(
      `s${i}`,
      userApi(endpoint, () => `Bearer ${token}`),
    );
  const pool = new WatchPool<{ cache: WatchCache<KubeObject>; stop(): void }>(
    (owner, path, changed) => {
      const cache = new WatchCache<KubeObject>({ client: (apis.get(owner) as UserApi).client, path });
      const notify = () => {
        if (cache.hasSynced()) changed();
      };
      cache.on({ add: notify, update: notify, delete: notify });
      cache.start();
      return { cache, stop: () => void cache.stop() };
    },
    { max: SESSIONS * 3, idleMs: 30_000 },
  );
  const heard = new Map<string, number>();
  started = performance.now();
  for (let i = 0; i < SESSIONS; i++) {
    const owner = `s${i}`;
    for (const path of [
      `${API}/namespaces/${ns(i)}/blockactivations`,
      `${API}/aibuildingblocks`,
      `${API}/municipaltenants`,
    ])
      pool.subscribe(owner, path, () => heard.set(`${owner} ${path}`, performance.now()));
  }
  const caches = [...apis.keys()].flatMap((o) =>
    [
      `${API}/namespaces/${ns(Number(o.slice(1)))}/blockactivations`,
      `${API}/aibuildingblocks`,
      `${API}/municipaltenants`,
    ].map((p) => pool.peek(o, p)?.cache),
  );
  const syncSeconds = await waitFor("every watch synced", () => caches.every((c) => c?.hasSynced()), 300_000);
  const after = memory();
  const watches = pool.size;
  console.log(`\n| measure | value |\n| --- | --- |`);
  console.log(`| watches open | ${watches} |`);
  console.log(
    `| all synced after | ${syncSeconds.toFixed(1)} s (subscribing took ${((performance.now() - started) / 1000 - syncSeconds).toFixed(1)} s of it) |`,
  );
  console.log(
    `| heap | ${before.heapMb.toFixed(1)} -> ${after.heapMb.toFixed(1)} MB, ${(((after.heapMb - before.heapMb) * 1024) / watches).toFixed(1)} KB per watch |`,
  );
  console.log(
    `| RSS | ${before.rssMb.toFixed(1)} -> ${after.rssMb.toFixed(1)} MB, ${(((after.rssMb - before.rssMb) * 1024) / watches).toFixed(1)} KB per watch |`,
  );

  // One activation changed: how soon its own session hears.
  const latencies: number[] = [];
  for (let n = 0; n < CHANGES; n++) {
    const i = Math.floor(Math.random() * SESSIONS);
    const key = `s${i} ${API}/namespaces/${ns(i)}/blockactivations`;
    heard.delete(key);
    const t0 = performance.now();
    await admin.client.request("PATCH", `${API}/namespaces/${ns(i)}/blockactivations/uitlegbaarheid`, {
      contentType: "application/merge-patch+json",
      body: { metadata: { labels: { bench: String(n) } } },
    });
    await waitFor(`session ${i} hears of its change`, () => heard.has(key), 30_000);
    latencies.push((heard.get(key) as number) - t0);
  }
  console.log(
    `| one activation changed, heard by its session | p50 ${pct(latencies, 0.5).toFixed(0)} ms, p95 ${pct(latencies, 0.95).toFixed(0)} ms (${CHANGES} changes) |`,
  );

  // The catalogue changed: every session hears.
  for (const k of [...heard.keys()]) if (k.endsWith("/aibuildingblocks")) heard.delete(k);
  const t0 = performance.now();
  await admin.client.request("PATCH", `${API}/aibuildingblocks/uitlegbaarheid`, {
    contentType: "application/merge-patch+json",
    body: { metadata: { labels: { bench: "fan-out" } } },
  });
  const fanOut = await waitFor(
    "every session hears of the catalogue change",
    () => [...apis.keys()].every((o) => heard.has(`${o} ${API}/aibuildingblocks`)),
    60_000,
  );
  const times = [...apis.keys()].map((o) => (heard.get(`${o} ${API}/aibuildingblocks`) as number) - t0);
  console.log(
    `| catalogue changed, heard by all ${SESSIONS} sessions | last after ${Math.max(...times).toFixed(0)} ms (p50 ${pct(times, 0.5).toFixed(0)} ms; polled ${fanOut.toFixed(1)} s) |`,
  );
  pool.closeAll();
  for (const api of apis.values()) api.close();
} finally {
  admin.client.close();
  await cp.stop();
}
