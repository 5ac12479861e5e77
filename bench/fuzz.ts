// make fuzz: differential fuzzing of the aihub API against a real API server of its own (etcd and
// kube-apiserver; no controller manager, no webhook). Random objects of the three kinds, near the
// examples (examples/catalog, tenants, activations, with sections added and fields changed), go to
// the zod schemas the reconcilers parse with and to the API server as server-side dry-run
// creates; random quantities go to canonicalQuantity and to the API server in a dry-run
// ResourceQuota (test/support/fuzz.ts). Prints per kind the cases, how many the API server
// accepted and refused, and the disagreements: server-only (the API server accepts what the
// operator cannot reconcile), operator-only (zod accepts what the API server refuses), view (the
// operator reads something else than is stored), and apart from them what only the admission
// webhook refuses (a block's parameter default, which CEL cannot see). Then the quantities, each
// disagreement spelled out, and the machine. Exits 1 when there is a disagreement.
//
//   FUZZ_RUNS=3000          objects, a third of each kind
//   FUZZ_QUANTITIES=10000   quantities
//   FUZZ_SEED=<n>           the seed; default random, printed so that a run can be repeated
//   FUZZ_CONCURRENCY=8      dry-run requests at a time
//   FUZZ_SHOW=20            disagreements spelled out at most
import { ControlPlane } from "../test/controlplane/control-plane.ts";
import { countingClient } from "../test/support/clients.ts";
import { ensureTenantNamespace, installCrds } from "../test/support/cluster.ts";
import {
  DISAGREEMENTS,
  describeFinding,
  disagreements,
  FUZZ_KINDS,
  fuzzObjects,
  fuzzQuantities,
  type KindFigures,
  summaryLine,
  total,
} from "../test/support/fuzz.ts";
import { answerHelp } from "./help.ts";
import { machine, machineLine } from "./process-stats.ts";

answerHelp(import.meta.url);

const count = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${raw}: expected a whole number of 0 or more`);
  return n;
};
const RUNS = count("FUZZ_RUNS", 3000);
const QUANTITIES = count("FUZZ_QUANTITIES", 10_000);
const SEED = count("FUZZ_SEED", Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = Math.max(1, count("FUZZ_CONCURRENCY", 8));
const SHOW = count("FUZZ_SHOW", 20);

console.log(`make fuzz: ${RUNS} objects and ${QUANTITIES} quantities from seed ${SEED} (FUZZ_SEED=${SEED} repeats it)`);
const started = performance.now();
const cp = await ControlPlane.start({ controllerManager: false });
let failed = false;
try {
  const c = await countingClient({ file: cp.kubeconfigPath });
  const version = await c.client.request<{ gitVersion: string }>("GET", "/version");
  await installCrds(c);
  const namespace = "fuzz";
  await ensureTenantNamespace(c, namespace);
  const target = { client: c.client, paths: c.paths, namespace };
  const setup = (performance.now() - started) / 1000;

  const objects = await fuzzObjects(target, { runs: RUNS, seed: SEED, concurrency: CONCURRENCY });
  const quantities = await fuzzQuantities(target, { runs: QUANTITIES, seed: SEED, concurrency: CONCURRENCY });
  c.client.close();

  const row = (name: string, f: Pick<KindFigures, "cases" | "accepted" | "refused" | "verdicts">) =>
    `| ${name} | ${f.cases} | ${f.accepted} | ${f.refused} | ${f.verdicts.agreeAccepted + f.verdicts.agreePruned} | ${f.verdicts.agreeRefused} | ${f.verdicts.serverOnly} | ${f.verdicts.operatorOnly} | ${f.verdicts.view} | ${f.verdicts.throws} | ${f.verdicts.webhookOnly} |`;
  const sum = {
    cases: total(objects, (k) => k.cases),
    accepted: total(objects, (k) => k.accepted),
    refused: total(objects, (k) => k.refused),
    verdicts: Object.fromEntries(
      Object.keys(objects.byKind.MunicipalTenant.verdicts).map((v) => [
        v,
        total(objects, (k) => k.verdicts[v as keyof KindFigures["verdicts"]]),
      ]),
    ) as KindFigures["verdicts"],
  };
  const found = disagreements(objects);
  console.log("");
  console.log(
    "| kind | cases | API server accepts | API server refuses | both accept | both refuse | server only | operator only | view | zod threw | webhook only |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const kind of FUZZ_KINDS) console.log(row(kind, objects.byKind[kind]));
  console.log(row("all", sum));
  console.log("");
  console.log(
    `quantities: ${quantities.compared} compared with the API server, ${quantities.differ.length} differ from canonicalQuantity, ${quantities.refused.length} refused`,
  );
  console.log(
    `time: ${setup.toFixed(1)} s control plane and CRDs, ${objects.seconds.toFixed(1)} s objects (${(sum.cases / objects.seconds).toFixed(0)}/s), ${quantities.seconds.toFixed(1)} s quantities; ${CONCURRENCY} requests at a time`,
  );
  console.log(`kube-apiserver ${version.gitVersion}; ${machineLine(machine())}`);
  console.log(summaryLine(objects, quantities));
  if (found.length || quantities.differ.length || quantities.refused.length) {
    failed = true;
    console.log(
      `\n${found.length} disagreements (${DISAGREEMENTS.join(", ")}); the first ${Math.min(SHOW, found.length)}:`,
    );
    for (const j of found.slice(0, SHOW)) console.log(`\n${describeFinding(j)}`);
    for (const d of quantities.differ.slice(0, SHOW))
      console.log(`quantity ${d.quantity}: API server ${d.server}, canonicalQuantity ${d.ours}`);
    for (const q of quantities.refused.slice(0, SHOW)) console.log(`quantity ${q}: refused by the API server`);
  }
} finally {
  await cp.stop();
}
process.exit(failed ? 1 : 0);
