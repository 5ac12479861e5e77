// Platform as code (cdk/): the example fleet that `node cdk/fleet/main.ts` synthesises from its CSV
// with the constructs generated from crds/ is accepted by the real API server (server-side apply,
// strict field validation), again without a change, and by the kubectl commands its --help
// documents; a bad fleet is stopped by the app before anything is applied, or by the API server
// with the field named. A control plane of its own: the fleet's tenants (amsterdam, utrecht, ...)
// are the examples' too, and other files run operators that reconcile every tenant.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { App, Chart, JsonPatch, Testing } from "cdk8s";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMunicipalities } from "../../cdk/fleet/municipalities.ts";
import { MunicipalTenant } from "../../cdk/src/imports/aihub.gemeenten.nl.ts";
import { isNotFound } from "../../operator/src/kube/api-error.ts";
import { serverSideApply } from "../../operator/src/kube/apply.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import type { ObjectRef } from "../../operator/src/kube/resource-paths.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { applyManifests, type Cluster, connect, installCrds } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";
import { rejection } from "../support/rejection.ts";

const run = promisify(execFile);
const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const SHIPPED = "cdk/fleet/municipalities.csv";
const FLEET_SELECTOR = "app.kubernetes.io/managed-by=aihub-fleet";

type Served = KubeObject & ObjectRef & { spec: Record<string, unknown> };

let cp: ControlPlane;
let cluster: Cluster;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "aihub-pac-"));
  cp = await ControlPlane.start({ controllerManager: false });
  cluster = await connect(cp.kubeconfigPath);
  await installCrds(cluster);
});

afterAll(async () => {
  cluster?.client.close();
  await cp?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs the fleet app as `make fleet` does, into `out`. */
const synthesise = (csv: string, out: string) =>
  spawnSync(process.execPath, ["cdk/fleet/main.ts", "--csv", csv, "--out", out], { encoding: "utf8" });

const get = (m: ObjectRef) => cluster.paths.pathOf(m).then((path) => cluster.client.request<Served>("GET", path));
const list = (plural: string) =>
  cluster.client.request<{ items: Served[] }>("GET", `${API}/${plural}`, { query: { labelSelector: FLEET_SELECTOR } });

/** A tenant that is not in the example fleet (Amersfoort, GM0307). */
const amersfoort = () => ({
  metadata: { name: "amersfoort" },
  spec: { municipalityCode: "GM0307", displayName: "Amersfoort" },
});

const fleet = parseMunicipalities(readFileSync(SHIPPED, "utf8"), SHIPPED);
const activationCount = fleet.reduce((n, m) => n + m.activations.length, 0);

describe("the example fleet (cdk/fleet)", () => {
  let applied: Served[];

  it("is synthesised from its CSV and accepted by server-side apply with strict field validation, as written", async () => {
    const out = join(tmp, "fleet");
    const r = synthesise(SHIPPED, out);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["0000-tenants.k8s.yaml", "0001-activations.k8s.yaml"]);
    const manifests = readManifests(out) as Served[];
    // Tenants first, then the activations in their namespaces.
    expect(manifests.map((m) => m.kind)).toEqual([
      ...fleet.map(() => "MunicipalTenant"),
      ...Array.from({ length: activationCount }, () => "BlockActivation"),
    ]);
    // No operator runs here: applyManifests makes each activation's namespace, as the operator would.
    applied = (await applyManifests(cluster, manifests)) as Served[];
    for (const m of manifests) {
      const served = await get(m);
      expect(served.spec, `${m.kind} ${m.metadata.namespace ?? ""}/${m.metadata.name}`).toMatchObject(m.spec);
      expect(served.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "aihub-fleet" });
    }
    const tenants = (await list("municipaltenants")).items;
    expect(tenants.map((t) => t.spec.municipalityCode).sort()).toEqual(fleet.map((m) => m.code).sort());
    // The API server's defaults fill in what the fleet leaves out.
    for (const t of tenants) expect(t.spec.deletionProtection, t.metadata.name).toBe(true);
    expect(tenants.find((t) => t.metadata.name === "steenwijkerland")?.spec.rolloutRing).toBe("general");
    const activations = (await list("blockactivations")).items;
    expect(activations).toHaveLength(activationCount);
    for (const a of activations) expect(a.spec.replicas, `${a.metadata.namespace}/${a.metadata.name}`).toBe(1);
  });

  it("is applied again from a new synthesis without a change to any object", async () => {
    expect(applied, "the first test applied the fleet").toBeDefined();
    const out = join(tmp, "again");
    expect(synthesise(SHIPPED, out).status).toBe(0);
    const again = (await applyManifests(cluster, readManifests(out))) as Served[];
    expect(again.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)).toEqual(
      applied.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`),
    );
  });

  it("is applied by the kubectl commands that `node cdk/fleet/main.ts --help` documents", async () => {
    const out = join(tmp, "kubectl");
    expect(synthesise(SHIPPED, out).status).toBe(0);
    const env = { ...process.env, KUBECONFIG: cp.kubeconfigPath };
    // As documented: kubectl's own field manager, which comes to share the fields (same values).
    const apply = (file: string) => run("kubectl", ["apply", "--server-side", "-f", join(out, file)], { env });
    const tenants = await apply("0000-tenants.k8s.yaml");
    expect(tenants.stdout).toContain("municipaltenant.aihub.gemeenten.nl/s-gravenhage serverside-applied");
    expect(tenants.stdout.trim().split("\n")).toHaveLength(fleet.length);
    const activations = await apply("0001-activations.k8s.yaml");
    expect(activations.stdout).toContain("blockactivation.aihub.gemeenten.nl/transcriptie serverside-applied");
    expect(activations.stdout.trim().split("\n")).toHaveLength(activationCount);
  });
});

describe("a bad fleet", () => {
  it("with a ring out of range is refused by the app, naming line and column, before anything is applied", async () => {
    const csv = join(tmp, "ring.csv");
    writeFileSync(csv, "code,name,ring,activations\nGM0355,Zeist,general,uitlegbaarheid\nGM0307,Amersfoort,beta,\n");
    const out = join(tmp, "ring");
    const r = synthesise(csv, out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `${csv}: line 3, column 3 (ring): "beta" is not a rollout ring: use canary, early or general`,
    );
    expect(() => readdirSync(out)).toThrow(/ENOENT/);
    // Not even the good line's tenant exists: the file is refused as a whole.
    for (const name of ["zeist", "amersfoort"]) {
      const err = await cluster.client.request("GET", `${API}/municipaltenants/${name}`).catch((e: unknown) => e);
      expect(isNotFound(err), `${name}: ${String(err)}`).toBe(true);
    }
  });

  it("with a ring out of range that bypasses the app is refused by the API server, naming the field", async () => {
    // What the types stop: the constructs accept only canary, early and general.
    const props = amersfoort();
    const tenant = MunicipalTenant.manifest({ ...props, spec: { ...props.spec, rolloutRing: "beta" as "general" } });
    const err = await rejection(serverSideApply(cluster.client, cluster.paths, tenant, { fieldManager: "e2e-pac" }));
    expect(err.message).toMatch(
      /spec\.rolloutRing: Unsupported value: "beta": supported values: "canary", "early", "general"/,
    );
  });

  it("with a field the CRD does not have, added through cdk8s' escape hatch, is refused naming the field", async () => {
    const chart = new Chart(new App(), "typo");
    const tenant = new MunicipalTenant(chart, "amersfoort", amersfoort());
    tenant.addJsonPatch(JsonPatch.add("/spec/rolloutRings", "early"));
    const [manifest] = Testing.synth(chart) as Served[];
    expect(manifest?.spec).toMatchObject({ rolloutRings: "early" });
    const options = { fieldManager: "e2e-pac" };
    const err = await rejection(serverSideApply(cluster.client, cluster.paths, manifest as Served, options));
    expect(err.message).toContain(".spec.rolloutRings: field not declared in schema");
    // Without the patch the same tenant is accepted: the refusal was the typo's.
    const accepted = await serverSideApply(
      cluster.client,
      cluster.paths,
      MunicipalTenant.manifest(amersfoort()),
      options,
    );
    expect(accepted.metadata?.name).toBe("amersfoort");
  });
});
