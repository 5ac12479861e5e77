// Every example applies to the real API server, which fills in the documented defaults.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { KubeObject as KubernetesObject } from "../../operator/src/kube/object.ts";
import type { ObjectRef } from "../../operator/src/kube/resource-paths.ts";
import { applyManifests, type Cluster, connect, EXAMPLE_FOLDERS, installCrds } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";

const run = promisify(execFile);
type Served = KubernetesObject & { spec: Record<string, unknown> };

let cluster: Cluster;
let applied: Served[];

beforeAll(async () => {
  cluster = await connect(inject("kubeconfig"));
  await installCrds(cluster);
  applied = (await applyManifests(cluster, readManifests(...EXAMPLE_FOLDERS))) as Served[];
});

afterAll(() => cluster?.client.close());

const find = (kind: string, name: string) => {
  const o = applied.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind}/${name} was not applied`);
  return o;
};

describe("examples/", () => {
  it("apply in full: a catalog of five blocks, three tenants and their activations", async () => {
    const manifests = readManifests(...EXAMPLE_FOLDERS) as (Served & ObjectRef)[];
    const served: Served[] = [];
    for (const m of manifests) served.push(await cluster.client.request<Served>("GET", await cluster.paths.pathOf(m)));
    const ofKind = (kind: string) => served.filter((o) => o.kind === kind);
    expect(ofKind("AIBuildingBlock")).toHaveLength(5);
    expect(ofKind("MunicipalTenant")).toHaveLength(3);
    // Their activations: each in the namespace of one of these tenants.
    const tenants = ofKind("MunicipalTenant").map((t) => t.metadata?.name);
    expect(ofKind("BlockActivation").length).toBeGreaterThan(0);
    for (const a of ofKind("BlockActivation")) expect(tenants, a.metadata?.name).toContain(a.metadata?.namespace);
    // Served as written: the API server kept every field that an example sets, with its value.
    for (const [i, m] of manifests.entries())
      expect(served[i]?.spec, `${m.kind}/${m.metadata?.name}`).toMatchObject(m.spec);
  });

  it("get the defaults that the schema documents, filled in by the API server", () => {
    const steenwijkerland = find("MunicipalTenant", "steenwijkerland").spec;
    expect(steenwijkerland.deletionProtection).toBe(true);
    expect(steenwijkerland.rolloutRing).toBe("general");
    const utrecht = find("MunicipalTenant", "utrecht").spec;
    const egress = utrecht.egress as { ports: { protocol: string }[] }[];
    expect(egress[0]?.ports[0]?.protocol).toBe("TCP");
    const explain = find("BlockActivation", "uitlegbaarheid").spec;
    expect(explain.updatePolicy).toBe("Automatic");
    expect(explain.replicas).toBe(1);
    const intake = find("AIBuildingBlock", "bezwaar-intake").spec;
    expect(
      (intake.parameters as { name: string; required: boolean }[]).find((p) => p.name === "language")?.required,
    ).toBe(false);
  });

  it("are listed by kubectl through the aihub category, with printer columns", async () => {
    const env = { ...process.env, KUBECONFIG: inject("kubeconfig") };
    const { stdout } = await run("kubectl", ["get", "aihub", "--all-namespaces"], { env });
    expect(stdout).toContain("municipaltenant.aihub.gemeenten.nl/utrecht");
    expect(stdout).toContain("aibuildingblock.aihub.gemeenten.nl/bezwaar-intake");
    expect(stdout).toContain("blockactivation.aihub.gemeenten.nl/pseudonimisering");
    const tenants = await run("kubectl", ["get", "mt"], { env });
    expect(tenants.stdout).toMatch(/NAME\s+CODE\s+MUNICIPALITY\s+RING/);
    expect(tenants.stdout).toMatch(/utrecht\s+GM0344\s+Utrecht\s+early/);
  });
});
