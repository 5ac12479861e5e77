// A fleet rollout survives SIGKILLs of the operator (ADR 9: "its status is its whole memory").
// The operator runs as its own process against a control plane of its own (kube-scheduler and kwok,
// so pods really run), and is killed and started again at once: right after the rollout moved its
// first activation, each time a ring is done (canary, early), and once at a random moment. From
// outside, every change of each activation's version and each StatefulSet's image is recorded: the
// end state must be that of a run without kills, no activation moved twice, no ring started early.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { installCrds, installPolicies, waitUntil } from "../support/cluster.ts";
import { operatorNodeEnv, operatorNodeOptions } from "../support/operator-node-options.ts";
import {
  activateNewBlock,
  blockActivations,
  blockVersion,
  createRingTenants,
  ringTenants,
  rolloutBlock,
  versionDigest,
  waitUntilFleetRuns,
} from "../support/rollout-fleet.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field in assertions
type Any = Record<string, any>;

const BLOCK = "rr-blok";
const TENANTS = ringTenants("rr", { canary: 2, early: 2, general: 2 });

let cp: ControlPlane;
let admin: CountingClient;
const LOG_FILE = join(tmpdir(), `aihub-rollout-restarts-${process.pid}.log`);
let logFile: WriteStream;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const get = <T = Any>(path: string) => admin.client.request<T>("GET", path);
const patch = (path: string, body: unknown) =>
  admin.client.request("PATCH", path, { body, contentType: "application/merge-patch+json" });

const version = (v: string) => blockVersion(BLOCK, v);
/** The version a StatefulSet's image is of (or the image itself when it is of neither). */
const versionOfImage = (image: string | undefined) =>
  ["1.0.0", "1.1.0"].find((v) => image?.endsWith(`@sha256:${versionDigest(v)}`)) ?? image ?? "none";

const activations = () => blockActivations(admin.client, BLOCK);

async function workloads(): Promise<Map<string, Any>> {
  const list = await get<{ items: Any[] }>(`/apis/apps/v1/statefulsets?fieldSelector=metadata.name%3D${BLOCK}`);
  return new Map(list.items.map((d) => [d.metadata.namespace, d]));
}

/** The newest revision of each StatefulSet (its ControllerRevisions' numbers): one more per new pod template. */
async function newestRevisions(sets: Map<string, Any>): Promise<Map<string, number>> {
  const list = await get<{ items: Any[] }>(
    `/apis/apps/v1/controllerrevisions?labelSelector=aihub.gemeenten.nl/activation%3D${BLOCK}`,
  );
  const newest = new Map<string, number>();
  for (const [ns, set] of sets) {
    const own = list.items.filter((r) => r.metadata.ownerReferences?.some((o: Any) => o.uid === set.metadata.uid));
    newest.set(ns, Math.max(...own.map((r) => Number(r.revision))));
  }
  return newest;
}

const waitFleet = (v: string) => waitUntilFleetRuns(admin.client, BLOCK, v, TENANTS);

// ---- The operator as a process that can be SIGKILLed ----

type LogLine = Record<string, unknown> & { msg?: string; level?: string | number };

interface OperatorProcess {
  n: number;
  proc: ChildProcess;
  lines: LogLine[];
  exited: Promise<void>;
}

let operatorCount = 0;
let operator: OperatorProcess | undefined;

function spawnOperator(): OperatorProcess {
  const n = ++operatorCount;
  const proc = spawn(
    process.execPath,
    [
      ...operatorNodeOptions(),
      "operator/src/main.ts",
      `--kubeconfig=${cp.kubeconfigPath}`,
      "--health-probe-bind-address=127.0.0.1:0",
      "--metrics-bind-address=127.0.0.1:0",
      "--metrics-secure=false",
      "--webhook-bind-address=127.0.0.1:0",
      "--webhook-url=https://127.0.0.1:0",
      "--leader-elect=false",
      "--resync-period-seconds=30",
      `--identity=e2e-rollout-restarts-${n}`,
    ],
    { env: operatorNodeEnv(), stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: LogLine[] = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    logFile.write(`[operator ${n}] ${line}\n`);
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ msg: line, level: "unparsed" });
    }
  });
  createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on("line", (line) =>
    logFile.write(`[operator ${n} stderr] ${line}\n`),
  );
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return { n, proc, lines, exited };
}

async function startOperator(): Promise<OperatorProcess> {
  const op = spawnOperator();
  let gone = false;
  void op.exited.then(() => {
    gone = true;
  });
  await waitUntil(`operator ${op.n}'s "starting" log line`, async () => {
    if (gone) throw new Error(`operator ${op.n} exited during start-up (log: ${LOG_FILE})`);
    return op.lines.find((l) => l.msg === "starting");
  });
  return op;
}

interface Kill {
  reason: string;
  at: number;
  /** What the rollout's status said when the kill was decided. */
  phase?: string;
  moved: number;
  rings: string;
}
const kills: Kill[] = [];
let restarts: Promise<void> = Promise.resolve();

/** SIGKILLs the running operator and starts another at once; restarts run one after the other. */
function killAndRestart(reason: string, r?: Any): Promise<void> {
  restarts = restarts.then(async () => {
    const old = operator;
    if (!old) return;
    const snapshot = r ?? (await get(`${API}/blockrollouts/${BLOCK}-1.1.0`).catch(() => undefined));
    old.proc.kill("SIGKILL");
    await old.exited;
    kills.push({
      reason,
      at: Date.now(),
      phase: snapshot?.status?.phase,
      moved: snapshot?.status?.activations?.length ?? 0,
      rings: (snapshot?.status?.rings ?? [])
        .map((x: Any) => `${x.name} ${x.updated}/${x.total}${x.completedAt ? " done" : ""}`)
        .join(", "),
    });
    logFile.write(`[test] SIGKILL operator ${old.n} (${reason})\n`);
    operator = await startOperator();
  });
  restarts.catch(() => undefined); // awaited, and so reported, at the end of the test
  return restarts;
}

beforeAll(async () => {
  logFile = createWriteStream(LOG_FILE);
  cp = await ControlPlane.start({ nodes: 2 });
  admin = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(admin);
  await installPolicies(admin);
  operator = await startOperator();
  await createRingTenants(admin.client, TENANTS, { firstCode: 7100 });
}, 240_000);

afterAll(async () => {
  await restarts.catch(() => undefined);
  if (operator) {
    operator.proc.kill("SIGKILL");
    await operator.exited;
  }
  admin?.client.close();
  await cp?.stop();
  logFile?.end();
});

describe("a fleet rollout with the operator SIGKILLed along the way", () => {
  it("ends as a run without kills: nothing moved twice, no ring started early", async () => {
    const fleetBefore = await activateNewBlock(
      admin.client,
      rolloutBlock(
        BLOCK,
        { maxConcurrent: "1", bakeTime: "3s", progressDeadline: "60s" },
        "A block for the restart tests.",
      ),
      TENANTS,
    );
    const before = await waitUntil("every StatefulSet on 1.0.0, rolled out", async () => {
      const all = await workloads();
      return TENANTS.every((t) => {
        const d = all.get(t.name);
        return (
          versionOfImage(d?.spec.template.spec.containers[0].image) === "1.0.0" &&
          d?.status?.observedGeneration === d?.metadata.generation &&
          d?.status?.updatedReplicas === d?.spec.replicas &&
          d?.status?.currentRevision === d?.status?.updateRevision &&
          d?.status?.availableReplicas === d?.spec.replicas
        );
      })
        ? all
        : undefined;
    });
    const revisionBefore = await newestRevisions(before);

    // What was seen from outside: every change, with when it was first seen.
    const versions = new Map<string, { value: string; at: number }[]>(TENANTS.map((t) => [t.name, []]));
    const images = new Map<string, { value: string; at: number }[]>(TENANTS.map((t) => [t.name, []]));
    const record = (log: Map<string, { value: string; at: number }[]>, ns: string, value: string, at: number) => {
      const changes = log.get(ns) ?? [];
      if (changes.at(-1)?.value !== value) changes.push({ value, at });
      log.set(ns, changes);
    };
    const seenBefore = Date.now();
    for (const [ns, d] of before)
      record(images, ns, versionOfImage(d.spec.template.spec.containers[0].image), seenBefore);
    for (const [ns, a] of fleetBefore) record(versions, ns, a.status.currentVersion, seenBefore);
    const ringDoneSeen = new Map<string, number>();
    let firstMoveKilled = false;

    await patch(`${API}/aibuildingblocks/${BLOCK}`, { spec: { versions: [version("1.0.0"), version("1.1.0")] } });
    const published = Date.now();
    // One kill at a random moment, most likely while a ring moves or bakes.
    const randomDelay = 1000 + Math.floor(Math.random() * 9000);
    const randomKill = sleep(randomDelay).then(() => killAndRestart(`random, ${randomDelay} ms after publish`));

    let final: Any | undefined;
    const deadline = published + 150_000;
    while (!final && Date.now() < deadline) {
      // StatefulSets first, then activations, then the rollout: a move seen here was decided by a
      // status that the rollout read after it already shows.
      const [deps, acts] = [await workloads().catch(() => undefined), await activations().catch(() => undefined)];
      const r = await get(`${API}/blockrollouts/${BLOCK}-1.1.0`).catch(() => undefined);
      const at = Date.now();
      for (const [ns, d] of deps ?? [])
        record(images, ns, versionOfImage(d.spec.template.spec.containers[0].image), at);
      for (const [ns, a] of acts ?? []) record(versions, ns, a.status?.currentVersion ?? "none", at);
      if (r?.status) {
        if (!firstMoveKilled && (r.status.activations?.length ?? 0) >= 1) {
          firstMoveKilled = true;
          void killAndRestart("the first activation of canary moved", r);
        }
        for (const ring of r.status.rings ?? []) {
          if (!ring.completedAt || ringDoneSeen.has(ring.name)) continue;
          ringDoneSeen.set(ring.name, at);
          if (ring.name !== "general") void killAndRestart(`ring ${ring.name} completed`, r);
        }
        if (r.status.phase === "Succeeded") final = r;
      }
      await sleep(150);
    }
    await randomKill;
    await restarts;
    const report = JSON.stringify({ kills, rollout: final?.status ?? "not Succeeded", log: LOG_FILE }, null, 1);
    expect(final, report).toBeDefined();
    const done = final as Any;

    // Final state: that of a run without kills.
    const fleet = await waitFleet("1.1.0");
    for (const t of TENANTS) expect(fleet.get(t.name)?.status.lastHealthyVersion, t.name).toBe("1.1.0");
    expect(done.status.progress, report).toBe("6/6");
    expect(
      done.status.rings.map((r: Any) => [r.name, r.total, r.updated, r.failed]),
      report,
    ).toEqual([
      ["canary", 2, 2, 0],
      ["early", 2, 2, 0],
      ["general", 2, 2, 0],
    ]);
    expect(
      done.status.activations.map((e: Any) => `${e.activation} ${e.ring} ${e.state} ${e.previousVersion}`).sort(),
      report,
    ).toEqual(TENANTS.map((t) => `${t.name}/${BLOCK} ${t.ring} Healthy 1.0.0`).sort());

    // No activation updated twice: one image change per StatefulSet, one version change per
    // activation, seen from outside; and one new StatefulSet revision, which no poll can miss.
    const after = await newestRevisions(await workloads());
    for (const t of TENANTS) {
      expect(
        images.get(t.name)?.map((c) => c.value),
        `${t.name} images\n${report}`,
      ).toEqual(["1.0.0", "1.1.0"]);
      expect(
        versions.get(t.name)?.map((c) => c.value),
        `${t.name} versions\n${report}`,
      ).toEqual(["1.0.0", "1.1.0"]);
      const revision = after.get(t.name);
      expect(revision, `${t.name} StatefulSet revision`).toBe((revisionBefore.get(t.name) ?? Number.NaN) + 1);
    }

    // No ring started early, by the rollout's own times (whole seconds)...
    const ringStat = (name: string) => done.status.rings.find((r: Any) => r.name === name);
    const entries = (ring: string) => done.status.activations.filter((e: Any) => e.ring === ring);
    for (const e of entries("early"))
      expect(Date.parse(e.movedAt), `${e.activation}\n${report}`).toBeGreaterThanOrEqual(
        Date.parse(ringStat("canary").completedAt),
      );
    for (const e of entries("general"))
      expect(Date.parse(e.movedAt), `${e.activation}\n${report}`).toBeGreaterThanOrEqual(
        Date.parse(ringStat("early").completedAt),
      );
    // ...and as seen from outside: no StatefulSet of a ring changed before the ring before it was done.
    const firstImageChange = (ring: string) =>
      Math.min(
        ...TENANTS.filter((t) => t.ring === ring).map(
          (t) => images.get(t.name)?.find((c) => c.value === "1.1.0")?.at ?? Number.NaN,
        ),
      );
    expect(ringDoneSeen.get("canary"), report).toBeDefined();
    expect(ringDoneSeen.get("early"), report).toBeDefined();
    expect(firstImageChange("early"), report).toBeGreaterThanOrEqual((ringDoneSeen.get("canary") ?? 0) - 1000);
    expect(firstImageChange("general"), report).toBeGreaterThanOrEqual((ringDoneSeen.get("early") ?? 0) - 1000);
    // Within a ring, one at a time (maxConcurrent 1): the second moved after the first was healthy.
    for (const ring of ["canary", "early", "general"]) {
      const [a, b] = entries(ring).sort((x: Any, y: Any) => Date.parse(x.movedAt) - Date.parse(y.movedAt));
      expect(Date.parse(b.movedAt), `${ring}\n${report}`).toBeGreaterThanOrEqual(Date.parse(a.healthySince));
    }

    // The kills did happen, while the rollout ran (not vacuous), and no operator failed to start.
    const during = kills.filter((k) => k.phase === "Progressing");
    expect(kills.length, report).toBeGreaterThanOrEqual(3);
    expect(during.length, report).toBeGreaterThanOrEqual(3);
    expect(kills.map((k) => k.reason)).toEqual(
      expect.arrayContaining(["the first activation of canary moved", "ring canary completed", "ring early completed"]),
    );
    console.log(
      `rollout ${BLOCK}-1.1.0 Succeeded ${Math.round((Date.now() - published) / 1000)} s after publish, ` +
        `${kills.length} SIGKILLs (operator log: ${LOG_FILE}):\n` +
        kills
          .map((k) => `  +${k.at - published} ms ${k.reason}: ${k.phase ?? "-"}, ${k.moved} moved, ${k.rings}`)
          .join("\n"),
    );
  }, 180_000);
});
