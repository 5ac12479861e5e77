// A child created with a POST and later changed by server-side apply, against the real API
// server: the first apply takes over the fields the create recorded under an Update entry, so that
// a field the rendering no longer has is removed, as if the child had been applied from the start.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Applier } from "../../operator/src/kube/apply.ts";
import { CREATED_ANNOTATION } from "../../operator/src/kube/created-fields.ts";
import type { ManagedFieldsEntry } from "../../operator/src/kube/foreign-fields.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import type { ObjectRef } from "../../operator/src/kube/resource-paths.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";

const MANAGER = "aihub-test-created";
let admin: CountingClient;
let ns: string;

beforeAll(async () => {
  admin = await countingClient({ file: inject("kubeconfig") });
  ns = `created-${randomUUID().slice(0, 8)}`;
  await admin.client.request("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
  });
});

afterAll(() => admin?.client.close());

type Obj = KubeObject & ObjectRef & { spec?: Record<string, unknown> };

const statefulSet = (name: string, extra: boolean): Obj => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name, namespace: ns, labels: { app: name, ...(extra ? { extra: "yes" } : {}) } },
  spec: {
    replicas: 1,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: "block",
            image: "registry.example/block:1.0.0",
            env: [{ name: "MODE", value: "a" }, ...(extra ? [{ name: "EXTRA", value: "x" }] : [])],
          },
        ],
      },
    },
  },
});

const service = (name: string, extra: boolean): Obj => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: ns, labels: { app: name, ...(extra ? { extra: "yes" } : {}) } },
  spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
});

const ours = (o: KubeObject) =>
  ((o.metadata.managedFields ?? []) as ManagedFieldsEntry[])
    .filter((e) => e.manager === MANAGER)
    .map((e) => `${e.operation}${e.subresource ? `/${e.subresource}` : ""}`);

const get = async (o: Obj) => admin.client.request<Obj>("GET", await admin.paths.pathOf(o));

describe("a child created with a POST", () => {
  it("is created once: a second create of the same name answers that it exists", async () => {
    const applier = new Applier(admin.client, admin.paths, MANAGER);
    const desired = service(`twice-${randomUUID().slice(0, 6)}`, false);
    expect((await applier.create(desired))?.written).toBe(true);
    expect(await applier.create(desired)).toBeUndefined();
  });

  it("says whether its answer has every field as sent, so that the next apply would send nothing", async () => {
    const applier = new Applier(admin.client, admin.paths, MANAGER);
    const id = randomUUID().slice(0, 6);
    const plain = service(`as-sent-${id}`, false);
    const kept = await applier.create(plain);
    expect(kept?.createdAsSent).toBe(true);
    expect((await applier.apply(plain, kept?.object)).written).toBe(false);
    // A quantity the API server stores in its canonical form (0.5 CPU as 500m) is not as sent.
    const rewritten = statefulSet(`rewritten-${id}`, false);
    const pod = (rewritten.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
    pod.containers = pod.containers.map((c) => ({ ...c, resources: { requests: { cpu: "0.5" } } }));
    const changed = await applier.create(rewritten);
    expect(changed?.createdAsSent).toBe(false);
    expect((await applier.apply(rewritten, changed?.object)).written).toBe(true);
  });

  it("loses a field the rendering drops at its first apply, keeps the server's defaults and allocations, and is applied from then on", async () => {
    const applier = new Applier(admin.client, admin.paths, MANAGER);
    const name = `sts-${randomUUID().slice(0, 6)}`;
    await applier.create(statefulSet(name, true));
    await applier.create(service(name, true));
    const created = await get(statefulSet(name, true));
    const createdService = await get(service(name, true));
    expect(created.metadata.annotations?.[CREATED_ANNOTATION]).toBe("true");
    expect(ours(created)).toEqual(["Update"]);

    for (const [before, desired] of [
      [created, statefulSet(name, false)],
      [createdService, service(name, false)],
    ] as const) {
      expect((await applier.apply(desired, before)).written).toBe(true);
      const after = await get(desired);
      expect(after.metadata.labels).toEqual({ app: name });
      expect(after.metadata.annotations?.[CREATED_ANNOTATION]).toBeUndefined();
      expect(ours(after)).toEqual(["Apply"]);
    }

    const sts = await get(statefulSet(name, false));
    const podSpec = (
      sts.spec as { template: { spec: { restartPolicy?: string; containers: Record<string, unknown>[] } } }
    ).template.spec;
    const container = podSpec.containers[0];
    expect(container?.env).toEqual([{ name: "MODE", value: "a" }]);
    // Defaults the create recorded as the manager's, removed by the apply and set again by the server.
    expect(container?.terminationMessagePath).toBe("/dev/termination-log");
    expect(podSpec.restartPolicy).toBe("Always");
    // One change of the pod template: one new generation.
    expect(sts.metadata.generation).toBe((created.metadata.generation ?? 0) + 1);
    const svc = await get(service(name, false));
    expect(svc.spec?.clusterIP).toBe(createdService.spec?.clusterIP);
    expect((svc.spec as { ports: { protocol?: string }[] }).ports[0]?.protocol).toBe("TCP");

    // Now an applied object like any other: a later drop is removed by the apply alone.
    const writes = admin.writeLog().length;
    const withExtraAgain = statefulSet(name, true);
    await applier.apply(withExtraAgain, sts);
    await applier.apply(statefulSet(name, false), await get(withExtraAgain));
    expect((await get(statefulSet(name, false))).metadata.labels).toEqual({ app: name });
    expect(
      admin
        .writeLog()
        .slice(writes)
        .map((w) => w.split(" ")[0]),
    ).toEqual(["PATCH", "PATCH"]);
  });

  it("joins an apply made before the upgrade: the fields of both are the manager's applied ones", async () => {
    const applier = new Applier(admin.client, admin.paths, MANAGER);
    const name = `both-${randomUUID().slice(0, 6)}`;
    await applier.create(service(name, true));
    // An apply that did not know of the create (the object was not cached yet): two entries.
    await applier.apply(service(name, true), undefined);
    const both = await get(service(name, true));
    expect(ours(both).sort()).toEqual(["Apply", "Update"]);
    await applier.apply(service(name, false), both);
    const after = await get(service(name, false));
    expect(after.metadata.labels).toEqual({ app: name });
    expect(after.metadata.annotations?.[CREATED_ANNOTATION]).toBeUndefined();
    expect(ours(after)).toEqual(["Apply"]);
  });
});
