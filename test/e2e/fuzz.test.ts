// Differential fuzzing against the real API server (test/support/fuzz.ts): random objects of the
// three kinds near the examples go to the zod schemas the reconcilers parse with and to the API
// server as dry-run creates; random quantities go to canonicalQuantity and to the API server in
// a ResourceQuota. Every object the API server accepts must be one the operator reads as stored,
// and every quantity must come back as canonicalQuantity says. A fixed seed for what CI checks,
// and a random one (printed; FUZZ_SEED=<n> repeats it) for what it has not seen yet. `make fuzz`
// runs thousands.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { ensureTenantNamespace, installCrds } from "../support/cluster.ts";
import {
  describeFinding,
  disagreements,
  FUZZ_KINDS,
  type FuzzTarget,
  fuzzObjects,
  fuzzQuantities,
  summaryLine,
} from "../support/fuzz.ts";

const NS = "e2e-fuzz";
const FIXED_SEED = 20261001;
const RANDOM_SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let admin: CountingClient;
let target: FuzzTarget;

beforeAll(async () => {
  admin = await countingClient({ file: inject("kubeconfig") });
  await installCrds(admin);
  await ensureTenantNamespace(admin, NS);
  target = { client: admin.client, paths: admin.paths, namespace: NS };
});

afterAll(() => admin?.client.close());

/** Fails with every disagreement spelled out: what was done to which example, and both answers. */
function expectAgreement(report: Awaited<ReturnType<typeof fuzzObjects>>) {
  const found = disagreements(report);
  expect(found.map(describeFinding).join("\n\n"), `seed ${report.seed}`).toBe("");
}

describe("the zod schemas and the API server", () => {
  it("see no admission webhook for the aihub kinds here, which would answer for the API server", async () => {
    const hooks = await admin.client.request<{ items: { webhooks?: { rules?: { apiGroups?: string[] }[] }[] }[] }>(
      "GET",
      "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
    );
    const ours = hooks.items.filter((h) =>
      (h.webhooks ?? []).some((w) => (w.rules ?? []).some((r) => r.apiGroups?.includes("aihub.gemeenten.nl"))),
    );
    expect(ours).toEqual([]);
  });

  it(`agree on 450 objects from seed ${FIXED_SEED}, with accepted and refused ones of every kind`, async () => {
    const report = await fuzzObjects(target, { runs: 450, seed: FIXED_SEED, concurrency: 4 });
    console.log(`${summaryLine(report)} (${report.seconds.toFixed(1)} s)`);
    expectAgreement(report);
    for (const kind of FUZZ_KINDS) {
      const f = report.byKind[kind];
      expect(f.cases).toBe(150);
      // Both sides of the boundary in meaningful numbers, so that the agreement means something.
      expect(f.accepted, `${kind} accepted`).toBeGreaterThanOrEqual(30);
      expect(f.refused, `${kind} refused`).toBeGreaterThanOrEqual(30);
    }
    // What only the webhook refuses is a block's parameter default, which CEL cannot see.
    for (const j of report.findings.filter((x) => x.verdict === "webhookOnly")) {
      expect(j.case.kind).toBe("AIBuildingBlock");
      for (const i of j.issues ?? [])
        expect(i.path.slice(0, 1).concat(i.path.slice(2))).toEqual(["parameters", "default"]);
    }
  });

  it(`agree on 150 objects from the random seed ${RANDOM_SEED} (FUZZ_SEED=${RANDOM_SEED} repeats it)`, async () => {
    const report = await fuzzObjects(target, { runs: 150, seed: RANDOM_SEED, concurrency: 4 });
    console.log(`${summaryLine(report)} (${report.seconds.toFixed(1)} s)`);
    expectAgreement(report);
  });
});

describe("canonicalQuantity and the API server", () => {
  it.each([
    ["fixed", FIXED_SEED, 2000],
    ["random", RANDOM_SEED, 1000],
  ])("write the same quantities, %s seed %i", async (_, seed, runs) => {
    const report = await fuzzQuantities(target, { runs, seed, concurrency: 4 });
    console.log(
      `quantities seed ${seed}: ${report.compared} compared, ${report.differ.length} differ, ${report.refused.length} refused (${report.seconds.toFixed(1)} s)`,
    );
    expect(report.refused).toEqual([]);
    expect(report.differ).toEqual([]);
    expect(report.compared).toBe(runs);
  });
});
