import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { buildCrd, crdFileName, FORBIDDEN_KEYWORDS, renderCrdYaml, toStructuralSchema } from "./crd.ts";
import { kinds } from "./v1alpha1/index.ts";

type Node = { [key: string]: unknown };

/** Every schema node with its path, depth first. */
function* walk(node: Node, path: string): Generator<[string, Node]> {
  yield [path, node];
  const props = node.properties as Record<string, Node> | undefined;
  for (const [name, child] of Object.entries(props ?? {})) yield* walk(child, `${path}.${name}`);
  if (node.items && typeof node.items === "object") yield* walk(node.items as Node, `${path}[]`);
  if (node.additionalProperties && typeof node.additionalProperties === "object") {
    yield* walk(node.additionalProperties as Node, `${path}{}`);
  }
}

/** The CRDs as shipped in crds/, which is what these tests check (not the zod source). */
const shipped = kinds.map((def) => ({
  def,
  crd: parse(readFileSync(join("crds", crdFileName(def)), "utf8")),
}));

const schemaOf = (crd: Node) => {
  const spec = crd.spec as {
    versions: { schema: { openAPIV3Schema: Node } }[];
  };
  return spec.versions[0]?.schema.openAPIV3Schema as Node;
};

describe.each(shipped)("$def.kind CRD", ({ def, crd }) => {
  const root = schemaOf(crd);
  const nodes = [...walk(root, "")];

  it("is what the generator produces (crds/ is never edited by hand)", () => {
    expect(readFileSync(join("crds", crdFileName(def)), "utf8")).toBe(renderCrdYaml(buildCrd(def)));
  });

  it("uses no keyword that the API server forbids or that breaks structural schemas", () => {
    const offending = nodes.flatMap(([path, node]) =>
      FORBIDDEN_KEYWORDS.filter((k) => k in node).map((k) => `${path}: ${k}`),
    );
    expect(offending).toEqual([]);
    expect(nodes.filter(([, n]) => n.additionalProperties === false).map(([p]) => p)).toEqual([]);
  });

  it("gives every node a type, unless it preserves unknown fields", () => {
    const untyped = nodes.filter(([, n]) => !n.type && n["x-kubernetes-preserve-unknown-fields"] !== true);
    expect(untyped.map(([p]) => p)).toEqual([]);
  });

  it("describes every field of spec and status (what kubectl explain shows)", () => {
    const undescribed = nodes
      .filter(([path]) => path.startsWith(".spec") || path.startsWith(".status"))
      .filter(([, n]) => typeof n.description !== "string" || (n.description as string).length < 3)
      .map(([p]) => p);
    expect(undescribed).toEqual([]);
    expect(root.description).toMatch(/municipal|catalog|block/i);
  });

  it("bounds every string and list, so that CEL rules stay within their cost budget", () => {
    const unbounded = nodes.flatMap(([path, n]) => {
      if (n.type === "string" && n.maxLength === undefined && n.enum === undefined && n.format === undefined) {
        return path.startsWith(".spec") || path.startsWith(".status") ? [`${path}: string without maxLength`] : [];
      }
      if (n.type === "array" && n.maxItems === undefined) return [`${path}: array without maxItems`];
      return [];
    });
    expect(unbounded).toEqual([]);
  });

  it("marks lists of objects as maps or sets for server-side apply", () => {
    const unmarked = nodes.filter(([, n]) => n.type === "array" && !n["x-kubernetes-list-type"]).map(([p]) => p);
    expect(unmarked).toEqual([]);
  });

  it("has the status subresource, printer columns, short names and the aihub category", () => {
    const spec = crd.spec as Node & { names: Node; versions: Node[] };
    expect(spec.names.categories).toEqual(["aihub"]);
    expect(spec.names.shortNames).toEqual(def.shortNames);
    expect(spec.versions[0]?.subresources).toEqual({ status: {} });
    const columns = ((spec.versions[0]?.additionalPrinterColumns ?? []) as { name: string }[]).map((c) => c.name);
    expect(columns).toContain("Age");
    expect(spec.scope).toBe(def.scope);
  });

  it("keeps conditions a list map keyed by type, as Kubernetes conventions ask", () => {
    const cond = nodes.find(([p]) => p === ".status.conditions")?.[1];
    expect(cond?.["x-kubernetes-list-type"]).toBe("map");
    expect(cond?.["x-kubernetes-list-map-keys"]).toEqual(["type"]);
    expect(nodes.find(([p]) => p === ".status.observedGeneration")?.[1].type).toBe("integer");
  });
});

describe("toStructuralSchema", () => {
  it("refuses a union of types, which the API server would reject as non-structural", () => {
    expect(() => toStructuralSchema(z.object({ v: z.union([z.string(), z.number()]).describe("v") }))).toThrow(
      /\.v: "anyOf" is not allowed/,
    );
  });

  it("refuses several regexes on one string (they become allOf)", () => {
    expect(() => toStructuralSchema(z.object({ v: z.string().regex(/a/).regex(/b/) }))).toThrow(/allOf/);
  });

  it("drops additionalProperties: false", () => {
    const out = toStructuralSchema(z.strictObject({ n: z.number().int() }));
    expect(out.additionalProperties).toBeUndefined();
  });

  it("keeps the safe-integer range zod checks, so that the API server refuses what zod would", () => {
    // Found by the differential fuzz: the API server took spec.parameters[0].minimum: 2^60 (an
    // int64), which zod's int() refuses, so the catalog reconciler could not parse the block.
    const out = toStructuralSchema(z.strictObject({ n: z.number().int() }));
    expect((out.properties as Record<string, Node>).n).toEqual({
      type: "integer",
      minimum: -Number.MAX_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
  });

  it("keeps defaults so that the API server applies them", () => {
    const out = toStructuralSchema(z.object({ on: z.boolean().default(true) }));
    expect((out.properties as Record<string, Node>).on?.default).toBe(true);
    expect(out.required).toBeUndefined();
  });
});
