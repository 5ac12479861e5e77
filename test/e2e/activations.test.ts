// Catalog and activations against a control plane of their own (kube-controller-manager for
// ReplicaSets and garbage collection, kube-scheduler and kwok with two fake nodes so that pods
// really run), the operator running in-process with its admission webhook registered at the
// real API server.
import { mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activationChildKinds } from "../../cdk/src/activation/activation-chart.ts";
import { APPLIED_HASH_ANNOTATION } from "../../operator/src/kube/apply.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { ApiError } from "../../operator/src/kube/rest-client.ts";
import { WatchCache } from "../../operator/src/kube/watch-cache.ts";
import type { Manager } from "../../operator/src/runtime/manager.ts";
import { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { collectorBinary, validate } from "../logging-sidecar/sidecar.ts";
import { catalogBlock } from "../support/catalog-block.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { applyManifests, consistently, installCrds, installPolicies, waitUntil } from "../support/cluster.ts";
import { buildTestOperator, stopInProcessOperator } from "../support/in-process-operator.ts";
import { readManifests } from "../support/manifests.ts";
import { rejection } from "../support/rejection.ts";
import { expectNoWriteOnResync } from "../support/resync.ts";
import { serveTestWebhook } from "../support/webhook.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const DIGEST = (c: string) => c.repeat(64);

let cp: ControlPlane;
let admin: CountingClient;
let operatorClient: CountingClient;
let manager: Manager;
let metrics: OperatorMetrics;
let webhook: Server;
/** The operator's cache of the catalog. */
let blocks: WatchCache<KubeObject>;
/** Every DELETE the operator sent: it must delete only what it rendered and no longer wants. */
const deletes: string[] = [];
/** Every status write of the operator that the API server took (a 409 that is retried is not one), by path. */
const statusWrites: string[] = [];

type Activation = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    currentVersion?: string;
    image?: string;
    availableUpdate?: { version: string; releaseNotes?: string; releaseDate?: string };
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
};
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field in assertions
type Any = Record<string, any>;

beforeAll(async () => {
  cp = await ControlPlane.start({ nodes: 2 });
  admin = await countingClient({ file: cp.kubeconfigPath });
  operatorClient = await countingClient({ file: cp.kubeconfigPath });
  operatorClient.client.observe((r) => {
    if (r.method === "DELETE") deletes.push(r.path);
    if (r.method === "PUT" && r.path.endsWith("/status") && r.code < 300) statusWrites.push(r.path);
  });
  await installCrds(admin);
  await installPolicies(admin);
  const log = pino({ level: "silent" });
  metrics = new OperatorMetrics();
  const op = buildTestOperator({
    client: operatorClient.client,
    log,
    metrics,
    identity: "e2e-activations",
  });
  manager = op.manager;
  blocks = op.caches.blocks;
  await manager.start();
  webhook = await serveTestWebhook(operatorClient.client, op.caches, log);
  await applyManifests(admin, readManifests("examples/catalog", "examples/tenants"));
  // The tenant controller makes the tenants' namespaces: the activations are applied into them
  // without creating any, so that a broken tenant controller fails these tests.
  const tenants = readManifests("examples/tenants").map((t) => t.metadata?.name ?? "");
  let seen: Any[] = [];
  await waitUntil(
    `the tenants ${tenants.join(", ")} to be Ready`,
    async () => {
      seen = (await admin.client.request<{ items: Any[] }>("GET", `${API}/municipaltenants`)).items;
      const ready = seen.filter((t) => t.status?.phase === "Ready").map((t) => t.metadata.name);
      return tenants.every((name) => ready.includes(name)) ? true : undefined;
    },
    90_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(seen.map((t) => [t.metadata.name, t.status]))}`);
  });
}, 180_000);

afterAll(() => stopInProcessOperator({ webhook, manager, clients: [operatorClient, admin], cp }));

const get = <T = Any>(path: string) => admin.client.request<T>("GET", path);
const patch = (path: string, body: unknown) =>
  admin.client.request("PATCH", path, { body, contentType: "application/merge-patch+json" });
const activationPath = (ns: string, name: string) => `${API}/namespaces/${ns}/blockactivations/${name}`;
const condition = (a: Activation, type: string) => a.status?.conditions?.find((c) => c.type === type);

function waitActivation(ns: string, name: string, what: string, test: (a: Activation) => boolean, timeoutMs = 30_000) {
  return waitUntil(
    `${ns}/${name}: ${what}`,
    async () => {
      const a = await get<Activation>(activationPath(ns, name));
      return test(a) ? a : undefined;
    },
    timeoutMs,
  );
}

/** Applies an example activation into its tenant's namespace, which the tenant controller made. */
const applyActivation = (file: string) =>
  applyManifests(admin, readManifests(`examples/activations/${file}`), { createNamespaces: false });

const workloadOf = (ns: string, name: string) => get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`);

async function createActivation(ns: string, name: string, spec: Record<string, unknown>) {
  return admin.client.request("POST", `${API}/namespaces/${ns}/blockactivations`, {
    body: {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockActivation",
      metadata: { name, namespace: ns },
      spec,
    },
  });
}

function block(name: string, spec: Record<string, unknown> = {}) {
  return catalogBlock(name, {
    description: "A test block.",
    versions: [
      {
        version: "1.0.0",
        image: `registry.gemeenten.nl/aihub/${name}@sha256:${DIGEST("1")}`,
        releaseDate: "2026-01-01",
        releaseNotes: "First.",
      },
    ],
    ...spec,
  });
}

describe("the catalog", () => {
  it("reports each example block Certified and Ready with its newest versions", async () => {
    const b = await waitUntil("bezwaar-intake to be Ready", async () => {
      const x = await get<Any>(`${API}/aibuildingblocks/bezwaar-intake`);
      return x.status?.conditions?.some((c: Any) => c.type === "Ready" && c.status === "True") ? x : undefined;
    });
    expect(b.status.latestVersions).toEqual({ stable: "1.4.0", candidate: "1.5.0-rc.1" });
    expect(b.status.conditions.find((c: Any) => c.type === "Certified")).toMatchObject({ status: "True" });
  });

  it("refuses an image by tag at the API server, and flags a non-EU supplier and an expired certification", async () => {
    const tagged = block("tagged");
    (tagged.spec.versions as Any[])[0] = {
      ...(tagged.spec.versions as Any[])[0],
      image: "registry.gemeenten.nl/aihub/tagged:1.0.0",
    };
    const err = await rejection(admin.client.request("POST", `${API}/aibuildingblocks`, { body: tagged }));
    expect(err.message).toContain("spec.versions[0].image");
    expect(err.message).toContain("must be pinned by digest");

    await admin.client.request("POST", `${API}/aibuildingblocks`, {
      body: block("overseas", { supplier: { name: "Far Away Inc.", country: "US" } }),
    });
    await admin.client.request("POST", `${API}/aibuildingblocks`, {
      body: block("lapsed", {
        certification: { riskClass: "minimal", certifiedBy: "Loket", validUntil: "2025-06-30" },
      }),
    });
    const reasons: Record<string, string> = {};
    for (const name of ["overseas", "lapsed"]) {
      const b = await waitUntil(`${name} to be judged`, async () => {
        const x = await get<Any>(`${API}/aibuildingblocks/${name}`);
        return x.status?.conditions?.find((c: Any) => c.type === "Certified") ? x : undefined;
      });
      const certified = b.status.conditions.find((c: Any) => c.type === "Certified");
      expect(certified.status).toBe("False");
      reasons[name] = `${certified.reason}: ${certified.message}`;
    }
    expect(reasons.overseas).toMatch(/^SupplierOutsideEU: .*US/);
    expect(reasons.lapsed).toMatch(/^CertificationExpired: .*2025-06-30/);

    // Activating a block from a non-EU supplier renders nothing, and says why.
    await createActivation("amsterdam", "overseas", { block: "overseas" });
    const a = await waitActivation(
      "amsterdam",
      "overseas",
      "Certified False",
      (x) => condition(x, "Certified")?.status === "False",
    );
    expect(condition(a, "Certified")?.reason).toBe("SupplierOutsideEU");
    expect(condition(a, "Ready")?.status).toBe("False");
    await expect(workloadOf("amsterdam", "overseas")).rejects.toThrow(/not found/);
  });
});

describe("an activation", () => {
  it("runs the block with the logging sidecar and a restricted security context, and Pod Security admits its pods", async () => {
    await applyActivation("utrecht-bezwaar-intake.yaml");
    const a = await waitActivation(
      "utrecht",
      "bezwaar-intake",
      "the version to run",
      (x) => x.status?.currentVersion === "1.4.0",
    );
    expect(a.status?.image).toMatch(/bezwaar-intake@sha256:/);
    expect(condition(a, "ParametersValid")?.status).toBe("True");
    expect(condition(a, "Certified")?.status).toBe("True");
    const d = await workloadOf("utrecht", "bezwaar-intake");
    const pod = d.spec.template.spec;
    expect(pod.initContainers[0]).toMatchObject({ name: "aihub-log-shipper", restartPolicy: "Always" });
    expect(pod.containers[0].securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    for (const kind of ["configmaps/bezwaar-intake-parameters", "services/bezwaar-intake"]) {
      expect((await get(`/api/v1/namespaces/utrecht/${kind}`)).metadata.ownerReferences[0].kind).toBe(
        "BlockActivation",
      );
    }
    const np = await get("/apis/networking.k8s.io/v1/namespaces/utrecht/networkpolicies/bezwaar-intake");
    // Out to Utrecht's Logboek, on its port only.
    expect(np.spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: "10.34.20.8/32" } }],
      ports: [{ protocol: "TCP", port: 4317 }],
    });
    await get("/apis/policy/v1/namespaces/utrecht/poddisruptionbudgets/bezwaar-intake");
    // kube-controller-manager creates the pods; Pod Security `restricted` in the tenant namespace admits them.
    const pods = await waitUntil("two pods", async () => {
      const list = await get<{ items: Any[] }>(
        "/api/v1/namespaces/utrecht/pods?labelSelector=aihub.gemeenten.nl/activation%3Dbezwaar-intake",
      );
      return list.items.length === 2 ? list.items : undefined;
    });
    expect(pods[0]?.spec.initContainers[0].name).toBe("aihub-log-shipper");
    // The sidecar runs with the configuration the operator rendered for this activation, and the
    // collector itself accepts that configuration.
    expect(pod.initContainers[0].args).toEqual(["--config=/etc/aihub-otelcol/config.yaml"]);
    expect(pod.volumes.find((v: Any) => v.name === "logboek-config")?.configMap.name).toBe("bezwaar-intake-logboek");
    const sidecarConfig = await get("/api/v1/namespaces/utrecht/configmaps/bezwaar-intake-logboek");
    const file = join(mkdtempSync(join(tmpdir(), "aihub-sidecar-")), "config.yaml");
    writeFileSync(file, sidecarConfig.data["config.yaml"]);
    expect(sidecarConfig.data["config.yaml"]).toContain('intake-analyse: "VWR-2024-017"');
    const validated = await validate(await collectorBinary(), file);
    expect(validated.ok, validated.output).toBe(true);
    // Ready pods have a ready logging sidecar: the records reach Utrecht's Logboek, as its register's entries.
    const withLogboek = await waitActivation(
      "utrecht",
      "bezwaar-intake",
      "LogboekReady",
      (x) => condition(x, "LogboekReady")?.status === "True",
    );
    expect(condition(withLogboek, "LogboekReady")?.message).toMatch(
      /^records go to https:\/\/logboek\.utrecht\.nl:4317 as register entries VWR-2024-017, VWR-2024-018; the logging sidecar is ready in [12] of 2 pods$/,
    );
  });

  it("gives each replica's logging sidecar a queue claim that the pod replacing it mounts again, and stays Ready", async () => {
    const sts = await workloadOf("utrecht", "bezwaar-intake");
    expect(sts.spec.volumeClaimTemplates).toMatchObject([
      { metadata: { name: "logboek-queue" }, spec: { resources: { requests: { storage: "1Gi" } } } },
    ]);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenScaled: "Retain", whenDeleted: "Retain" });
    const claims = "/api/v1/namespaces/utrecht/persistentvolumeclaims";
    const bound = await waitUntil(
      "two bound queue claims (the test control plane's hostPath provisioner)",
      async () => {
        const list = await get<{ items: Any[] }>(
          `${claims}?labelSelector=aihub.gemeenten.nl/activation%3Dbezwaar-intake`,
        );
        return list.items.length === 2 && list.items.every((c) => c.status?.phase === "Bound") ? list.items : undefined;
      },
    );
    expect(bound.map((c) => c.metadata.name).sort()).toEqual([
      "logboek-queue-bezwaar-intake-0",
      "logboek-queue-bezwaar-intake-1",
    ]);
    const claimUid = (await get(`${claims}/logboek-queue-bezwaar-intake-0`)).metadata.uid;
    const podPath = "/api/v1/namespaces/utrecht/pods/bezwaar-intake-0";
    const before = await waitUntil("pod bezwaar-intake-0 running", async () => {
      const p = await get(podPath).catch(() => undefined);
      return p?.status?.phase === "Running" ? p : undefined;
    });
    const queueVolume = {
      name: "logboek-queue",
      persistentVolumeClaim: { claimName: "logboek-queue-bezwaar-intake-0" },
    };
    expect(before.spec.volumes).toContainEqual(queueVolume);
    // The pod goes (as in an eviction or a node drain); the StatefulSet controller makes a new one
    // of the same ordinal, which mounts the same claim: its sidecar finds the queue and sends it.
    await admin.client.request("DELETE", podPath);
    const after = await waitUntil("a new pod bezwaar-intake-0, ready", async () => {
      const p = await get(podPath).catch(() => undefined);
      const ready = p?.status?.conditions?.some((c: Any) => c.type === "Ready" && c.status === "True");
      return p && p.metadata.uid !== before.metadata.uid && ready ? p : undefined;
    });
    expect(after.spec.volumes).toContainEqual(queueVolume);
    expect((await get(`${claims}/logboek-queue-bezwaar-intake-0`)).metadata.uid).toBe(claimUid);
    const a = await waitActivation(
      "utrecht",
      "bezwaar-intake",
      "Ready and LogboekReady with 2 ready pods",
      (x) =>
        condition(x, "Ready")?.status === "True" &&
        condition(x, "LogboekReady")?.message.endsWith("ready in 2 of 2 pods") === true,
    );
    expect(condition(a, "Progressing")).toMatchObject({ status: "False", reason: "RolloutComplete" });
    // The tenant's quota counts the claims and their storage (kube-controller-manager counts them).
    const quota = await waitUntil("the quota to count every claim in utrecht", async () => {
      const all = (await get<{ items: Any[] }>(claims)).items;
      const q = await get("/api/v1/namespaces/utrecht/resourcequotas/aihub-quota");
      return all.length >= 2 &&
        q.status?.used?.persistentvolumeclaims === String(all.length) &&
        q.status?.used?.["requests.storage"] === `${all.length}Gi`
        ? q
        : undefined;
    });
    expect(quota.status.hard).toMatchObject({ persistentvolumeclaims: "100", "requests.storage": "200Gi" });
  });

  it("refuses a queue claim beyond the tenant's quota, and a tenant admin any write of claims or the StatefulSet", async () => {
    const claim = (name: string, storage: string) => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name, namespace: "utrecht" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } },
    });
    const claims = "/api/v1/namespaces/utrecht/persistentvolumeclaims";
    // As the StatefulSet controller would ask for it (RBAC allows it claims): the quota refuses.
    const over = await rejection(
      admin.client.request("POST", claims, { body: claim("te-groot", "300Gi"), query: { dryRun: "All" } }),
    );
    expect(over.code).toBe(403);
    expect(over.message).toContain("exceeded quota: aihub-quota");
    expect(over.message).toContain("requests.storage=300Gi");
    // A tenant admin reads claims and the StatefulSet, and writes neither.
    const asUtrechtAdmin = { "Impersonate-User": "j.devries@utrecht.nl" };
    await admin.client.request("GET", claims, { headers: asUtrechtAdmin });
    await admin.client.request("GET", "/apis/apps/v1/namespaces/utrecht/statefulsets/bezwaar-intake", {
      headers: asUtrechtAdmin,
    });
    const writes = [
      () => admin.client.request("POST", claims, { body: claim("eigen", "1Gi"), headers: asUtrechtAdmin }),
      () => admin.client.request("DELETE", `${claims}/logboek-queue-bezwaar-intake-1`, { headers: asUtrechtAdmin }),
      () =>
        admin.client.request("PATCH", "/apis/apps/v1/namespaces/utrecht/statefulsets/bezwaar-intake", {
          body: { spec: { replicas: 5 } },
          contentType: "application/merge-patch+json",
          headers: asUtrechtAdmin,
        }),
    ];
    for (const write of writes) {
      const err = await rejection(write());
      expect(err.code).toBe(403);
      expect(err.message).toContain('User "j.devries@utrecht.nl" cannot');
    }
    expect((await workloadOf("utrecht", "bezwaar-intake")).spec.replicas).toBe(2);
  });

  it("deletes the Deployment that an operator before ADR 14 made for the activation, once its StatefulSet exists", async () => {
    const a = await get<Activation>(activationPath("utrecht", "bezwaar-intake"));
    const sts = await workloadOf("utrecht", "bezwaar-intake");
    const deployments = "/apis/apps/v1/namespaces/utrecht/deployments";
    // As the earlier operator rendered it: the activation's labels and controlling ownerReference.
    await admin.client.request("POST", deployments, {
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
          name: "bezwaar-intake",
          namespace: "utrecht",
          labels: sts.metadata.labels,
          ownerReferences: [
            {
              apiVersion: "aihub.gemeenten.nl/v1alpha1",
              kind: "BlockActivation",
              name: "bezwaar-intake",
              uid: a.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: 1,
          selector: sts.spec.selector,
          // Its queue was an emptyDir then.
          template: {
            ...sts.spec.template,
            spec: {
              ...sts.spec.template.spec,
              volumes: [...sts.spec.template.spec.volumes, { name: "logboek-queue", emptyDir: { sizeLimit: "1Gi" } }],
            },
          },
        },
      },
    });
    await waitUntil("the old Deployment to be deleted by the operator", () =>
      get(`${deployments}/bezwaar-intake`).then(
        () => undefined,
        (e) => (e instanceof ApiError && e.code === 404 ? true : undefined),
      ),
    );
    // By the operator, not the garbage collector: its client records a request once the answer is
    // in, which can come after this test's GET already found the Deployment gone.
    await waitUntil("the operator's DELETE of the Deployment to be answered", async () =>
      deletes.includes(`${deployments}/bezwaar-intake`) ? true : undefined,
    );
    expect((await workloadOf("utrecht", "bezwaar-intake")).metadata.uid).toBe(sts.metadata.uid);
    await waitActivation("utrecht", "bezwaar-intake", "Ready", (x) => condition(x, "Ready")?.status === "True");
  });

  it("reports a first rollout in one status write when the StatefulSet is available within 5 s: Ready, with the version", async () => {
    // Across a fleet every extra status write per activation is thousands of requests: a new
    // activation's first status waits up to 5 s for its StatefulSet (holdFirstStatus), so that
    // "rolling out" and "Ready" are one write, not two.
    const seen = new WatchCache<Activation>({
      client: admin.client,
      path: `${API}/namespaces/amsterdam/blockactivations`,
    });
    const readyReasons: string[] = [];
    const record = (x: Activation) => {
      const reason = condition(x, "Ready")?.reason;
      if (x.metadata.name === "transcriptie-raad" && reason && readyReasons.at(-1) !== reason)
        readyReasons.push(reason);
    };
    seen.on({ add: record, update: (_, x) => record(x) });
    seen.start();
    await seen.waitForSync();
    await applyActivation("amsterdam-transcriptie.yaml");
    const a = await waitActivation(
      "amsterdam",
      "transcriptie-raad",
      "Ready",
      (x) => condition(x, "Ready")?.status === "True",
    );
    expect(a.status?.currentVersion).toBe("2.0.1");
    expect(condition(a, "Progressing")).toMatchObject({ status: "False", reason: "RolloutComplete" });
    const path = `${activationPath("amsterdam", "transcriptie-raad")}/status`;
    // The operator's client records a write when its answer arrives, which can be after this
    // test's own read already saw the written status.
    await waitUntil("the operator's status write answered", async () =>
      statusWrites.includes(path) ? true : undefined,
    );
    expect(statusWrites.filter((p) => p === path)).toHaveLength(1);
    await waitUntil("the watch saw Ready", async () => (readyReasons.includes("Available") ? true : undefined));
    await seen.stop();
    expect(readyReasons).toEqual(["Available"]);
  });

  it("is not reconciled again when its block's status changes, only when its spec does", async () => {
    // The catalog controller writes a block's status (how many activations use it) as activations
    // come; across a fleet that was hundreds of writes, each of which queued all 342 activations
    // of the block again.
    const reconciles = async () =>
      (await metrics.reconcileTotal.get()).values
        .filter((v) => v.labels.controller === "blockactivation")
        .reduce((sum, v) => sum + v.value, 0);
    // Idle first for longer than a held first status waits (5 s), so that no requeue is pending.
    let last = -1;
    await waitUntil(
      "the activation controller is idle for 6 s",
      async () => {
        const now = await reconciles();
        if (now === last) return true;
        last = now;
        await new Promise((r) => setTimeout(r, 6000));
        return undefined;
      },
      90_000,
    );
    const before = await reconciles();
    const blockPath = `${API}/aibuildingblocks/transcriptie`;
    // The count of a block's activations is written at most every 5 s.
    const counted = await waitUntil("the block counts its activation", async () => {
      const n = (await get(blockPath)).status.activations as number | undefined;
      return n ? n : undefined;
    });
    const adds = () => metrics.sum("workqueue_adds_total", (l) => l.controller === "blockactivation");
    const addsBefore = await adds();
    // Two writes of the block's status (the catalog controller does not undo them: it does not
    // react to status writes either), as the catalog controller makes them when activations come.
    let written = 0;
    for (const activations of [counted + 100, counted]) {
      const b = await admin.client.request<KubeObject>("PATCH", `${blockPath}/status`, {
        body: { status: { activations } },
        contentType: "application/merge-patch+json",
      });
      written = Number(b.metadata.resourceVersion);
    }
    // The operator's cache holds the last write once the watch handlers ran, the activation
    // controller's among them: a key they queued is in workqueue_adds_total by then.
    await waitUntil("the operator to see the block's last status write", async () =>
      Number(blocks.get("transcriptie")?.metadata.resourceVersion) >= written ? true : undefined,
    );
    await consistently(
      "no activation queued or reconciled for the block's status writes",
      async () => {
        const [a, r] = [await adds(), await reconciles()];
        return a === addsBefore && r === before ? undefined : `queued ${a - addsBefore}, reconciled ${r - before}`;
      },
      1500,
    );

    // A label on the block (metadata, not status) still reaches its activations.
    await patch(blockPath, { metadata: { labels: { "e2e.aihub/touched": "yes" } } });
    await waitUntil("its activations were reconciled", async () => ((await reconciles()) > before ? true : undefined));
  });

  it("changes the ConfigMap and the checksum when a parameter changes", async () => {
    const before = (await workloadOf("utrecht", "bezwaar-intake")).spec.template.metadata.annotations[
      "aihub.gemeenten.nl/parameters-checksum"
    ];
    await patch(activationPath("utrecht", "bezwaar-intake"), { spec: { parameters: { responseDeadlineDays: 56 } } });
    await waitUntil("the new value in the ConfigMap", async () => {
      const cm = await get("/api/v1/namespaces/utrecht/configmaps/bezwaar-intake-parameters");
      return cm.data.responseDeadlineDays === "56" ? true : undefined;
    });
    // The StatefulSet is applied right after the ConfigMap: its pod template gets the new checksum.
    await waitUntil("a new checksum on the pod template", async () => {
      const d = await workloadOf("utrecht", "bezwaar-intake");
      return d.spec.template.metadata.annotations["aihub.gemeenten.nl/parameters-checksum"] !== before
        ? true
        : undefined;
    });
  });

  it("is refused by the webhook with a wrong parameter, naming the parameter and what is allowed", async () => {
    const tooLong = await rejection(
      patch(activationPath("utrecht", "bezwaar-intake"), { spec: { parameters: { responseDeadlineDays: 120 } } }),
    );
    expect(tooLong.message).toContain('admission webhook "blockactivations.aihub.gemeenten.nl" denied the request');
    expect(tooLong.message).toContain("responseDeadlineDays");
    expect(tooLong.message).toMatch(/1 to 84/);
    const unknown = await rejection(
      patch(activationPath("utrecht", "bezwaar-intake"), { spec: { parameters: { colour: "blue" } } }),
    );
    expect(unknown.message).toContain("colour is not defined by block bezwaar-intake");
    const language = await rejection(
      patch(activationPath("utrecht", "bezwaar-intake"), { spec: { parameters: { language: "de" } } }),
    );
    expect(language.message).toMatch(/language.*"de".*nl, fy, en/);
  });

  it("is refused for a high-risk block without human oversight, and for a block not in the catalog", async () => {
    const noHuman = await rejection(
      createActivation("amsterdam", "bezwaar-zonder-mens", {
        block: "bezwaar-intake",
        parameters: { caseSystemUrl: "https://zaken.amsterdam.nl" },
      }),
    );
    expect(noHuman.message).toContain("spec.humanInTheLoop.required");
    expect(noHuman.message).toContain("high-risk");
    const missing = await rejection(createActivation("amsterdam", "ghost", { block: "does-not-exist" }));
    expect(missing.message).toContain('spec.block: block "does-not-exist" is not in the national catalog');
  });

  it("is refused when a processing of personal data is not mapped to the municipality's register (webhook)", async () => {
    const [example] = readManifests("examples/activations/utrecht-bezwaar-intake.yaml") as Any[];
    const unmapped = await rejection(
      createActivation("utrecht", "bezwaar-zonder-register", { ...example?.spec, processingActivities: undefined }),
    );
    expect(unmapped.message).toContain(
      "spec.processingActivities: block bezwaar-intake version 1.4.0 processes personal data in intake-analyse",
    );
    const noLogboek = await rejection(
      createActivation("amsterdam", "bezwaar-zonder-logboek", {
        ...example?.spec,
        parameters: { caseSystemUrl: "https://zaken.amsterdam.nl" },
      }),
    );
    expect(noLogboek.message).toContain("the platform team sets spec.logboek of MunicipalTenant amsterdam");
  });

  it("with Manual updates shows a new version with its release notes and changes nothing until it is approved", async () => {
    await applyActivation("utrecht-pseudonimisering.yaml");
    let a = await waitActivation(
      "utrecht",
      "pseudonimisering",
      "1.2.0 with an update",
      (x) => x.status?.currentVersion === "1.2.0" && x.status?.availableUpdate?.version === "1.3.0",
    );
    expect(a.status?.availableUpdate?.releaseNotes).toContain("IBANs");
    const image120 = (await workloadOf("utrecht", "pseudonimisering")).spec.template.spec.containers[0].image;

    // The collective publishes 1.4.0: it shows up as the available update; nothing else changes.
    const b = await get<Any>(`${API}/aibuildingblocks/pseudonimisering`);
    await patch(`${API}/aibuildingblocks/pseudonimisering`, {
      spec: {
        versions: [
          ...b.spec.versions,
          {
            version: "1.4.0",
            image: `registry.gemeenten.nl/aihub/pseudonimisering@sha256:${DIGEST("4")}`,
            channel: "stable",
            releaseDate: "2026-11-27",
            releaseNotes: "Recognises Frisian names.",
          },
        ],
      },
    });
    a = await waitActivation(
      "utrecht",
      "pseudonimisering",
      "1.4.0 offered",
      (x) => x.status?.availableUpdate?.version === "1.4.0",
    );
    expect(a.status?.currentVersion).toBe("1.2.0");
    expect(a.status?.availableUpdate?.releaseNotes).toBe("Recognises Frisian names.");
    expect((await workloadOf("utrecht", "pseudonimisering")).spec.template.spec.containers[0].image).toBe(image120);

    await patch(activationPath("utrecht", "pseudonimisering"), { spec: { approvedVersion: "1.4.0" } });
    a = await waitActivation(
      "utrecht",
      "pseudonimisering",
      "1.4.0 running",
      (x) => x.status?.currentVersion === "1.4.0",
    );
    expect(a.status?.availableUpdate).toBeUndefined();
    expect((await workloadOf("utrecht", "pseudonimisering")).spec.template.spec.containers[0].image).toContain(
      DIGEST("4"),
    );
  });

  it("with Automatic updates follows the channel", async () => {
    await applyActivation("steenwijkerland-uitlegbaarheid.yaml");
    await waitActivation("steenwijkerland", "uitlegbaarheid", "1.1.0", (x) => x.status?.currentVersion === "1.1.0");
    const b = await get<Any>(`${API}/aibuildingblocks/uitlegbaarheid`);
    await patch(`${API}/aibuildingblocks/uitlegbaarheid`, {
      spec: {
        versions: [
          ...b.spec.versions,
          {
            version: "1.2.0",
            image: `registry.gemeenten.nl/aihub/uitlegbaarheid@sha256:${DIGEST("5")}`,
            releaseDate: "2026-11-28",
            releaseNotes: "Explanations in Frisian.",
          },
        ],
      },
    });
    await waitActivation("steenwijkerland", "uitlegbaarheid", "1.2.0", (x) => x.status?.currentVersion === "1.2.0");
    expect((await workloadOf("steenwijkerland", "uitlegbaarheid")).spec.template.spec.containers[0].image).toContain(
      DIGEST("5"),
    );
  });

  it("keeps the running version when the certification lapses before a new version", async () => {
    await admin.client.request("POST", `${API}/aibuildingblocks`, { body: block("samenvatten") });
    await createActivation("steenwijkerland", "samenvatten", { block: "samenvatten" });
    await waitActivation("steenwijkerland", "samenvatten", "1.0.0", (x) => x.status?.currentVersion === "1.0.0");
    const b = await get<Any>(`${API}/aibuildingblocks/samenvatten`);
    await patch(`${API}/aibuildingblocks/samenvatten`, {
      spec: {
        certification: { ...b.spec.certification, validUntil: "2026-01-31" },
        versions: [
          ...b.spec.versions,
          {
            version: "1.1.0",
            image: `registry.gemeenten.nl/aihub/samenvatten@sha256:${DIGEST("6")}`,
            releaseDate: "2026-11-28",
            releaseNotes: "Shorter summaries.",
          },
        ],
      },
    });
    const a = await waitActivation(
      "steenwijkerland",
      "samenvatten",
      "the gate",
      (x) => condition(x, "Certified")?.status === "False",
    );
    expect(condition(a, "Certified")?.reason).toBe("CertificationExpired");
    expect(condition(a, "Certified")?.message).toContain("version 1.0.0 keeps running");
    expect(a.status?.currentVersion).toBe("1.0.0");
    expect((await workloadOf("steenwijkerland", "samenvatten")).spec.template.spec.containers[0].image).toContain(
      DIGEST("1"),
    );
    // The Warning is recorded right after the status write that the wait above saw.
    const warning = await waitUntil("the CertificationExpired Event", async () => {
      const events = await get<{ items: Any[] }>("/apis/events.k8s.io/v1/namespaces/steenwijkerland/events");
      return events.items.find((e) => e.reason === "CertificationExpired" && e.regarding.name === "samenvatten");
    });
    expect(warning.type).toBe("Warning");
  });

  it("has deleted nothing that it still renders (controllers do not fight over objects)", () => {
    expect(deletes.filter((p) => p.includes("/networkpolicies/bezwaar-intake"))).toEqual([]);
  });

  it("sends no write to its children when it resyncs them unchanged", async () => {
    // A resync compares each child with the cache and finds nothing to apply.
    const children = (path: string) =>
      path.includes("/namespaces/utrecht/") && activationChildKinds.some((k) => path.includes(`/${k.plural}/`));
    const reconciles = () =>
      metrics.sum("controller_runtime_reconcile_total", (l) => l.controller === "blockactivation");
    const skipped = () => metrics.sum("aihub_renders_skipped_total", (l) => l.controller === "blockactivation");
    type Listed = { status?: { conditions?: { type: string; status: string }[] } };
    const listed = (await get<{ items: Listed[] }>(`${API}/blockactivations`)).items;
    const skippedBefore = await skipped();
    await expectNoWriteOnResync({
      operator: manager,
      client: operatorClient,
      counts: children,
      // Every write, status ones too: a status write can queue a reconcile that renders anew.
      settles: () => true,
      reconciles,
      objects: listed.length,
    });
    // Each Ready activation was found as rendered before, and not rendered again (children-digest.ts).
    const ready = listed.filter((a) => a.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    expect(ready.length).toBeGreaterThan(0);
    expect((await skipped()) - skippedBefore).toBeGreaterThanOrEqual(ready.length);
  });

  it("puts the logging sidecar back when someone removes it from the StatefulSet", async () => {
    await admin.client.request("PATCH", "/apis/apps/v1/namespaces/utrecht/statefulsets/bezwaar-intake", {
      body: [{ op: "remove", path: "/spec/template/spec/initContainers" }],
      contentType: "application/json-patch+json",
    });
    await waitUntil("the sidecar to return", async () => {
      const d = await workloadOf("utrecht", "bezwaar-intake");
      return d.spec.template.spec.initContainers?.[0]?.name === "aihub-log-shipper" ? true : undefined;
    });
  });

  it("puts back an annotation of its StatefulSet that someone changed (metadata only: the generation stays)", async () => {
    const path = "/apis/apps/v1/namespaces/utrecht/statefulsets/bezwaar-intake";
    // Reconciled since the last change: its children's digest is recorded (children-digest.ts).
    const before = await workloadOf("utrecht", "bezwaar-intake");
    const hash = before.metadata.annotations?.[APPLIED_HASH_ANNOTATION];
    expect(hash).toBeDefined();
    await admin.client.request("PATCH", path, {
      body: { metadata: { annotations: { [APPLIED_HASH_ANNOTATION]: "edited" } } },
      contentType: "application/merge-patch+json",
    });
    const edited = await workloadOf("utrecht", "bezwaar-intake");
    expect(edited.metadata.generation).toBe(before.metadata.generation);
    await waitUntil("the annotation to return", async () => {
      const d = await workloadOf("utrecht", "bezwaar-intake");
      return d.metadata.annotations?.[APPLIED_HASH_ANNOTATION] === hash ? true : undefined;
    });
  });

  it("removes what someone added to the pod template beyond what it renders (a sidecar command, nodeName, tolerations)", async () => {
    const path = "/apis/apps/v1/namespaces/utrecht/statefulsets/bezwaar-intake";
    const before = await workloadOf("utrecht", "bezwaar-intake");
    const sidecar = before.spec.template.spec.initContainers[0];
    // As `kubectl edit` would send it: a strategic merge patch, under its own field manager.
    await admin.client.request("PATCH", path, {
      body: {
        spec: {
          template: {
            spec: {
              initContainers: [{ name: sidecar.name, command: ["sh", "-c", "sleep infinity"] }],
              shareProcessNamespace: true,
              tolerations: [{ operator: "Exists" }],
              nodeName: "nergens",
            },
          },
        },
      },
      contentType: "application/strategic-merge-patch+json",
      query: { fieldManager: "kubectl-edit" },
    });
    const repaired = await waitUntil("the additions to be removed", async () => {
      const d = await workloadOf("utrecht", "bezwaar-intake");
      const s = d.spec.template.spec;
      return s.initContainers[0].command === undefined &&
        s.shareProcessNamespace === undefined &&
        s.tolerations === undefined &&
        s.nodeName === undefined
        ? d
        : undefined;
    });
    // What the operator renders is still there.
    expect(repaired.spec.template.spec.initContainers[0]).toMatchObject({ name: sidecar.name, image: sidecar.image });
  });

  it("keeps a published version's image fixed and a version in use in the catalog (webhook)", async () => {
    const b = await get<Any>(`${API}/aibuildingblocks/bezwaar-intake`);
    const changed = (b.spec.versions as Any[]).map((v) =>
      v.version === "1.4.0" ? { ...v, image: `registry.gemeenten.nl/aihub/bezwaar-intake@sha256:${DIGEST("9")}` } : v,
    );
    const swap = await rejection(patch(`${API}/aibuildingblocks/bezwaar-intake`, { spec: { versions: changed } }));
    expect(swap.message).toContain("the image of published version 1.4.0 cannot change");
    const removed = (b.spec.versions as Any[]).filter((v) => v.version !== "1.4.0");
    const remove = await rejection(patch(`${API}/aibuildingblocks/bezwaar-intake`, { spec: { versions: removed } }));
    expect(remove.message).toContain("version 1.4.0 cannot be removed: utrecht/bezwaar-intake runs or pins it");
  });

  it("refuses a catalog entry the reconcilers could not read, and a parameter removed while in use (webhook)", async () => {
    const slip = block("typfout", {
      parameters: [{ name: "days", type: "integer", description: "Days.", default: "30" }],
    });
    const err = await rejection(admin.client.request("POST", `${API}/aibuildingblocks`, { body: slip }));
    expect(err.message).toContain("spec.parameters[0].default: default must be of type integer");
    const b = await get<Any>(`${API}/aibuildingblocks/bezwaar-intake`);
    const without = (b.spec.parameters as Any[]).filter((p) => p.name !== "responseDeadlineDays");
    const removed = await rejection(patch(`${API}/aibuildingblocks/bezwaar-intake`, { spec: { parameters: without } }));
    expect(removed.message).toContain(
      "parameter responseDeadlineDays cannot be removed: utrecht/bezwaar-intake sets it",
    );
  });

  it("never takes an object it did not make: a same-named Service stays as it was, and the status says why", async () => {
    // Server-side apply with force would take every field of it and make the activation its owner.
    const services = "/api/v1/namespaces/steenwijkerland/services";
    await admin.client.request("POST", services, {
      body: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "vreemd" },
        spec: { selector: { app: "iemand-anders" }, ports: [{ port: 9999 }] },
      },
    });
    await admin.client.request("POST", `${API}/aibuildingblocks`, { body: block("vreemd") });
    await createActivation("steenwijkerland", "vreemd", { block: "vreemd" });
    const a = await waitActivation(
      "steenwijkerland",
      "vreemd",
      "ChildConflict",
      (x) => !!condition(x, "Ready")?.reason,
    );
    expect(condition(a, "Ready")).toMatchObject({
      status: "False",
      reason: "ChildConflict",
      message:
        "Service vreemd in namespace steenwijkerland already exists and was not made by aihub for this activation; " +
        "it was left untouched. Remove that object, or create the activation under another name.",
    });
    const service = await get(`${services}/vreemd`);
    expect(service.metadata.ownerReferences).toBeUndefined();
    expect(service.spec.ports.map((p: Any) => p.port)).toEqual([9999]);
    // Once the other object is gone, the activation makes its own (it looks again every 10 s).
    await admin.client.request("DELETE", `${services}/vreemd`);
    await waitActivation("steenwijkerland", "vreemd", "Ready", (x) => condition(x, "Ready")?.status === "True");
    expect((await get(`${services}/vreemd`)).metadata.ownerReferences[0]).toMatchObject({
      kind: "BlockActivation",
      name: "vreemd",
    });
    await admin.client.request("DELETE", activationPath("steenwijkerland", "vreemd"));
  });

  it("takes its children along when it is deleted (garbage collection)", async () => {
    await admin.client.request("DELETE", activationPath("steenwijkerland", "uitlegbaarheid"));
    await waitUntil(
      "the StatefulSet and ConfigMap to be collected",
      async () => {
        const gone = async (path: string) =>
          get(path).then(
            () => false,
            (e) => e instanceof ApiError && e.code === 404,
          );
        return (await gone("/apis/apps/v1/namespaces/steenwijkerland/statefulsets/uitlegbaarheid")) &&
          (await gone("/api/v1/namespaces/steenwijkerland/configmaps/uitlegbaarheid-parameters"))
          ? true
          : undefined;
      },
      60_000,
    );
  });
});
