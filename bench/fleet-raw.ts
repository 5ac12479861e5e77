// The fleet benchmark's raw baseline (bench/fleet.ts runs it): the operator phase's end state
// without an operator, made by a concurrent client on a fresh control plane of its own, and the
// create that both phases use for objects a quota counts.
import { loadavg } from "node:os";
import { activationChildKinds, retiredActivationChildKinds } from "../cdk/src/activation/activation-chart.ts";
import { ACTIVATION_LABEL, TENANT_LABEL } from "../cdk/src/activation/labels.ts";
import type { AIBuildingBlock } from "../operator/src/api/v1alpha1/index.ts";
import { ACTIVATION_COUNT, QUOTA_NAME, uncountedQuota } from "../operator/src/controllers/tenant/quota.ts";
import { childKinds } from "../operator/src/controllers/tenant/render.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../operator/src/kube/api-error.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import { allNamespacesPath } from "../operator/src/kube/resource-paths.ts";
import { ApiError } from "../operator/src/kube/rest-client.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import type { ControlPlane } from "../test/controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../test/support/clients.ts";
import { applyManifests, installCrds, installPolicies } from "../test/support/cluster.ts";
import { startControlPlane, waitFor } from "./control-plane.ts";
import type { Profiling } from "./fleet-reconciler.ts";
import { renderFleet } from "./fleet-render.ts";
import { FLEET_BLOCKS, fleetActivations, fleetTenant } from "./fleet-spec.ts";
import { cpuMeter, serverLatency, serverWatchEvents, serverWrites, timeline } from "./measure.ts";
import { podsReady, watchClaims, withStages } from "./pipeline.ts";
import { pool } from "./pool.ts";
import { type SpeedProbe, startSpeedProbe } from "./speed-probe.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * BENCH_RAW_WATCHES=1, an experiment: the raw phase also keeps the watches the operator keeps (its
 * children by label, the tenants' children, namespaces, the custom resources), in JSON, parsed and
 * held by the benchmark's process and acting on nothing: what those streams alone cost a phase.
 */
function operatorsWatches(c: CountingClient): WatchCache<KubeObject>[] {
  const paths: [string, string?][] = [
    ...[...activationChildKinds, ...retiredActivationChildKinds].map((k): [string, string] => [
      allNamespacesPath(k.apiVersion, k.plural),
      ACTIVATION_LABEL,
    ]),
    ...childKinds.map((k): [string, string] => [
      allNamespacesPath(k.apiVersion, k.plural),
      `${TENANT_LABEL},!${ACTIVATION_LABEL}`,
    ]),
    ["/api/v1/namespaces"],
    ["/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants"],
    ["/apis/aihub.gemeenten.nl/v1alpha1/blockactivations"],
  ];
  return paths.map(([path, labelSelector]) => {
    const cache = new WatchCache<KubeObject>({ client: c.client, path, ...(labelSelector && { labelSelector }) });
    cache.start();
    return cache;
  });
}

/**
 * What a refused create of the benchmark means: the object exists ("exists"), the create is sent
 * again ("again": its namespace is not there yet; "quota": refused by the quota admission), or
 * the error stands ("fail"). The quota admission refuses with 403 "status unknown for quota" until
 * the namespace's quota is counted, and with 409 Conflict when it could not write the quota's
 * status (other creates in the namespace changed it meanwhile): a 409 that is not AlreadyExists
 * created nothing. Taken for "exists", it once left the raw phase waiting for a StatefulSet that
 * was never created.
 */
export function afterRefusedCreate(err: unknown): "exists" | "again" | "quota" | "fail" {
  if (isNotFound(err)) return "again";
  if (isAlreadyExists(err)) return "exists";
  if (isConflict(err)) return "quota";
  if (err instanceof ApiError && err.code === 403 && err.message.includes("status unknown for quota")) return "quota";
  return "fail";
}

/**
 * Creates an object whose namespace's quota counts it. A tenant says Ready once its quota counted
 * activations, but the API server's quota admission reads its own informer, which may not have
 * seen that count yet: such a refusal is retried and counted, so that a contender whose Ready
 * comes too early shows it. The raw client meets the same refusal for a quota it just created.
 */
export async function createCounted(
  quotaRefusals: { count: number },
  c: CountingClient,
  obj: KubeObject & { apiVersion: string; kind: string },
) {
  for (;;) {
    try {
      return await c.client.request("POST", await c.paths.collectionPathOf(obj), { body: obj });
    } catch (err) {
      const next = afterRefusedCreate(err);
      if (next === "exists") return undefined;
      if (next === "fail") throw err;
      if (next === "quota") quotaRefusals.count++;
      await sleep(200);
    }
  }
}

/**
 * The raw baseline: the same end state without an operator. A concurrent client creates what a
 * municipality creates (its MunicipalTenant and BlockActivations) and what aihub's renderers make
 * of them (the same code), in the order the API server needs: namespaces, then the tenants and
 * their children, then the activations (counted by their tenant's quota) and their children.
 * Only the operator's own work is left out: its reads, its status writes, its admission webhook.
 */
async function rawCreate(
  c: CountingClient,
  tenants: number,
  blocks: Map<string, AIBuildingBlock>,
  progress = { created: 0 },
) {
  const fleet = renderFleet(tenants, blocks);
  const indices = Array.from({ length: tenants }, (_, i) => i);
  const namespaces = fleet.tenants.map((t) => t.namespace);
  const tenantObjects = [...indices.map(fleetTenant), ...fleet.tenants.flatMap((t) => t.objects)];
  // Per tenant its activations, each after its quota counts them (as the operator's tenant judges
  // it, uncountedQuota: a create before is refused), then their children.
  const quotaOf = new Map(
    fleet.tenants.map((t) => [
      t.name,
      t.objects.find((o) => o.kind === "ResourceQuota" && o.metadata.name === QUOTA_NAME),
    ]),
  );
  const quotas = new WatchCache<KubeObject>({
    client: c.client,
    path: "/api/v1/resourcequotas",
    fieldSelector: `metadata.name=${QUOTA_NAME}`,
  });
  quotas.start();
  await quotas.waitForSync();
  // kube-controller-manager counts a custom resource in a quota only at its first full resync
  // (every 5 minutes): once it counted all the rest, the count of activations (none yet) is
  // written as the operator's tenant writes it (seedActivationCount). Once per namespace.
  const counted = new Map<string, Promise<void>>();
  const countActivations = async (namespace: string) => {
    const desired = quotaOf.get(namespace);
    const since = performance.now();
    for (;;) {
      const live = quotas.get(`${namespace}/${QUOTA_NAME}`);
      const uncounted = desired ? uncountedQuota(live, desired) : [];
      if (!uncounted.length) return;
      if (live && uncounted.length === 1 && uncounted[0] === ACTIVATION_COUNT) {
        try {
          await c.client.request("PATCH", `/api/v1/namespaces/${namespace}/resourcequotas/${QUOTA_NAME}/status`, {
            body: {
              metadata: { resourceVersion: live.metadata.resourceVersion },
              status: { used: { [ACTIVATION_COUNT]: "0" } },
            },
            contentType: "application/merge-patch+json",
          });
          return;
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
      }
      if (performance.now() - since > 600_000)
        throw new Error(`raw client: the quota of ${namespace} was not counted within 600 s: ${uncounted.join(", ")}`);
      await sleep(100);
    }
  };
  const quotaCounted = (namespace: string) => {
    const done = counted.get(namespace) ?? countActivations(namespace);
    counted.set(namespace, done);
    return done;
  };
  const activations = indices.flatMap((i) => fleetActivations(i));
  const activationsOf = Map.groupBy(activations, (a) => a.metadata.namespace ?? "");
  const childrenOf = Map.groupBy(fleet.activations, (a) => a.namespace);
  const perTenant = fleet.tenants.flatMap((t) => [
    ...(activationsOf.get(t.name) ?? []),
    ...(childrenOf.get(t.name) ?? []).flatMap((a) => a.objects),
  ]);
  const quotaRefusals = { count: 0 };
  const started = performance.now();
  const create = (objects: (KubeObject & { apiVersion: string; kind: string })[]) =>
    pool(objects, 64, async (o) => {
      if (o.kind === "BlockActivation") await quotaCounted(o.metadata.namespace ?? "");
      await createCounted(quotaRefusals, c, o);
      progress.created++;
    });
  await create(namespaces);
  await create(tenantObjects);
  await create(perTenant);
  await quotas.stop();
  return {
    seconds: (performance.now() - started) / 1000,
    objects: namespaces.length + tenantObjects.length + perTenant.length,
    customResources: tenants + activations.length,
    quotaRefusals: quotaRefusals.count,
    started,
  };
}

/** The raw baseline on a fresh control plane of its own, so that both phases start from the same state. */
export async function rawPhase(
  tenants: number,
  nodes: number,
  blocks: Map<string, AIBuildingBlock>,
  catalog: KubeObject[],
  profileApiServer: (cp: ControlPlane, phase: string) => Profiling,
) {
  const loadAverage = loadavg();
  const cp = await startControlPlane(nodes);
  let probe: SpeedProbe | undefined;
  let claims: ReturnType<typeof watchClaims> | undefined;
  let watches: WatchCache<KubeObject>[] = [];
  try {
    const c = await countingClient({ file: cp.kubeconfigPath });
    // What the operator's phase starts from: the custom resources' definitions, the admission
    // policies and the catalog, before the clock starts.
    await installCrds(c);
    await installPolicies(c);
    await applyManifests(c, catalog);
    const cpu = cpuMeter(cp);
    const progress = { created: 0 };
    const speed = startSpeedProbe();
    probe = speed;
    claims = watchClaims(c.client);
    await claims.synced();
    watches = process.env.BENCH_RAW_WATCHES === "1" ? operatorsWatches(c) : [];
    await Promise.all(watches.map((w) => w.waitForSync()));
    const timelineStart = Date.now();
    const sampled = timeline(cpu, () => ({
      "objects created": progress.created,
      ...(claims?.counts() ?? {}),
      "probe ms": speed.latest() ?? 0,
    }));
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
    const pods = await podsReady(c.client, Date.now() - availableSeconds * 1000, expected);
    // The same measures until available, comparable with a reconciler's until Ready.
    const available = {
      cpuSeconds: cpu(),
      serverWrites: await serverWrites(cp),
      serverWatchEvents: await serverWatchEvents(cp),
      serverLatency: await serverLatency(cp),
    };
    await workloads.stop();
    const rows = await sampled();
    const machineSpeed = await speed.stop();
    const requests = Object.fromEntries(c.counts);
    c.client.close();
    await profiled.end();
    return {
      ...raw,
      availableSeconds,
      podsReadySeconds: pods.lastSeconds,
      podsReadyAfterWorkload: pods.afterWorkload,
      podSteps: pods.steps,
      ...created,
      available,
      requests,
      loadAverage,
      machineSpeed,
      timeline: withStages(rows, timelineStart, pods.stages),
    };
  } finally {
    await Promise.all(watches.map((w) => w.stop()));
    await claims?.stop();
    await probe?.stop();
    await cp.stop();
  }
}
