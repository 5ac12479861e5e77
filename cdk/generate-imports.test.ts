import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { App, Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import {
  anyToUnknown,
  assertNamesKept,
  constructName,
  enumsToConstObjects,
  generateModule,
  readCrds,
} from "./generate-imports.ts";
import * as imports from "./src/imports/aihub.gemeenten.nl.ts";

const GENERATED = "cdk/src/imports/aihub.gemeenten.nl.ts";
const source = readFileSync(GENERATED, "utf8");
const code = source.split("\n").filter((l) => !/^\s*(\/\/|\/\*\*|\*)/.test(l));

describe("cdk/generate-imports.ts", () => {
  const crds = readCrds("crds");

  it("reads every CRD in crds/, sorted by group and kind", () => {
    expect(crds.map((k) => `${k.group}/${k.version}/${k.kind}`)).toEqual([
      "aihub.gemeenten.nl/v1alpha1/AIBuildingBlock",
      "aihub.gemeenten.nl/v1alpha1/BlockActivation",
      "aihub.gemeenten.nl/v1alpha1/BlockRollout",
      "aihub.gemeenten.nl/v1alpha1/MunicipalTenant",
      "aihub.gemeenten.nl/v1alpha1/RolloutFreeze",
    ]);
  });

  it("wrote the committed file: what it generates from crds/ now", () => {
    expect(generateModule(crds, GENERATED)).toBe(source);
  });

  it("gives every kind a construct with its GVK, and a props interface with spec", () => {
    for (const k of crds) {
      const construct = (imports as Record<string, unknown>)[constructName(k.kind)] as { GVK: unknown };
      expect(construct.GVK, k.kind).toEqual({ apiVersion: `${k.group}/${k.version}`, kind: k.kind });
      expect(source).toContain(`export interface ${constructName(k.kind)}Props {`);
    }
  });

  it("writes erasable TypeScript without any: enums are const objects, untyped fields unknown", () => {
    expect(code.filter((l) => /^\s*(export )?(const )?enum \w/.test(l))).toEqual([]);
    expect(code.filter((l) => /\bany\b/.test(l))).toEqual([]);
    expect(imports.MunicipalTenantSpecRolloutRing).toEqual({ CANARY: "canary", EARLY: "early", GENERAL: "general" });
    expect(source).toContain("readonly parameters?: { [key: string]: unknown };");
  });

  it("turns an enum into a const object with the union of its values, and refuses what it does not know", () => {
    const input = [
      "/** Ring. */",
      "export enum Ring {",
      "  /** canary */",
      '  CANARY = "canary",',
      '  VALUE_2 = "2",',
      "}",
      "export interface X {",
      "  readonly ring?: Ring;",
      "}",
    ].join("\n");
    expect(enumsToConstObjects(input)).toBe(
      [
        "/** Ring. */",
        "export const Ring = {",
        "  /** canary */",
        '  CANARY: "canary",',
        '  VALUE_2: "2",',
        "} as const;",
        "export type Ring = (typeof Ring)[keyof typeof Ring];",
        "export interface X {",
        "  readonly ring?: Ring;",
        "}",
      ].join("\n"),
    );
    expect(() => enumsToConstObjects("export enum A {\n  B = foo(),\n}")).toThrow("unexpected line in enum A");
    expect(() => enumsToConstObjects('export enum A {\n  B = "b",')).toThrow("enum A is not closed");
  });

  it("makes property types unknown, not descriptions", () => {
    expect(
      anyToUnknown("  /** any 2xx is go */\n  readonly default?: any;\n  readonly m: { [key: string]: any };"),
    ).toBe("  /** any 2xx is go */\n  readonly default?: unknown;\n  readonly m: { [key: string]: unknown };");
  });

  it("fails when json2jsii would rename a property, which would need converters", () => {
    expect(() => assertNamesKept("    'max-items': obj.maxItems,")).toThrow(
      'json2jsii renames the property "max-items" to "maxItems"',
    );
    expect(() => assertNamesKept("    'spec': toJson_XSpec(obj.spec),")).not.toThrow();
    const renamed = {
      group: "example.org",
      version: "v1",
      kind: "Thing",
      schema: {
        type: "object",
        properties: { spec: { type: "object", properties: { "max-items": { type: "integer" } } } },
      },
    };
    expect(() => generateModule([renamed], "cdk/src/imports/example.org.ts")).toThrow(
      'renames the property "max-items" to "maxItems"',
    );
  });

  it("synthesises objects with the generated constructs, the same as manifest()", () => {
    const chart = new Chart(new App(), "test", { disableResourceNameHashes: true });
    const props = {
      metadata: { name: "utrecht" },
      spec: {
        municipalityCode: "GM0344",
        displayName: "Utrecht",
        rolloutRing: imports.MunicipalTenantSpecRolloutRing.EARLY,
      },
    };
    new imports.MunicipalTenant(chart, "utrecht", props);
    new imports.RolloutFreeze(chart, "verkiezingen", {
      metadata: { name: "verkiezingen" },
      spec: { start: "2027-03-15T00:00", end: "2027-03-18T00:00", reason: "Provinciale Statenverkiezingen" },
    });
    const [tenant, freeze] = Testing.synth(chart);
    expect(tenant).toEqual(imports.MunicipalTenant.manifest(props));
    expect(tenant).toEqual({
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "MunicipalTenant",
      metadata: { name: "utrecht" },
      spec: { municipalityCode: "GM0344", displayName: "Utrecht", rolloutRing: "early" },
    });
    expect(freeze).toMatchObject({ kind: "RolloutFreeze", spec: { reason: "Provinciale Statenverkiezingen" } });
  });

  it("answers --help and exits 0", () => {
    const r = spawnSync(process.execPath, ["cdk/generate-imports.ts", "--help"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("usage: node cdk/generate-imports.ts");
  });
});
