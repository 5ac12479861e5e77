// Bad input that reaches the API server without the webhook (installed before it, or while it was
// down): the reconcilers meet objects their schema refuses. Each is reported where a person looks
// (status and an Event), and everything else goes on. A control plane of its own, no webhook.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import type { Manager } from "../../operator/src/runtime/manager.ts";
import { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { catalogBlock } from "../support/catalog-block.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { installCrds, installPolicies, waitUntil } from "../support/cluster.ts";
import { buildTestOperator, stopInProcessOperator } from "../support/in-process-operator.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";

let cp: ControlPlane;
let admin: CountingClient;
let operatorClient: CountingClient;
let manager: Manager;

type Condition = { type: string; status: string; reason: string; message: string };
type Obj = KubeObject & { spec: Record<string, unknown>; status?: { conditions?: Condition[] } };

beforeAll(async () => {
  cp = await ControlPlane.start({ nodes: 1 });
  admin = await countingClient({ file: cp.kubeconfigPath });
  operatorClient = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(admin);
  await installPolicies(admin);
  manager = buildTestOperator({
    client: operatorClient.client,
    log: pino({ level: "silent" }),
    metrics: new OperatorMetrics(),
    identity: "e2e-bad-input",
  }).manager;
  await manager.start();
  await admin.client.request("POST", `${API}/municipaltenants`, {
    body: {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "MunicipalTenant",
      metadata: { name: "dronten" },
      spec: { municipalityCode: "GM0303", displayName: "Dronten" },
    },
  });
  await waitUntil("tenant dronten to be Ready", async () => {
    const t = await admin.client.request<Obj>("GET", `${API}/municipaltenants/dronten`);
    return t.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" ? true : undefined;
  });
}, 120_000);

afterAll(() => stopInProcessOperator({ manager, clients: [operatorClient, admin], cp }));

const get = <T = Obj>(path: string) => admin.client.request<T>("GET", path);
const ready = (o: Obj) => o.status?.conditions?.find((c) => c.type === "Ready");
const block = (name: string, parameters: unknown[]) =>
  catalogBlock(name, {
    description: "A test block.",
    parameters,
    versions: [
      {
        version: "1.0.0",
        image: `registry.gemeenten.nl/aihub/${name}@sha256:${"1".repeat(64)}`,
        releaseDate: "2026-01-01",
        releaseNotes: "First.",
      },
    ],
  });
const activate = (name: string) =>
  admin.client.request("POST", `${API}/namespaces/dronten/blockactivations`, {
    body: {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockActivation",
      metadata: { name },
      spec: { block: name },
    },
  });

describe("a catalog entry its schema refuses", () => {
  it("is reported in its status and an Event, its activations say so, and every other block runs", async () => {
    // `default: "30"` for an integer: a common YAML slip, which only the webhook would refuse.
    const slip = [{ name: "days", type: "integer", description: "Days.", default: "30" }];
    await admin.client.request("POST", `${API}/aibuildingblocks`, { body: block("typfout", slip) });
    await admin.client.request("POST", `${API}/aibuildingblocks`, { body: block("goed", []) });
    await activate("typfout");
    await activate("goed");

    const bad = await waitUntil("block typfout to say why", async () => {
      const b = await get(`${API}/aibuildingblocks/typfout`);
      return ready(b)?.reason === "InvalidSpec" ? b : undefined;
    });
    expect(ready(bad)).toMatchObject({ status: "False" });
    expect(ready(bad)?.message).toContain("spec.parameters[0].default: default must be of type integer");
    const event = await waitUntil("a Warning Event about block typfout", async () => {
      const events = await get<{ items: Record<string, string>[] }>(
        "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dtypfout",
      );
      return events.items.find((e) => e.reason === "InvalidSpec");
    });
    expect(event).toMatchObject({ type: "Warning" });
    expect(event.note).toContain("spec.parameters[0].default");

    const stuck = await waitUntil("activation typfout to say why", async () => {
      const a = await get(`${API}/namespaces/dronten/blockactivations/typfout`);
      return ready(a)?.reason === "BlockInvalid" ? a : undefined;
    });
    expect(ready(stuck)?.status).toBe("False");
    await waitUntil("activation goed to be Ready", async () => {
      const a = await get(`${API}/namespaces/dronten/blockactivations/goed`);
      return ready(a)?.status === "True" ? true : undefined;
    });

    // Corrected, the block and its activation go on without anyone restarting anything.
    await admin.client.request("PATCH", `${API}/aibuildingblocks/typfout`, {
      body: { spec: { parameters: [{ ...slip[0], default: 30 }] } },
      contentType: "application/merge-patch+json",
    });
    await waitUntil("activation typfout to be Ready once its block is corrected", async () => {
      const a = await get(`${API}/namespaces/dronten/blockactivations/typfout`);
      return ready(a)?.status === "True" ? true : undefined;
    });
  });
});

describe("a revoked certification", () => {
  it("stops what runs (scaled to 0, its configuration kept) and starts it again once reinstated", async () => {
    const blockPath = `${API}/aibuildingblocks/goed`;
    const annotate = (value: string | null) =>
      admin.client.request("PATCH", blockPath, {
        body: { metadata: { annotations: { "aihub.gemeenten.nl/certification-revoked": value } } },
        contentType: "application/merge-patch+json",
      });
    const workload = () => get<Obj>("/apis/apps/v1/namespaces/dronten/statefulsets/goed");
    await annotate("bias found in audit 2026-11");
    const stopped = await waitUntil("activation goed to be stopped", async () => {
      const a = await get(`${API}/namespaces/dronten/blockactivations/goed`);
      return ready(a)?.reason === "CertificationRevoked" ? a : undefined;
    });
    expect(ready(stopped)?.status).toBe("False");
    expect(ready(stopped)?.message).toContain("revoked: bias found in audit 2026-11");
    expect(ready(stopped)?.message).toContain("version 1.0.0 is stopped (scaled to 0 replicas)");
    expect((await workload()).spec.replicas).toBe(0);
    await admin.client.request("GET", "/api/v1/namespaces/dronten/configmaps/goed-parameters");

    await annotate(null);
    await waitUntil("activation goed to run again", async () => {
      const a = await get(`${API}/namespaces/dronten/blockactivations/goed`);
      return ready(a)?.status === "True" ? true : undefined;
    });
    expect((await workload()).spec.replicas).toBe(1);
  });
});
