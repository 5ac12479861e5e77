// The watch cache against a real control plane of its own, whose API server is restarted and
// whose etcd history is compacted under it. The API server's own watch cache is off, so that a
// watch from a compacted resourceVersion meets etcd's answer (410 Gone) as in a large cluster.
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { labelIndexer, WatchCache } from "../../operator/src/kube/watch-cache.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { waitUntil } from "../support/cluster.ts";

const NS = "watch-resilience";
const CM = `/api/v1/namespaces/${NS}/configmaps`;

let cp: ControlPlane;
/** Talks to API server 0, which the tests restart. */
let watched: CountingClient;
/** Talks to API server 1 on the same etcd, which stays up. */
let other: CountingClient;

beforeAll(async () => {
  cp = await ControlPlane.start({ controllerManager: false, apiServerArgs: ["--watch-cache=false"] });
  const second = await cp.addApiServer();
  watched = await countingClient({ file: cp.kubeconfigPath });
  other = await countingClient({ yaml: cp.adminKubeconfigOf(second) });
  await other.client.request("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
  });
}, 120_000);

afterAll(async () => {
  watched?.client.close();
  other?.client.close();
  await cp?.stop();
});

const configMap = (name: string, value: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: NS, labels: { suite: "watch" } },
  data: { value },
});

/** The state of the namespace as the API server that stayed up lists it: name -> value. */
async function truth(): Promise<Record<string, string>> {
  const list = await other.client.request<{ items: { metadata: { name: string }; data?: { value?: string } }[] }>(
    "GET",
    CM,
    { query: { labelSelector: "suite=watch" } },
  );
  return Object.fromEntries(list.items.map((i) => [i.metadata.name, i.data?.value ?? ""]));
}

const cachedState = (cache: WatchCache<KubeObject>) =>
  Object.fromEntries(
    cache.list().map((o) => [o.metadata.name, ((o as { data?: { value?: string } }).data?.value ?? "") as string]),
  );

function startCache() {
  const seen: string[] = [];
  const cache = new WatchCache<KubeObject>({
    client: watched.client,
    path: CM,
    labelSelector: "suite=watch",
    backoff: { initialMs: 50, maxMs: 1000 },
  });
  cache.on({
    add: (o) => seen.push(`add ${o.metadata.name}`),
    update: (_a, b) => seen.push(`update ${b.metadata.name}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  cache.start();
  return { cache, seen };
}

describe("the watch cache", () => {
  it("survives a kube-apiserver restart and misses no change made while it was down", async () => {
    for (const n of ["a", "b", "c"]) await other.client.request("POST", CM, { body: configMap(n, "1") });
    const { cache, seen } = startCache();
    await cache.waitForSync();
    await waitUntil("the cache to hold a, b, c", async () => (cache.list().length === 3 ? true : undefined));

    await cp.stopApiServer(0);
    // The control plane says which of its parts is gone (what make chaos prints when one dies).
    expect(cp.exited().map((p) => p.name)).toEqual(["kube-apiserver"]);
    // While the watched API server is down, change things through the other one.
    await other.client.request("POST", CM, { body: configMap("d", "1") });
    await other.client.request("PUT", `${CM}/a`, { body: configMap("a", "2") });
    await other.client.request("DELETE", `${CM}/b`);
    await cp.startApiServer(0);
    expect(cp.exited()).toEqual([]);

    const expected = await truth();
    expect(expected).toEqual({ a: "2", c: "1", d: "1" });
    await waitUntil("the cache to catch up", async () =>
      isDeepStrictEqual(cachedState(cache), expected) ? true : undefined,
    );
    expect(seen).toEqual(expect.arrayContaining(["add d", "update a", "delete b"]));
    expect(cache.stats.reconnects).toBeGreaterThanOrEqual(1);
    await cache.stop();
  });

  it("relists after etcd compacted its resourceVersion away (410 Gone) and loses no change", async () => {
    const { cache, seen } = startCache();
    await cache.waitForSync();
    const before = cache.lastResourceVersion();

    await cp.stopApiServer(0);
    await other.client.request("POST", CM, { body: configMap("e", "1") });
    await other.client.request("PUT", `${CM}/c`, { body: configMap("c", "3") });
    await other.client.request("DELETE", `${CM}/d`);
    const head = await other.client.request<{ metadata: { resourceVersion: string } }>("GET", CM, {
      query: { limit: 1 },
    });
    expect(Number(head.metadata.resourceVersion)).toBeGreaterThan(Number(before));
    await cp.compactEtcd(head.metadata.resourceVersion);
    await cp.startApiServer(0);

    const expected = await truth();
    await waitUntil(
      "the cache to relist",
      async () => (isDeepStrictEqual(cachedState(cache), expected) ? true : undefined),
      60_000,
    );
    expect(cache.stats.relistsAfterGone).toBeGreaterThanOrEqual(1);
    expect(seen).toEqual(expect.arrayContaining(["add e", "update c", "delete d"]));
    await cache.stop();
  });

  it("reconnects a stream on which nothing arrives, at once and without an error, and keeps watching", async () => {
    const errors: string[] = [];
    const restarts: string[] = [];
    const cache = new WatchCache<KubeObject>({
      client: watched.client,
      path: CM,
      labelSelector: "suite=idle",
      indexers: { suite: labelIndexer("suite") },
      idleTimeoutMs: 1000,
      // A backoff far longer than the test: a quiet stream must not wait for it.
      backoff: { initialMs: 600_000, maxMs: 600_000 },
      onError: (err) => errors.push(String(err)),
      onRestart: (reason) => restarts.push(reason),
    });
    cache.start();
    await cache.waitForSync();
    await waitUntil("an idle reconnect", async () => (cache.stats.watches >= 3 ? true : undefined), 20_000);
    expect(cache.stats.idleReconnects).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    expect(restarts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(restarts)).toEqual(new Set(["idle"]));
    expect(cache.stats.reconnects).toBe(0);
    await other.client.request("POST", CM, {
      body: { ...configMap("idle", "1"), metadata: { name: "idle", namespace: NS, labels: { suite: "idle" } } },
    });
    await waitUntil("the object after reconnects", async () => cache.get(`${NS}/idle`));
    expect(cache.byIndex("suite", "idle").map((o) => o.metadata.name)).toEqual(["idle"]);
    expect(cache.stats.lists).toBe(1);
    await cache.stop();
  });

  it("keeps the spec it holds when only the status or the metadata changed, and takes a changed one", async () => {
    const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments`;
    const cache = new WatchCache<KubeObject>({ client: watched.client, path: DEPLOYMENTS });
    cache.start();
    await cache.waitForSync();
    const labels = { app: "spec" };
    await other.client.request("POST", DEPLOYMENTS, {
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "spec", namespace: NS },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "registry.example/c:1" }] } },
        },
      },
    });
    const key = `${NS}/spec`;
    const first = await waitUntil("the Deployment in the cache", async () => cache.get(key));
    const rvOf = (o: KubeObject | undefined) => o?.metadata.resourceVersion;
    const cachedAfter = async (what: string, change: () => Promise<KubeObject>) => {
      const written = await change();
      return waitUntil(what, async () => (rvOf(cache.get(key)) === rvOf(written) ? cache.get(key) : undefined));
    };
    // Without kube-controller-manager nobody else writes the status: this test's write is the only one.
    const statusWritten = await cachedAfter("the status write in the cache", () =>
      other.client.request("PUT", `${DEPLOYMENTS}/spec/status`, {
        body: { ...first, status: { observedGeneration: 1, replicas: 1 } },
      }),
    );
    expect(statusWritten.metadata.generation).toBe(first.metadata.generation);
    expect(statusWritten.status).toEqual({ observedGeneration: 1, replicas: 1 });
    expect(statusWritten.spec).toBe(first.spec);
    const labelled = await cachedAfter("the label in the cache", () =>
      other.client.request("PATCH", `${DEPLOYMENTS}/spec`, {
        body: { metadata: { labels: { tier: "test" } } },
        contentType: "application/merge-patch+json",
      }),
    );
    expect(labelled.metadata.labels).toEqual({ tier: "test" });
    expect(labelled.spec).toBe(first.spec);
    const scaled = await cachedAfter("the new spec in the cache", () =>
      other.client.request("PATCH", `${DEPLOYMENTS}/spec`, {
        body: { spec: { replicas: 2 } },
        contentType: "application/merge-patch+json",
      }),
    );
    expect(scaled.metadata.generation).toBe((first.metadata.generation ?? 0) + 1);
    expect(scaled.spec).not.toBe(first.spec);
    expect((scaled.spec as { replicas: number }).replicas).toBe(2);
    await cache.stop();
  });
});
