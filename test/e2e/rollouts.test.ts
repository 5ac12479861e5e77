// Fleet rollouts against a control plane of their own, with kube-scheduler and kwok so that pods
// really run, and a kwok stage that keeps pods of a 0bad… image from ever becoming Ready: a bad
// version fails its health gate for real. 30 municipalities: 3 canary, 9 early, 18 general.
// The operator runs in-process on a clock the tests can move (freeze windows).
import type { Server } from "node:https";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manager } from "../../operator/src/runtime/manager.ts";
import { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import { APPROVAL_ANNOTATION, readApprovals } from "../../operator/src/webhook/approval-record.ts";
import { APPROVAL_PATH } from "../../operator/src/webhook/webhook-server.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { consistently, installCrds, installPolicies, waitUntil } from "../support/cluster.ts";
import { buildTestOperator, stopInProcessOperator } from "../support/in-process-operator.ts";
import {
  activateIn,
  activateNewBlock,
  blockActivations,
  blockVersion,
  createRingTenants,
  isReady,
  ringTenants,
  rolloutBlock,
  versionDigest,
  waitUntilFleetRuns,
} from "../support/rollout-fleet.ts";
import { serveTestWebhook } from "../support/webhook.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field in assertions
type Any = Record<string, any>;

let cp: ControlPlane;
let admin: CountingClient;
let operatorClient: CountingClient;
let manager: Manager;
let metrics: OperatorMetrics;
let webhook: Server;
/** The operator's clock runs this far ahead of the wall clock; a test moves it. */
let clockOffsetMs = 0;

const RINGS = ringTenants("ro", { canary: 3, early: 9, general: 18 });

const get = <T = Any>(path: string) => admin.client.request<T>("GET", path);
const post = (path: string, body: unknown) => admin.client.request("POST", path, { body });
const patch = (path: string, body: unknown) =>
  admin.client.request("PATCH", path, { body, contentType: "application/merge-patch+json" });

async function publish(name: string, v: string, bad = false) {
  const b = await get(`${API}/aibuildingblocks/${name}`);
  await patch(`${API}/aibuildingblocks/${name}`, {
    spec: { versions: [...b.spec.versions, blockVersion(name, v, bad)] },
  });
}

const rolloutPath = (blockName: string, v: string) => `${API}/blockrollouts/${blockName}-${v}`;
const rollout = (blockName: string, v: string) => get(rolloutPath(blockName, v));

function waitRollout(blockName: string, v: string, what: string, test: (r: Any) => boolean, timeoutMs = 60_000) {
  return waitUntil(
    `rollout ${blockName} ${v}: ${what}`,
    async () => {
      const r = await rollout(blockName, v);
      return test(r) ? r : undefined;
    },
    timeoutMs,
  );
}

const waitFleet = (blockName: string, v: string, tenants = RINGS) =>
  waitUntilFleetRuns(admin.client, blockName, v, tenants);

/** Puts a block with `rollout` in the catalog, activated in `tenants`, and waits until they all run 1.0.0. */
const newBlockIn = (blockName: string, rollout: Record<string, unknown>, tenants = RINGS) =>
  activateNewBlock(admin.client, rolloutBlock(blockName, rollout), tenants);

/**
 * Watches a block's activations until `until` resolves, and records when each namespace was first
 * seen running another version than `from`: what the fleet did, seen from outside the operator.
 */
function recordMoves(blockName: string, from: string) {
  const firstMoved = new Map<string, number>();
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      for (const [ns, a] of await blockActivations(admin.client, blockName)) {
        const v = a.status?.currentVersion;
        if (v && v !== from && !firstMoved.has(ns)) firstMoved.set(ns, Date.now());
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    firstMoved,
    stop: async () => {
      stop = true;
      await loop;
    },
  };
}

beforeAll(async () => {
  cp = await ControlPlane.start({ nodes: 2 });
  admin = await countingClient({ file: cp.kubeconfigPath });
  operatorClient = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(admin);
  await installPolicies(admin);
  metrics = new OperatorMetrics();
  // E2E_LOG=<file> keeps the operator's log, for finding out why a test failed.
  const log = process.env.E2E_LOG
    ? pino({ level: "debug" }, pino.destination(process.env.E2E_LOG))
    : pino({ level: "silent" });
  const op = buildTestOperator({
    client: operatorClient.client,
    log,
    metrics,
    identity: "e2e-rollouts",
    now: () => new Date(Date.now() + clockOffsetMs),
  });
  manager = op.manager;
  await manager.start();
  // The admission webhooks, registered at the API server: approvals are recorded by the mutating one.
  webhook = await serveTestWebhook(operatorClient.client, op.caches, log, undefined, metrics);
  await createRingTenants(admin.client, RINGS, { firstCode: 7000, admin: (t) => `informatiemanager@${t.name}.nl` });
}, 240_000);

afterAll(() => stopInProcessOperator({ webhook, manager, clients: [operatorClient, admin], cp }));

describe("a fleet rollout of a good version", () => {
  it("moves canary, then early, then general, each after the ring before it baked, and succeeds", async () => {
    await newBlockIn("ro-goed", { maxConcurrent: "50%", bakeTime: "4s", progressDeadline: "60s" });

    const moves = recordMoves("ro-goed", "1.0.0");
    const ringDone = new Map<string, number>();
    await publish("ro-goed", "1.1.0");
    const done = await waitUntil(
      "the rollout to succeed",
      async () => {
        const r = await rollout("ro-goed", "1.1.0").catch(() => undefined);
        for (const ring of r?.status?.rings ?? [])
          if (ring.completedAt && !ringDone.has(ring.name)) ringDone.set(ring.name, Date.now());
        return r?.status?.phase === "Succeeded" ? r : undefined;
      },
      120_000,
    );
    await moves.stop();

    expect(done.status.progress).toBe("30/30");
    expect(done.status.rings.map((r: Any) => [r.name, r.total, r.updated, r.failed])).toEqual([
      ["canary", 3, 3, 0],
      ["early", 9, 9, 0],
      ["general", 18, 18, 0],
    ]);
    // Seen from outside: no early activation moved before the canary ring was done (baked),
    // no general one before early was. Bake counts from the Ready condition's time, which the
    // API server keeps in whole seconds: so at least 3 of the 4 s show between the rings.
    const first = (prefix: string) =>
      Math.min(...[...moves.firstMoved].filter(([ns]) => ns.startsWith(prefix)).map(([, t]) => t));
    const last = (prefix: string) =>
      Math.max(...[...moves.firstMoved].filter(([ns]) => ns.startsWith(prefix)).map(([, t]) => t));
    expect(moves.firstMoved.size).toBe(30);
    expect(first("ro-early-")).toBeGreaterThanOrEqual(last("ro-canary-") + 3000);
    expect(first("ro-general-")).toBeGreaterThanOrEqual(last("ro-early-") + 3000);
    expect(first("ro-early-")).toBeGreaterThanOrEqual((ringDone.get("canary") ?? 0) - 1000);
    await waitFleet("ro-goed", "1.1.0");

    // Events are recorded after the status write that they describe: wait for the last one.
    const reasons = await waitUntil("the rollout's Events", async () => {
      const events = await get<{ items: Any[] }>("/apis/events.k8s.io/v1/namespaces/default/events");
      const mine = events.items.filter((e) => e.regarding.name === "ro-goed-1.1.0").map((e) => e.reason as string);
      return mine.includes("RolloutSucceeded") ? mine : undefined;
    });
    expect(reasons).toEqual(expect.arrayContaining(["RingStarted", "RingCompleted", "RolloutSucceeded"]));
  }, 180_000);
});

describe("a fleet rollout of a bad version", () => {
  it("halts in canary, sends canary back, never touches early or general, and withdraws the version", async () => {
    await post(
      `${API}/aibuildingblocks`,
      rolloutBlock("ro-slecht", { maxConcurrent: "100%", bakeTime: "2s", progressDeadline: "8s" }),
    );
    await activateIn(admin.client, "ro-slecht", RINGS.slice(0, 12)); // canary and early
    // A municipality that approves updates by hand, on 1.0.0.
    await post(`${API}/namespaces/ro-general-0/blockactivations`, {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockActivation",
      metadata: { name: "ro-slecht", namespace: "ro-general-0" },
      spec: { block: "ro-slecht", updatePolicy: "Manual", approvedVersion: "1.0.0" },
    });
    await waitFleet("ro-slecht", "1.0.0", RINGS.slice(0, 12));
    await publish("ro-slecht", "1.1.0", true);
    // Offered with how the version does in the fleet (ring-level, so it changes a few times only).
    const offered = await waitUntil("the Manual activation to be offered 1.1.0 with its fleet status", async () => {
      const a = await get(`${API}/namespaces/ro-general-0/blockactivations/ro-slecht`);
      return a.status?.availableUpdate?.version === "1.1.0" && a.status.availableUpdate.fleet ? a : undefined;
    });
    expect(offered.status.availableUpdate.fleet).toBe("rolling out in ring canary");

    const moves = recordMoves("ro-slecht", "1.0.0");
    const halted = await waitRollout(
      "ro-slecht",
      "1.1.0",
      "rolled back",
      (r) => r.status?.phase === "RolledBack",
      90_000,
    );
    await moves.stop();
    expect([...moves.firstMoved.keys()].sort()).toEqual(["ro-canary-0", "ro-canary-1", "ro-canary-2"]);
    expect(halted.status.failed).toBe(3);
    expect(halted.status.activations.map((e: Any) => [e.activation, e.state, e.previousVersion])).toEqual(
      [
        ["ro-canary-0/ro-slecht", "Failed", "1.0.0"],
        ["ro-canary-1/ro-slecht", "Failed", "1.0.0"],
        ["ro-canary-2/ro-slecht", "Failed", "1.0.0"],
      ].map(([a, , p]) => [a, "RolledBack", p]),
    );
    const ringFailure = halted.status.activations[0].message;
    expect(ringFailure).toContain("not healthy on 1.1.0 within the progress deadline of 8s");

    // Canary is back on 1.0.0 and Ready, with its pods running; early never moved.
    const all = await waitFleet("ro-slecht", "1.0.0", RINGS.slice(0, 12));
    for (const t of RINGS.slice(0, 12)) {
      const d = await get(`/apis/apps/v1/namespaces/${t.name}/statefulsets/ro-slecht`);
      expect(d.spec.template.spec.containers[0].image).toContain(versionDigest("1.0.0"));
    }
    expect(all.get("ro-canary-0")?.status.lastHealthyVersion).toBe("1.0.0");

    // Withdrawn: the block says why, the Manual municipality is no longer offered it.
    const b = await waitUntil("the block to list 1.1.0 as withdrawn", async () => {
      const x = await get(`${API}/aibuildingblocks/ro-slecht`);
      return x.status?.withdrawnVersions?.length ? x : undefined;
    });
    expect(b.status.withdrawnVersions[0]).toMatchObject({ version: "1.1.0", reason: "FailureThreshold" });
    await waitUntil("1.1.0 to be offered no more", async () => {
      const a = await get(`${API}/namespaces/ro-general-0/blockactivations/ro-slecht`);
      return a.status?.availableUpdate === undefined ? a : undefined;
    });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/aihub_rollout_rollbacks_total\{block="ro-slecht",reason="FailureThreshold"\} 1/);
    expect(text).toMatch(
      /aihub_rollout_activations\{rollout="ro-slecht-1.1.0",block="ro-slecht",state="RolledBack"\} 3/,
    );
    expect(text).toMatch(
      /aihub_rollout_ring_transitions_total\{block="ro-slecht",ring="canary",transition="started"\} 1/,
    );
    const mine = await waitUntil("the RolloutHalted Event", async () => {
      const events = await get<{ items: Any[] }>("/apis/events.k8s.io/v1/namespaces/default/events");
      const of = events.items.filter((e) => e.regarding.name === "ro-slecht-1.1.0");
      return of.some((e) => e.reason === "RolloutHalted") ? of : undefined;
    });
    expect(mine.find((e) => e.reason === "RolloutHalted")?.note).toContain(
      "ring canary: 3 failed, 0 tolerated (ro-canary-0/ro-slecht, ro-canary-1/ro-slecht, ro-canary-2/ro-slecht)",
    );
  }, 180_000);
});

describe("the collective's switches", () => {
  const FEW = RINGS.slice(0, 4); // 3 canary, 1 early

  it("pauses, resumes, aborts and rolls back", async () => {
    await newBlockIn("ro-knop", { maxConcurrent: "1", bakeTime: "1s", progressDeadline: "60s" }, FEW);
    await publish("ro-knop", "1.1.0");
    await waitRollout("ro-knop", "1.1.0", "created", () => true);
    await patch(rolloutPath("ro-knop", "1.1.0"), { spec: { paused: true } });
    const paused = await waitRollout("ro-knop", "1.1.0", "Paused", (r) => r.status?.phase === "Paused");
    const movedWhenPaused = paused.status.activations?.length ?? 0;
    // Nothing more moves for 3 s while paused (the positive signal was the phase).
    await consistently(
      "nothing more to move while paused",
      async () => {
        const moved = (await rollout("ro-knop", "1.1.0")).status.activations?.length ?? 0;
        return moved === movedWhenPaused ? undefined : `${moved} moved, ${movedWhenPaused} when paused`;
      },
      3000,
      250,
    );
    expect(movedWhenPaused).toBeLessThan(FEW.length);
    await patch(rolloutPath("ro-knop", "1.1.0"), { spec: { paused: false } });
    await waitRollout("ro-knop", "1.1.0", "Succeeded", (r) => r.status?.phase === "Succeeded");

    // Abort the next version halfway: what moved goes back to 1.1.0.
    await publish("ro-knop", "1.2.0");
    await waitRollout("ro-knop", "1.2.0", "one moved", (r) => (r.status?.activations?.length ?? 0) >= 1);
    await patch(rolloutPath("ro-knop", "1.2.0"), { spec: { abort: true } });
    const back = await waitRollout("ro-knop", "1.2.0", "RolledBack", (r) => r.status?.phase === "RolledBack");
    expect(back.status.conditions.find((c: Any) => c.type === "Ready")?.reason).toBe("Aborted");
    await waitFleet("ro-knop", "1.1.0", FEW);
    const undo = await admin.client
      .request("PATCH", rolloutPath("ro-knop", "1.2.0"), {
        body: { spec: { abort: false } },
        contentType: "application/merge-patch+json",
      })
      .then(
        () => "",
        (e: Error) => e.message,
      );
    expect(undo).toContain("an aborted rollout cannot be resumed");
  }, 120_000);

  it("stops a rollout that a newer version supersedes, and moves nothing to the older one after that", async () => {
    await newBlockIn("ro-opvolger", { maxConcurrent: "1", bakeTime: "1h", progressDeadline: "60s" }, FEW);
    await publish("ro-opvolger", "1.1.0");
    // Canary moves one at a time; the ring then bakes for an hour. All three must run 1.1.0
    // (Baking), not only be moved: the newer rollout records what each one runs as it moves it.
    await waitRollout(
      "ro-opvolger",
      "1.1.0",
      "canary on 1.1.0, baking",
      (r) => r.status?.activations?.length === 3 && r.status.activations.every((e: Any) => e.state === "Baking"),
      60_000,
    );
    await publish("ro-opvolger", "1.2.0");
    const old = await waitRollout("ro-opvolger", "1.1.0", "Superseded", (r) => r.status?.phase === "Superseded");
    expect(old.status.activations).toHaveLength(3);
    // The early municipality never got 1.1.0: it waits for 1.2.0's rollout (canary bakes an hour).
    const early = await get(`${API}/namespaces/ro-early-0/blockactivations/ro-opvolger`);
    expect(early.status.currentVersion).toBe("1.0.0");
    const next = await waitRollout(
      "ro-opvolger",
      "1.2.0",
      "canary moved",
      (r) => (r.status?.activations?.length ?? 0) === 3,
      60_000,
    );
    expect(next.status.activations.map((e: Any) => e.previousVersion)).toEqual(["1.1.0", "1.1.0", "1.1.0"]);
    expect((await rollout("ro-opvolger", "1.1.0")).status.activations).toHaveLength(3);
  }, 120_000);
});

describe("approvals and the version lifecycle", () => {
  const asAdmin = (ns: string) => ({ "Impersonate-User": `informatiemanager@${ns}.nl` });

  it("records the tenant admin who approved an update, and the admin can neither type nor edit the record", async () => {
    const ns = "ro-general-1";
    const path = `${API}/namespaces/${ns}/blockactivations/ro-goed-handmatig`;
    await admin.client.request("POST", `${API}/namespaces/${ns}/blockactivations`, {
      headers: asAdmin(ns),
      body: {
        apiVersion: "aihub.gemeenten.nl/v1alpha1",
        kind: "BlockActivation",
        // A forged record on create is removed.
        metadata: {
          name: "ro-goed-handmatig",
          namespace: ns,
          annotations: {
            "aihub.gemeenten.nl/approval": JSON.stringify({
              version: "1.0.0",
              user: "burgemeester",
              approvedAt: "2026-01-01T00:00:00Z",
            }),
          },
        },
        spec: { block: "ro-goed", updatePolicy: "Manual", approvedVersion: "1.0.0" },
      },
    });
    await admin.client.request("PATCH", path, {
      headers: asAdmin(ns),
      body: { spec: { approvedVersion: "1.1.0" } },
      contentType: "application/merge-patch+json",
    });
    let seen: Any | undefined;
    const approved = await waitUntil("two approvals in status", async () => {
      const a = await get(path);
      seen = a;
      return a.status?.approvals?.length === 2 && a.status.currentVersion === "1.1.0" ? a : undefined;
    }).catch((err: Error) => {
      throw new Error(
        `${err.message}; last seen: ${JSON.stringify({ meta: seen?.metadata.annotations, status: seen?.status })}`,
      );
    });
    expect(approved.status.approvals.map((x: Any) => [x.version, x.user])).toEqual([
      ["1.0.0", `informatiemanager@${ns}.nl`],
      ["1.1.0", `informatiemanager@${ns}.nl`],
    ]);
    expect(approved.status.approvals[1].releaseNotes).toBe("Version 1.1.0.");
    // Editing the record is undone by the webhook; writing status is forbidden by RBAC.
    await admin.client.request("PATCH", path, {
      headers: asAdmin(ns),
      body: {
        metadata: {
          annotations: {
            "aihub.gemeenten.nl/approval":
              '{"version":"1.1.0","user":"burgemeester","approvedAt":"2027-01-01T00:00:00Z"}',
          },
        },
      },
      contentType: "application/merge-patch+json",
    });
    const after = await get(path);
    expect(after.metadata.annotations["aihub.gemeenten.nl/approval"]).toContain(`informatiemanager@${ns}.nl`);
    const forbidden = await admin.client
      .request("PATCH", `${path}/status`, {
        headers: asAdmin(ns),
        body: { status: { approvals: [] } },
        contentType: "application/merge-patch+json",
      })
      .then(
        () => 0,
        (e: { code?: number }) => e.code,
      );
    expect(forbidden).toBe(403);
  }, 60_000);

  it("is called only for writes that can change the approval record (matchConditions)", async () => {
    const ns = "ro-general-2";
    const approvalCalls = async () =>
      (await metrics.webhookRequests.get()).values
        .filter((v) => v.labels.webhook === APPROVAL_PATH)
        .reduce((sum, v) => sum + v.value, 0);
    const activation = (name: string, annotations?: Record<string, string>) => ({
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockActivation",
      metadata: { name, namespace: ns, ...(annotations && { annotations }) },
      spec: { block: "ro-goed", updatePolicy: "Manual", approvedVersion: "1.0.0" },
    });
    const before = await approvalCalls();
    // Neither a create without approval fields and record, nor an update that leaves them alone.
    const plain = { ...activation("ro-goed-zonder"), spec: { block: "ro-goed" } };
    await post(`${API}/namespaces/${ns}/blockactivations`, plain);
    await admin.client.request("PATCH", `${API}/namespaces/${ns}/blockactivations/ro-goed-zonder`, {
      headers: asAdmin(ns),
      body: { metadata: { labels: { team: "zaken" } } },
      contentType: "application/merge-patch+json",
    });
    // A forged record on a create is still sent, and removed.
    const forged = JSON.stringify([{ version: "1.0.0", user: "burgemeester", approvedAt: "2026-01-01T00:00:00Z" }]);
    await post(`${API}/namespaces/${ns}/blockactivations`, {
      ...activation("ro-goed-vervalst", { [APPROVAL_ANNOTATION]: forged }),
      spec: { block: "ro-goed" },
    });
    // Calls are counted when their response has gone out: wait for the forged create's, which
    // came after the two above, and then there must be exactly one.
    await waitUntil("the approval webhook's call for the forged record", async () =>
      (await approvalCalls()) > before ? true : undefined,
    );
    expect(await approvalCalls()).toBe(before + 1);
    const created = await get(`${API}/namespaces/${ns}/blockactivations/ro-goed-vervalst`);
    expect(created.metadata.annotations?.[APPROVAL_ANNOTATION]).toBeUndefined();
    // An approval on update is sent and recorded; editing the record afterwards is sent and undone.
    await post(`${API}/namespaces/${ns}/blockactivations`, activation("ro-goed-goedgekeurd"));
    await waitUntil("the approval webhook's call for the approval", async () =>
      (await approvalCalls()) > before + 1 ? true : undefined,
    );
    const approved = await get(`${API}/namespaces/${ns}/blockactivations/ro-goed-goedgekeurd`);
    expect(readApprovals(approved.metadata.annotations).map((r) => r.version)).toEqual(["1.0.0"]);
    await admin.client.request("PATCH", `${API}/namespaces/${ns}/blockactivations/ro-goed-goedgekeurd`, {
      headers: asAdmin(ns),
      body: { metadata: { annotations: { [APPROVAL_ANNOTATION]: forged } } },
      contentType: "application/merge-patch+json",
    });
    const after = await get(`${API}/namespaces/${ns}/blockactivations/ro-goed-goedgekeurd`);
    expect(after.metadata.annotations[APPROVAL_ANNOTATION]).toBe(approved.metadata.annotations[APPROVAL_ANNOTATION]);
  }, 60_000);

  it("shows a deprecated version, and moves a Manual activation after its end of life and notice period", async () => {
    const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const b = rolloutBlock("ro-einde", { maxConcurrent: "100%", bakeTime: "1s" });
    b.spec.versions = [{ ...blockVersion("ro-einde", "1.0.0"), endOfLife: day(-1) } as never];
    await post(`${API}/aibuildingblocks`, { ...b, spec: { ...b.spec, endOfLifeNoticeDays: 1 } });
    await publish("ro-einde", "1.1.0");
    const ns = "ro-early-3";
    await post(`${API}/namespaces/${ns}/blockactivations`, {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockActivation",
      metadata: { name: "ro-einde", namespace: ns },
      spec: { block: "ro-einde", updatePolicy: "Manual", approvedVersion: "1.0.0" },
    });
    const path = `${API}/namespaces/${ns}/blockactivations/ro-einde`;
    const noticed = await waitUntil("end of life noticed", async () => {
      const a = await get(path);
      const c = a.status?.conditions?.find((x: Any) => x.type === "Supported");
      return c?.reason === "EndOfLife" ? a : undefined;
    });
    expect(noticed.status.currentVersion).toBe("1.0.0");
    expect(noticed.status.conditions.find((x: Any) => x.type === "Supported").message).toContain(
      `approve a newer version before ${day(1)}`,
    );
    const warning = await waitUntil("a Warning Event EndOfLife", async () => {
      const events = await get<{ items: Any[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`);
      return events.items.find((e) => e.reason === "EndOfLife" && e.regarding.name === "ro-einde");
    });
    expect(warning.type).toBe("Warning");
    // Two days later on the operator's clock the notice is over; a label change wakes the activation.
    clockOffsetMs = 2 * 86_400_000;
    try {
      await patch(path, { metadata: { labels: { "e2e/wake": "1" } } });
      const moved = await waitUntil("moved off 1.0.0", async () => {
        const a = await get(path);
        return a.status?.currentVersion === "1.1.0" && isReady(a) ? a : undefined;
      });
      expect(moved.spec.approvedVersion).toBe("1.0.0");
      expect(moved.status.conditions.find((x: Any) => x.type === "Supported")).toMatchObject({ status: "True" });
      // It stays there: once, not back and forth (the StatefulSet's template changed once).
      const d = await get(`/apis/apps/v1/namespaces/${ns}/statefulsets/ro-einde`);
      expect(d.metadata.generation).toBe(2);
    } finally {
      clockOffsetMs = 0;
    }
  }, 60_000);
});

describe("freeze windows", () => {
  it("advances no ring inside a fleet-wide freeze, and continues after it (operator clock moved)", async () => {
    const local = (d: Date) =>
      new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Amsterdam", dateStyle: "short", timeStyle: "short" })
        .format(d)
        .replace(" ", "T");
    const now = Date.now();
    await post(`${API}/rolloutfreezes`, {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "RolloutFreeze",
      metadata: { name: "verkiezingen" },
      spec: {
        start: local(new Date(now - 3_600_000)),
        end: local(new Date(now + 2 * 3_600_000)),
        reason: "gemeenteraadsverkiezingen",
      },
    });
    const FEW = RINGS.slice(0, 2);
    await newBlockIn("ro-bevroren", { maxConcurrent: "100%", bakeTime: "1s" }, FEW);
    await publish("ro-bevroren", "1.1.0");
    const frozen = await waitRollout("ro-bevroren", "1.1.0", "frozen", (r) =>
      r.status?.conditions?.some((c: Any) => c.type === "Progressing" && c.reason === "Frozen"),
    );
    expect(frozen.status.conditions.find((c: Any) => c.reason === "Frozen").message).toContain(
      "held by freeze verkiezingen",
    );
    // Nothing moves for 2 s inside the freeze (the positive signal was the Frozen condition).
    await consistently(
      "nothing to move inside the freeze",
      async () => {
        const moved = (await rollout("ro-bevroren", "1.1.0")).status.activations ?? [];
        return moved.length ? moved : undefined;
      },
      2000,
      250,
    );
    // Three hours later on the operator's clock; a change of the rollout's labels wakes it.
    clockOffsetMs = 3 * 3_600_000;
    try {
      await patch(rolloutPath("ro-bevroren", "1.1.0"), { metadata: { labels: { "e2e/wake": "1" } } });
      await waitRollout("ro-bevroren", "1.1.0", "Succeeded", (r) => r.status?.phase === "Succeeded");
      await waitFleet("ro-bevroren", "1.1.0", FEW);
    } finally {
      clockOffsetMs = 0;
      await admin.client.request("DELETE", `${API}/rolloutfreezes/verkiezingen`);
    }
  }, 120_000);
});
