// make bench-create: what kube-apiserver spends on a new child object, by the way it is
// written. The fleet's activations are rendered by aihub's renderers; in each round one batch of
// activations gets its children by a create (POST) and another by a read and a server-side apply
// (what aihub does for a child it has not cached), in alternating order, on one fresh API server
// without kube-controller-manager. The rounds alternate so that a machine whose speed drifts
// weighs on both alike. Prints kube-apiserver's CPU milliseconds per object for each way, from
// /proc; asserts nothing.
//
// BENCH_ROUNDS (default 8) rounds, BENCH_ACTIVATIONS (default 40) activations per way and round,
// BENCH_CONCURRENCY (default 16) requests at a time.
import { pino } from "pino";
import { type AIBuildingBlock, aiBuildingBlock } from "../operator/src/api/v1alpha1/index.ts";
import { isConflict, isNotFound } from "../operator/src/kube/api-error.ts";
import { serverSideApply, withAppliedHash } from "../operator/src/kube/apply.ts";
import { ControlPlane } from "../test/controlplane/control-plane.ts";
import { countingClient } from "../test/support/clients.ts";
import { readManifests } from "../test/support/manifests.ts";
import { type Rendered, renderFleet } from "./fleet-render.ts";
import { answerHelp } from "./help.ts";
import { pool } from "./pool.ts";
import { cpuSeconds, machine, machineLine } from "./process-stats.ts";

answerHelp(import.meta.url);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const PER_WAY = Number(process.env.BENCH_ACTIVATIONS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const MANAGER = "aihub-activation";
const log = pino({ level: "info" });

const catalog = readManifests("examples/catalog");
const blocks = new Map(catalog.map((b) => [b.metadata?.name ?? "", aiBuildingBlock.parse(b) as AIBuildingBlock]));
const fleet = renderFleet(Math.ceil((ROUNDS * 2 * PER_WAY) / 5), blocks);

const cp = await ControlPlane.start({ controllerManager: false });
try {
  const c = await countingClient({ file: cp.kubeconfigPath });
  const apiServer = cp.pids().get("kube-apiserver");
  if (!apiServer) throw new Error("kube-apiserver is not running");
  await pool(fleet.tenants, CONCURRENCY, (t) => c.client.request("POST", "/api/v1/namespaces", { body: t.namespace }));

  const ways: Record<string, (o: Rendered) => Promise<unknown>> = {
    create: async (o) => {
      const stamped = withAppliedHash(o);
      await c.client.request("POST", await c.paths.collectionPathOf(stamped), {
        body: stamped,
        query: { fieldManager: MANAGER, fieldValidation: "Strict" },
      });
    },
    "read and apply": async (o) => {
      await c.client
        .request("GET", await c.paths.pathOf(o), { query: { resourceVersion: "0" } })
        .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      await serverSideApply(c.client, c.paths, withAppliedHash(o), { fieldManager: MANAGER });
    },
  };
  const spent = Object.fromEntries(Object.keys(ways).map((w) => [w, { objects: 0, cpu: [] as number[] }]));
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.keys(ways) : Object.keys(ways).reverse();
    for (const way of order) {
      const objects = fleet.activations.slice(next, next + PER_WAY).flatMap((a) => a.objects);
      next += PER_WAY;
      const before = cpuSeconds(apiServer);
      await pool(objects, CONCURRENCY, (o) =>
        (ways[way] as (o: Rendered) => Promise<unknown>)(o).catch((err) =>
          isConflict(err) ? undefined : Promise.reject(err),
        ),
      );
      const entry = spent[way] as { objects: number; cpu: number[] };
      entry.objects += objects.length;
      entry.cpu.push(((cpuSeconds(apiServer) - before) * 1000) / objects.length);
    }
  }
  const kinds = [...new Set(fleet.activations[0]?.objects.map((o) => o.kind))].join(", ");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`
## A new child object: create or read and apply (${new Date().toISOString()})

${machineLine(machine())}; ${ROUNDS} rounds of ${PER_WAY} activations per way (children: ${kinds}), ${CONCURRENCY} at a time

| way | objects | kube-apiserver CPU ms per object, mean | per round (min to max) |
| --- | ---: | ---: | ---: |
${Object.entries(spent)
  .map(
    ([way, s]) =>
      `| ${way} | ${s.objects} | ${mean(s.cpu).toFixed(2)} | ${Math.min(...s.cpu).toFixed(2)} to ${Math.max(...s.cpu).toFixed(2)} |`,
  )
  .join("\n")}
`);
  c.client.close();
} catch (err) {
  log.error({ err }, "benchmark failed");
  process.exitCode = 1;
} finally {
  await cp.stop();
}
