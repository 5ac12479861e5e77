// make chaos: the fleet converges while its parts fail, and ends where a clean run ends. Two
// fresh control planes, one after the other, each with the operator as its own process (the
// bundle, as bench/operator-process.ts starts it) and the same workload: N municipalities with
// five activations each, then one activation removed in every fifth municipality and the last
// municipality removed. The first run is left alone. In the second, while the workload is applied
// and converges: SIGKILLs of the operator at random moments (each followed by a new operator
// process), a kube-apiserver restart, an etcd restart, kube-apiserver stopped (SIGSTOP) for 20 s,
// and the admission webhook unreachable for 30 s (the operator stopped), during which an
// activation is created, which must be refused, not admitted. Then both end states are compared
// object by object: tenants, activations, catalog status, namespaces and every object the
// operator renders. Prints what it counted; exits 1 when anything differs, is lost or is left,
// and without waiting for convergence when a part of the control plane has died. An operator
// that exits on its own is started again (as its pod would be) and counted.
//
//   CHAOS_TENANTS=30   municipalities (five activations each)
//   CHAOS_KILLS=20     SIGKILLs of the operator
//   CHAOS_NODES=2      kwok nodes
//   CHAOS_SEED=<n>     the random moments (printed, so that a run can be repeated)
//   CHAOS_OUT=bench/results  where the JSON and the operator logs go
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAlreadyExists } from "../operator/src/kube/api-error.ts";
import { ApiError } from "../operator/src/kube/rest-client.ts";
import { ControlPlane } from "../test/controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../test/support/clients.ts";
import { applyManifests, installCrds, installPolicies } from "../test/support/cluster.ts";
import { readManifests } from "../test/support/manifests.ts";
import { extraRevisions, isReady, type Obj, snapshot, unconverged } from "./chaos-state.ts";
import { FLEET_BLOCKS, fleetActivations, fleetTenant, tenantName } from "./fleet-spec.ts";
import { answerHelp } from "./help.ts";
import { OPERATOR_FLAGS, SupervisedOperator } from "./operator-process.ts";
import { pool } from "./pool.ts";
import { machine, machineLine } from "./process-stats.ts";

answerHelp(import.meta.url);

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const TENANTS = Number(process.env.CHAOS_TENANTS ?? 30);
const KILLS = Number(process.env.CHAOS_KILLS ?? 20);
const NODES = Number(process.env.CHAOS_NODES ?? 2);
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const OUT = process.env.CHAOS_OUT ?? "bench/results";
const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (what: string) => console.error(`[chaos] ${what}`);

/** mulberry32: the same seed gives the same moments. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Retries a request through outages (connection refused, 5xx, a refused webhook) until it is answered. */
async function persist<T>(what: string, request: () => Promise<T>, ok: (err: ApiError) => boolean = () => false) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (err instanceof ApiError && ok(err)) return undefined;
      if (err instanceof ApiError && err.code < 500 && !/webhook|quota|connection|timeout/i.test(err.message))
        throw new Error(`${what}: ${err.message}`);
      if (attempt > 600) throw new Error(`${what}: still failing after 600 attempts: ${String(err)}`);
      await sleep(500);
    }
  }
}

/** The workload, the same in both runs: create, wait for each tenant, activate, then remove some. */
async function workload(c: CountingClient): Promise<void> {
  const indices = Array.from({ length: TENANTS }, (_, i) => i);
  await pool(indices, 16, async (i) => {
    await persist(
      `tenant ${tenantName(i)}`,
      () => c.client.request("POST", `${API}/municipaltenants`, { body: fleetTenant(i) }),
      isAlreadyExists,
    );
  });
  await pool(indices, 16, async (i) => {
    // As a municipality would: once its tenant is Ready.
    for (;;) {
      const t = await persist(`tenant ${tenantName(i)}`, () =>
        c.client.request<Obj>("GET", `${API}/municipaltenants/${tenantName(i)}`),
      );
      if (isReady(t)) break;
      await sleep(250);
    }
    for (const a of fleetActivations(i)) {
      await persist(
        `activation ${tenantName(i)}/${a.metadata.name}`,
        () => c.client.request("POST", `${API}/namespaces/${tenantName(i)}/blockactivations`, { body: a }),
        // Not every 409: the quota admission's conflict on the namespace's quota created nothing.
        isAlreadyExists,
      );
    }
  });
  const removed = indices.filter((i) => i % 5 === 0);
  await pool(removed, 8, (i) =>
    persist(
      `delete ${tenantName(i)}/uitlegbaarheid`,
      () => c.client.request("DELETE", `${API}/namespaces/${tenantName(i)}/blockactivations/uitlegbaarheid`),
      (e) => e.code === 404,
    ),
  );
  await persist(
    `delete tenant ${tenantName(TENANTS - 1)}`,
    () => c.client.request("DELETE", `${API}/municipaltenants/${tenantName(TENANTS - 1)}`),
    (e) => e.code === 404,
  );
}

interface Faults {
  kills: number;
  apiServerRestarts: number;
  etcdRestarts: number;
  apiServerStalls: number;
  webhookOutages: number;
  /** Creates sent while the webhook was unreachable, and how many of them the API server admitted. */
  sentDuringOutage: number;
  admittedDuringOutage: number;
}

async function run(chaos: boolean) {
  const cp = await ControlPlane.start({ nodes: NODES, timeoutMs: 180_000 });
  const c = await countingClient({ file: cp.kubeconfigPath });
  const logFile = (n: number) => `${OUT}/operator-chaos-${chaos ? "faults" : "clean"}-${stamp}-${n}.log`;
  const operator = new SupervisedOperator(cp.kubeconfigPath, logFile, say);
  await installCrds(c);
  await installPolicies(c);
  await applyManifests(c, readManifests("examples/catalog"));
  await operator.start();
  const faults: Faults = {
    kills: 0,
    apiServerRestarts: 0,
    etcdRestarts: 0,
    apiServerStalls: 0,
    webhookOutages: 0,
    sentDuringOutage: 0,
    admittedDuringOutage: 0,
  };
  const started = performance.now();
  const work = workload(c);
  if (chaos) {
    const next = random(SEED);
    for (let k = 1; k <= KILLS; k++) {
      await sleep(500 + next() * 3000);
      await operator.kill();
      faults.kills++;
      // The other faults, spread over the kills.
      if (k === Math.ceil(KILLS / 5)) {
        say("kube-apiserver restart");
        await cp.stopApiServer();
        await cp.startApiServer();
        faults.apiServerRestarts++;
      } else if (k === Math.ceil((2 * KILLS) / 5)) {
        say("etcd restart");
        await cp.restartEtcd();
        faults.etcdRestarts++;
      } else if (k === Math.ceil((3 * KILLS) / 5)) {
        say("kube-apiserver stopped for 20 s");
        const pid = cp.pids().get("kube-apiserver") as number;
        process.kill(pid, "SIGSTOP");
        await sleep(20_000);
        process.kill(pid, "SIGCONT");
        faults.apiServerStalls++;
      } else if (k === Math.ceil((4 * KILLS) / 5)) {
        say("admission webhook unreachable for 30 s");
        const pid = operator.pid;
        process.kill(pid, "SIGSTOP");
        const outageEnds = performance.now() + 30_000;
        while (performance.now() < outageEnds) {
          // Would be refused by the webhook anyway (a parameter the block does not define); the
          // point is that with the webhook down nothing is admitted unchecked.
          faults.sentDuringOutage++;
          try {
            await c.client.request("POST", `${API}/namespaces/${tenantName(0)}/blockactivations`, {
              body: {
                apiVersion: "aihub.gemeenten.nl/v1alpha1",
                kind: "BlockActivation",
                metadata: { name: `ongecontroleerd-${faults.sentDuringOutage}` },
                spec: { block: "transcriptie", channel: "stable", parameters: { nietBestaand: true } },
              },
            });
            faults.admittedDuringOutage++;
          } catch {
            // refused (webhook unreachable, failurePolicy Fail) or API server busy: not admitted
          }
          await sleep(2000);
        }
        process.kill(pid, "SIGCONT");
        faults.webhookOutages++;
      }
    }
  }
  await work;
  const workloadSeconds = (performance.now() - started) / 1000;
  for (let left = ""; ; await sleep(1000)) {
    left = await unconverged(c, TENANTS).catch((err: Error) => `the API server: ${err.message}`);
    if (!left) break;
    // A part of the control plane that died does not come back: say which, at once.
    const dead = cp.exited();
    if (dead.length)
      throw new Error(
        `the fleet cannot converge: ${dead.map((d) => `${d.name} ended (${d.ended}); the end of its log:\n${d.log}`).join("\n")}\nwhat is left: ${left}`,
      );
    if (performance.now() - started > 1_800_000) {
      // CI keeps only what is printed: the last operator's last complaints.
      const complaints = readFileSync(logFile(operator.starts - 1), "utf8")
        .split("\n")
        .filter((l) => /"level":"(warn|error)"/.test(l))
        .slice(-10);
      for (const l of complaints) say(`operator: ${l.slice(0, 400)}`);
      throw new Error(
        `the fleet did not converge in 30 minutes (operator logs: ${logFile(0)} to ${logFile(operator.starts - 1)}): ${left}`,
      );
    }
  }
  const convergedSeconds = (performance.now() - started) / 1000;
  const state = await snapshot(c);
  const revisions = await extraRevisions(c);
  await operator.stop();
  c.client.close();
  await cp.stop();
  return {
    faults,
    state,
    revisions,
    workloadSeconds,
    convergedSeconds,
    operatorStarts: operator.starts,
    ownExits: operator.ownExits.length,
  };
}

mkdirSync(OUT, { recursive: true });
say(`seed ${SEED}; clean run with ${TENANTS} municipalities`);
const clean = await run(false);
say(`clean run converged in ${clean.convergedSeconds.toFixed(1)} s; now with faults`);
const faulty = await run(true);

const lost = [...clean.state.keys()].filter((k) => !faulty.state.has(k));
const extra = [...faulty.state.keys()].filter((k) => !clean.state.has(k));
const differing = [...clean.state.keys()].filter(
  (k) => faulty.state.has(k) && faulty.state.get(k) !== clean.state.get(k),
);
const byKind = (keys: string[]) =>
  Object.entries(
    keys.reduce<Record<string, number>>((acc, k) => {
      const kind = k.split("/")[0] as string;
      acc[kind] = (acc[kind] ?? 0) + 1;
      return acc;
    }, {}),
  )
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");

const f = faulty.faults;
const rows: [string, string | number][] = [
  ["machine", machineLine(machine())],
  ["operator flags", OPERATOR_FLAGS.join(" ")],
  [
    "municipalities / activations created / removed",
    `${TENANTS} / ${TENANTS * FLEET_BLOCKS.length} / ${Math.ceil(TENANTS / 5)} activations and 1 municipality`,
  ],
  ["seed", SEED],
  ["operator SIGKILLs survived", f.kills],
  [
    "operator exits on its own, started again as its pod would be (clean / faults)",
    `${clean.ownExits} / ${faulty.ownExits}`,
  ],
  [
    "kube-apiserver restarts / etcd restarts / 20 s API server stalls survived",
    `${f.apiServerRestarts} / ${f.etcdRestarts} / ${f.apiServerStalls}`,
  ],
  [
    "webhook outages of 30 s: creates sent / admitted",
    `${f.webhookOutages}: ${f.sentDuringOutage} / ${f.admittedDuringOutage}`,
  ],
  ["objects compared (clean run)", `${clean.state.size} (${byKind([...clean.state.keys()])})`],
  ["objects lost", lost.length],
  ["objects duplicated or left behind", extra.length],
  ["objects that differ from the clean run", differing.length],
  ["extra StatefulSet revisions (clean / faults)", `${clean.revisions} / ${faulty.revisions}`],
  [
    "converged after (s), clean / faults",
    `${clean.convergedSeconds.toFixed(1)} / ${faulty.convergedSeconds.toFixed(1)}`,
  ],
];
console.log("| chaos | |\n|---|---|");
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
for (const [what, keys] of [
  ["lost", lost],
  ["extra", extra],
  ["differing", differing],
] as const) {
  for (const k of keys.slice(0, 10)) console.log(`${what}: ${k}`);
}
const file = `${OUT}/chaos-${stamp}.json`;
writeFileSync(
  file,
  JSON.stringify(
    {
      seed: SEED,
      tenants: TENANTS,
      faults: f,
      compared: clean.state.size,
      lost,
      extra,
      differing: differing.map((k) => ({ key: k, clean: clean.state.get(k), faults: faulty.state.get(k) })),
      revisions: { clean: clean.revisions, faults: faulty.revisions },
      seconds: { clean: clean.convergedSeconds, faults: faulty.convergedSeconds },
      ownExits: { clean: clean.ownExits, faults: faulty.ownExits },
    },
    null,
    2,
  ),
);
console.log(`\nJSON: ${file}`);
if (lost.length || extra.length || differing.length || f.admittedDuringOutage) process.exit(1);
