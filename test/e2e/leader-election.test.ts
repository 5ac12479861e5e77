// Two operator instances on one Lease: exactly one reconciles; the follower writes nothing
// before it leads; when the leader dies the follower takes over within the lease duration; a
// graceful stop releases the lease at once.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { WatchCache } from "../../operator/src/kube/watch-cache.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { consistently, waitUntil } from "../support/cluster.ts";
import { type Mirror, mirrorController } from "../support/mirror-controller.ts";

const LEASE_SECONDS = 4;
const RETRY_MS = 250;

let admin: CountingClient;
let ns: string;

beforeAll(async () => {
  admin = await countingClient({ file: inject("kubeconfig") });
  ns = `leader-${randomUUID().slice(0, 8)}`;
  await admin.client.request("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
  });
});

afterAll(() => admin?.client.close());

const isLease = (path: string) => path.includes("/leases");

/** An instance of the mirror controller; `leaseReads` counts its election rounds (each reads the lease). */
async function instance(identity: string): Promise<{ m: Mirror; c: CountingClient; leaseReads: () => number }> {
  const c = await countingClient({ file: inject("kubeconfig") });
  let reads = 0;
  c.client.observe((r) => {
    if (r.method === "GET" && isLease(r.path) && r.code === 200) reads++;
  });
  const m = mirrorController({
    client: c.client,
    namespace: ns,
    leaderElection: {
      namespace: ns,
      name: "mirror-leader",
      identity,
      leaseDurationSeconds: LEASE_SECONDS,
      renewDeadlineMs: 2000,
      retryPeriodMs: RETRY_MS,
    },
  });
  return { m, c, leaseReads: () => reads };
}

const source = (name: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns, labels: { mirror: "source" } },
  data: { value: name },
});

const mirrorExists = async (name: string) => {
  const list = await admin.client.request<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/configmaps`, {
    query: { labelSelector: "mirror=copy" },
  });
  return list.items.some((i) => i.metadata.name === `${name}-mirror`) ? true : undefined;
};

describe("leader election", () => {
  it("lets exactly one instance reconcile, and the other take over when it dies", async () => {
    const a = await instance("instance-a");
    await a.m.manager.start();
    await waitUntil("a to lead", async () => (a.m.manager.isLeader() ? true : undefined));
    const b = await instance("instance-b");
    await b.m.manager.start();

    await admin.client.request("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: source("one") });
    await waitUntil("the leader to mirror it", () => mirrorExists("one"));
    // The follower has the source in its cache and has lost an election round.
    await waitUntil("b to see the source and read the lease", async () =>
      b.m.sources.get(`${ns}/one`) && b.leaseReads() > 0 ? true : undefined,
    );
    const roundsBefore = b.leaseReads();
    // While the leader renews, the follower only reads the lease: it writes nothing, not even the lease.
    await consistently(
      "b to stay a follower that writes nothing",
      () => {
        const seen = { leader: b.m.manager.isLeader(), reconciled: b.m.reconciled, writes: b.c.writes() };
        return seen.leader || seen.reconciled.length || seen.writes ? seen : undefined;
      },
      4 * RETRY_MS,
    );
    // Several election rounds fell in that time: the follower was campaigning, and losing.
    expect(b.leaseReads() - roundsBefore).toBeGreaterThanOrEqual(2);

    // The leader dies without releasing the lease.
    await a.m.manager.kill();
    const killedAt = Date.now();
    await waitUntil("b to lead", async () => (b.m.manager.isLeader() ? true : undefined), 20_000);
    const takeoverMs = Date.now() - killedAt;
    console.log(`takeover after the leader died: ${takeoverMs} ms (lease ${LEASE_SECONDS} s)`);
    // The algorithm bound is lease + 2 retry periods; 1 s more absorbs a loaded CI machine.
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_SECONDS * 1000 + 2 * RETRY_MS + 1000);

    await admin.client.request("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: source("two") });
    await waitUntil("the new leader to mirror it", () => mirrorExists("two"));
    expect(b.m.reconciled).toContain(`${ns}/two`);
    expect(a.m.reconciled).not.toContain(`${ns}/two`);

    // A graceful stop releases the lease: a third instance leads without waiting out the lease.
    // Every holder the lease has, in order, as a watch sees them.
    const holders: string[] = [];
    const leases = new WatchCache<KubeObject & { spec?: { holderIdentity?: string } }>({
      client: admin.client,
      path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
      fieldSelector: "metadata.name=mirror-leader",
    });
    const record = (l: { spec?: { holderIdentity?: string } }) => {
      const holder = l.spec?.holderIdentity ?? "";
      if (holders.at(-1) !== holder) holders.push(holder);
    };
    leases.on({ add: record, update: (_, l) => record(l) });
    leases.start();
    await leases.waitForSync();
    const c = await instance("instance-c");
    await c.m.manager.start();
    await waitUntil("c to read the lease", async () => (c.leaseReads() > 0 ? true : undefined));
    await consistently(
      "c to stay a follower while b leads",
      () => (c.m.manager.isLeader() ? "c leads" : undefined),
      2 * RETRY_MS,
    );
    await b.m.manager.stop();
    const releasedAt = Date.now();
    await waitUntil("c to lead", async () => (c.m.manager.isLeader() ? true : undefined), 20_000);
    const handoverMs = Date.now() - releasedAt;
    console.log(`handover after a graceful stop: ${handoverMs} ms`);
    expect(handoverMs).toBeLessThan(LEASE_SECONDS * 1000);
    // Released: b emptied the holder before c took the lease (c's write comes after b's release).
    await waitUntil("the watch to see c hold the lease", async () =>
      holders.at(-1) === "instance-c" ? true : undefined,
    );
    await leases.stop();
    expect(holders).toEqual(["instance-b", "", "instance-c"]);
    await c.m.manager.stop();
    for (const x of [a, b, c]) x.c.client.close();
  });

  it("stops reconciling at once when the lease is lost", async () => {
    const a = await instance("instance-d");
    await a.m.manager.start();
    await waitUntil("d to lead", async () => (a.m.manager.isLeader() ? true : undefined), 20_000);
    // Another party takes the lease (as after a network partition in which d could not renew).
    const path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/mirror-leader`;
    const lease = await admin.client.request<{ spec: Record<string, unknown> }>("GET", path);
    await admin.client.request("PUT", path, {
      body: {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "intruder",
          leaseDurationSeconds: 3600,
          renewTime: new Date().toISOString().replace("Z", "000Z"),
        },
      },
    });
    await waitUntil("d to step down", async () => (a.m.manager.isLeader() ? undefined : true), 10_000);
    const before = a.m.reconciled.length;
    await admin.client.request("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: source("three") });
    // d's cache, kept warm while it follows, has the source: the event reached d.
    await waitUntil("d to see the source", async () => (a.m.sources.get(`${ns}/three`) ? true : undefined));
    await consistently(
      "d to reconcile nothing after losing the lease",
      async () => {
        const reconciled = a.m.reconciled.slice(before);
        const mirrored = await mirrorExists("three");
        return reconciled.length || mirrored ? { reconciled, mirrored } : undefined;
      },
      1000,
    );
    await a.m.manager.stop();
    a.c.client.close();
  });
});
