// The generated CRDs on a real API server: Established, discoverable, and explained.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kinds } from "../../operator/src/api/v1alpha1/index.ts";
import { type Cluster, connect, installCrds, waitUntil } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";

const run = promisify(execFile);

type SchemaNode = {
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
};

/** Every described field under spec, as [path, description]. */
function describedFields(node: SchemaNode, path: string): [string, string][] {
  const here: [string, string][] = node.description ? [[path, node.description]] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([k, v]) => describedFields(v, `${path}.${k}`));
  const items = node.items ? describedFields({ ...node.items, description: undefined }, path) : [];
  return [...here, ...children, ...items];
}

let cluster: Cluster;

beforeAll(async () => {
  cluster = await connect(inject("kubeconfig"));
  await installCrds(cluster);
});

afterAll(() => cluster?.client.close());

type OpenApiDoc = { components: { schemas: Record<string, SchemaNode> } };

/** The group's OpenAPI v3 document, once the API server has published all three kinds (it does so asynchronously). */
const servedOpenApi = () =>
  waitUntil("the OpenAPI v3 schema of aihub.gemeenten.nl/v1alpha1", async () => {
    const doc = await cluster.client.request<OpenApiDoc>("GET", "/openapi/v3/apis/aihub.gemeenten.nl/v1alpha1");
    const published = kinds.every((k) => doc.components.schemas[`nl.gemeenten.aihub.v1alpha1.${k.kind}`]);
    return published ? doc : undefined;
  });

describe("the CRDs", () => {
  it("become Established and are served with short names and the aihub category", async () => {
    const crds = await installCrds(cluster);
    expect(crds.map((c) => c.metadata?.name).sort()).toEqual(kinds.map((k) => `${k.plural}.aihub.gemeenten.nl`).sort());
    const discovery = await cluster.client.request<{
      resources: {
        name: string;
        kind: string;
        namespaced: boolean;
        shortNames?: string[];
        categories?: string[];
      }[];
    }>("GET", "/apis/aihub.gemeenten.nl/v1alpha1");
    for (const def of kinds) {
      const served = discovery.resources.find((r) => r.kind === def.kind);
      expect(served, def.kind).toMatchObject({
        name: def.plural,
        namespaced: def.scope === "Namespaced",
        shortNames: def.shortNames,
        categories: ["aihub"],
      });
      expect(discovery.resources.some((r) => r.name === `${def.plural}/status`)).toBe(true);
    }
  });

  it("carry every field description into the served OpenAPI v3 schema", async () => {
    const doc = await servedOpenApi();
    const shipped = readManifests("crds") as unknown as {
      spec: {
        names: { kind: string };
        versions: { schema: { openAPIV3Schema: SchemaNode } }[];
      };
    }[];
    for (const crd of shipped) {
      const kind = crd.spec.names.kind;
      const served = doc.components.schemas[`nl.gemeenten.aihub.v1alpha1.${kind}`];
      expect(served, kind).toBeDefined();
      const fromCrd = describedFields(crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec ?? {}, "spec");
      const fromServer = new Map(describedFields(served?.properties?.spec ?? {}, "spec"));
      // Every field of the spec is described; the smallest kind (RolloutFreeze) has three.
      expect(fromCrd.length).toBeGreaterThanOrEqual(3);
      for (const [path, description] of fromCrd) expect(fromServer.get(path), `${kind} ${path}`).toBe(description);
    }
  });

  it("are explained by kubectl explain", async () => {
    await servedOpenApi();
    const env = { ...process.env, KUBECONFIG: inject("kubeconfig") };
    const { stdout } = await run("kubectl", ["explain", "blockactivation.spec.updatePolicy"], { env });
    expect(stdout).toContain("KIND:       BlockActivation");
    expect(stdout).toMatch(/Manual stays on approvedVersion\s+and reports newer versions/);
    const tenant = await run("kubectl", ["explain", "mt.spec.municipalityCode"], { env });
    expect(tenant.stdout).toContain("CBS code");
  });
});
