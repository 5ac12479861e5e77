// A watch cache and the operator's own writes, against the real API server: a status or finalizer
// written by the operator is read back from the cache before the cache's watch has brought it,
// so that the next reconcile's write does not meet a 409 Conflict; and it is forgotten once the
// watch brings the write or anything after it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addFinalizer } from "../../operator/src/kube/finalizers.ts";
import { type KubeObject, objectKey } from "../../operator/src/kube/object.ts";
import type { ObjectRef } from "../../operator/src/kube/resource-paths.ts";
import { writeStatus } from "../../operator/src/kube/status.ts";
import { WatchCache } from "../../operator/src/kube/watch-cache.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { installCrds, waitUntil } from "../support/cluster.ts";

const TENANTS = "/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants";
let admin: CountingClient;

beforeAll(async () => {
  admin = await countingClient({ file: inject("kubeconfig") });
  await installCrds(admin);
});

afterAll(() => admin?.client.close());

const ref = (o: KubeObject) =>
  ({ ...o, apiVersion: "aihub.gemeenten.nl/v1alpha1", kind: "MunicipalTenant" }) as KubeObject & ObjectRef;

const createTenant = (name: string) =>
  admin.client.request<KubeObject>("POST", TENANTS, {
    body: { ...ref({ metadata: { name } }), spec: { municipalityCode: "GM0363", displayName: "Amsterdam" } },
  });

/** A synced cache of the tenant `name` alone; `stopped`: its watch ended, so nothing reaches it. */
async function cacheOf(name: string, stopped: boolean) {
  const cache = new WatchCache<KubeObject>({
    client: admin.client,
    path: TENANTS,
    fieldSelector: `metadata.name=${name}`,
  });
  cache.start();
  await cache.waitForSync();
  if (stopped) await cache.stop();
  return cache;
}

/** A new tenant and a synced cache of it alone (cacheOf). */
async function tenantAndCache(prefix: string, stopped: boolean) {
  const name = `${prefix}-${randomUUID().slice(0, 6)}`;
  await createTenant(name);
  const cache = await cacheOf(name, stopped);
  const key = objectKey({ metadata: { name } });
  const cached = () => {
    const o = cache.get(key);
    if (!o) throw new Error(`the cache lost ${key}`);
    return ref(o);
  };
  return { name, cache, cached, path: `${TENANTS}/${name}` };
}

const served = (path: string) => admin.client.request<KubeObject>("GET", path);

describe("a watch cache and the operator's own writes", () => {
  it("reads a status and a finalizer of its own back before its watch brings them: the next status write meets no conflict", async () => {
    const { cache, cached, path } = await tenantAndCache("own", true);
    const withFinalizer = await addFinalizer(admin.client, admin.paths, cached(), "aihub.gemeenten.nl/test", cache);
    expect(cached().metadata.finalizers).toEqual(["aihub.gemeenten.nl/test"]);

    // On top of its own finalizer write, which the (stopped) cache never had.
    const first = { observedGeneration: 1, phase: "Pending" };
    expect(await writeStatus(admin.client, admin.paths, cached(), first, { cache })).toMatchObject({
      written: true,
      conflicts: 0,
    });
    const now = await served(path);
    expect(now.metadata.resourceVersion).not.toBe(withFinalizer.metadata.resourceVersion);
    expect(cached().metadata.resourceVersion).toBe(now.metadata.resourceVersion);
    expect(cached().status).toEqual(first);
    expect(cached().metadata.finalizers).toEqual(["aihub.gemeenten.nl/test"]);
    expect(cache.list().map((o) => o.metadata.resourceVersion)).toEqual([now.metadata.resourceVersion]);

    // The next reconcile: the same status sends nothing, a new one lands at the first attempt.
    const writes = admin.writes();
    expect(await writeStatus(admin.client, admin.paths, cached(), first, { cache })).toEqual({
      written: false,
      conflicts: 0,
    });
    expect(admin.writes()).toBe(writes);
    const second = { observedGeneration: 1, phase: "Ready" };
    expect(await writeStatus(admin.client, admin.paths, cached(), second, { cache })).toMatchObject({
      written: true,
      conflicts: 0,
    });
    expect((await served(path)).status).toEqual(second);
  });

  it("notes nothing over a version it did not write on: a write after someone else's change leaves the cache as it was", async () => {
    const { cache, cached, path } = await tenantAndCache("other", true);
    const stale = cached();
    await admin.client.request("PATCH", path, {
      body: { metadata: { labels: { touched: "yes" } } },
      contentType: "application/merge-patch+json",
    });
    const status = { observedGeneration: 1, phase: "Pending" };
    expect(await writeStatus(admin.client, admin.paths, stale, status, { cache })).toMatchObject({
      written: true,
      conflicts: 1,
    });
    // The cache never had the label change that the write replaced: it keeps what it had.
    expect(cached()).toEqual(stale);
  });

  it("forgets its own write once the watch brings any other version", async () => {
    const { cache, cached, path } = await tenantAndCache("later", false);
    try {
      // Noted while the cache holds the version it replaced (nothing else writes this tenant). A
      // real write's own watch event can come before its answer, which would leave nothing noted.
      const held = cached();
      const own = { ...held, metadata: { ...held.metadata, resourceVersion: "own" }, status: { phase: "Pending" } };
      cache.noteWrite(own, held.metadata.resourceVersion ?? "");
      expect(cached()).toEqual(own);
      await admin.client.request("PATCH", path, {
        body: { spec: { displayName: "Gemeente Amsterdam" } },
        contentType: "application/merge-patch+json",
      });
      const latest = await served(path);
      await waitUntil("the cache to hold the change made after the write", async () =>
        cached().metadata.resourceVersion === latest.metadata.resourceVersion ? true : undefined,
      );
      expect(cached().spec).toEqual(latest.spec);
      expect(cached().status).toBeUndefined();
    } finally {
      await cache.stop();
    }
  });

  it("reads back an object it created before its watch brings it, in get only, and forgets it when the watch does", async () => {
    const name = `created-${randomUUID().slice(0, 6)}`;
    const cache = await cacheOf(name, false);
    try {
      const answer = await createTenant(name);
      // Noted unless the watch was first (then the cache holds it already).
      cache.noteWrite(answer, "");
      expect(cache.get(name)?.metadata.resourceVersion).toBe(answer.metadata.resourceVersion);
      await admin.client.request("PATCH", `${TENANTS}/${name}`, {
        body: { spec: { displayName: "Gemeente Amsterdam" } },
        contentType: "application/merge-patch+json",
      });
      const latest = await served(`${TENANTS}/${name}`);
      await waitUntil("the cache to hold the change made after the create", async () =>
        cache.get(name)?.metadata.resourceVersion === latest.metadata.resourceVersion ? true : undefined,
      );
    } finally {
      await cache.stop();
    }
    // A stopped cache never hears of a create: the note is what it has, for get and not for list.
    const other = `created-${randomUUID().slice(0, 6)}`;
    const stopped = await cacheOf(other, true);
    const created = await createTenant(other);
    stopped.noteWrite(created, "");
    expect(stopped.get(other)?.metadata.uid).toBe(created.metadata.uid);
    expect(stopped.list()).toEqual([]);
  });
});
