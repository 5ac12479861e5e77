import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { aiBuildingBlock, blockActivation, municipalTenant } from "./index.ts";

const schemas = {
  MunicipalTenant: municipalTenant,
  AIBuildingBlock: aiBuildingBlock,
  BlockActivation: blockActivation,
};

const examples = ["catalog", "tenants", "activations"].flatMap((folder) =>
  readdirSync(join("examples", folder))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join("examples", folder, f), "utf8")).map((doc) => ({
        file: `${folder}/${f}`,
        object: doc.toJS() as {
          kind: keyof typeof schemas;
          metadata: { name: string };
        },
      })),
    ),
);

describe("examples", () => {
  it("has a catalog of at least five blocks, three tenants and some activations", () => {
    const count = (kind: string) => examples.filter((e) => e.object.kind === kind).length;
    expect(count("AIBuildingBlock")).toBeGreaterThanOrEqual(5);
    expect(count("MunicipalTenant")).toBeGreaterThanOrEqual(3);
    expect(count("BlockActivation")).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)("$file is valid according to the zod API", ({ object }) => {
    const result = schemas[object.kind].safeParse(object);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it("activates only blocks that the catalog has, with parameters the block defines", () => {
    const blocks = new Map(
      examples
        .filter((e) => e.object.kind === "AIBuildingBlock")
        .map((e) => [e.object.metadata.name, aiBuildingBlock.parse(e.object)]),
    );
    for (const e of examples.filter((x) => x.object.kind === "BlockActivation")) {
      const activation = blockActivation.parse(e.object);
      const block = blocks.get(activation.spec.block);
      expect(block, `${e.file}: block ${activation.spec.block}`).toBeDefined();
      const defined = new Set(block?.spec.parameters?.map((p) => p.name));
      for (const name of Object.keys(activation.spec.parameters ?? {})) {
        expect(defined.has(name), `${e.file}: parameter ${name}`).toBe(true);
      }
    }
  });
});

describe("the zod API", () => {
  const tenant = {
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "MunicipalTenant",
    metadata: { name: "utrecht" },
    spec: { municipalityCode: "GM0344", displayName: "Utrecht" },
  };

  it("applies the defaults a user omits", () => {
    const parsed = municipalTenant.parse(tenant);
    expect(parsed.spec.deletionProtection).toBe(true);
    expect(parsed.spec.rolloutRing).toBe("general");
  });

  it("names the field of a bad value", () => {
    const result = municipalTenant.safeParse({
      ...tenant,
      spec: { ...tenant.spec, municipalityCode: "0344" },
    });
    expect(result.error?.issues[0]?.path).toEqual(["spec", "municipalityCode"]);
  });
});
