import { describe, expect, it } from "vitest";
import { exampleBlock } from "../../../test/support/example-catalog.ts";
import type { AIBuildingBlock } from "../api/v1alpha1/index.ts";
import { validateBlockSpec } from "./validate-block-spec.ts";
import { removedParametersInUse } from "./validate-block-update.ts";

const TODAY = new Date("2026-11-30T12:00:00Z");
const withParameter = (p: Record<string, unknown>) => {
  const b = exampleBlock("bezwaar-intake");
  return { ...b.spec, parameters: [{ description: "d", ...p }] };
};
const refused = (spec: unknown) => {
  const d = validateBlockSpec(spec, TODAY);
  return d.allowed ? "" : d.message;
};

describe("validateBlockSpec", () => {
  it("accepts the examples", () => {
    expect(validateBlockSpec(exampleBlock("bezwaar-intake").spec, TODAY)).toEqual({ allowed: true });
  });

  it("refuses what the CRD cannot check, naming the field (a common YAML slip, names of every object)", () => {
    expect(refused(withParameter({ name: "days", type: "integer", default: "30" }))).toBe(
      "spec.parameters[0].default: default must be of type integer",
    );
    expect(refused(withParameter({ name: "constructor", type: "string" }))).toBe(
      'spec.parameters[0].name: "constructor" is a name every JavaScript object has: choose another parameter name',
    );
    expect(refused(withParameter({ name: "toString", type: "string" }))).toContain("spec.parameters[0].name");
    expect(refused(withParameter({ name: "days", type: "integer", default: 90, minimum: 1, maximum: 84 }))).toBe(
      "spec.parameters[0].default: default 90 is outside 1 to 84",
    );
    expect(refused(withParameter({ name: "wait", type: "duration", default: "-5m" }))).toContain(
      'spec.parameters[0].default: default "-5m" is not a duration of zero or more',
    );
    expect(refused(withParameter({ name: "url", type: "string", default: "abcdef", maxLength: 3 }))).toContain(
      "longer than maxLength 3",
    );
    expect(refused(withParameter({ name: "caseSystem", type: "url", default: "../../etc" }))).toBe(
      'spec.parameters[0].default: default "../../etc" is not an absolute URL such as https://zaken.example.nl/api/v1',
    );
    expect(refused(withParameter({ name: "caseSystem", type: "url", default: "https://zaken.example.nl" }))).toBe("");
  });
});

describe("validateBlockSpec beyond the schema", () => {
  it("refuses a version with build metadata, which semver would order as the same version", () => {
    const b = exampleBlock("bezwaar-intake");
    const versions = [...b.spec.versions, { ...b.spec.versions.at(-1), version: "9.0.0+rebuild" }];
    expect(refused({ ...b.spec, versions })).toContain(
      `spec.versions[${versions.length - 1}].version: a published version has no build metadata (+...)`,
    );
  });

  it("refuses a certification that runs more than 5 years", () => {
    const b = exampleBlock("bezwaar-intake");
    expect(refused({ ...b.spec, certification: { ...b.spec.certification, validUntil: "9999-12-31" } })).toContain(
      "spec.certification.validUntil is 9999-12-31, more than 5 years from today",
    );
  });
});

describe("removedParametersInUse", () => {
  const block = exampleBlock("bezwaar-intake") as AIBuildingBlock;
  const without = {
    ...block,
    spec: { ...block.spec, parameters: block.spec.parameters?.filter((p) => p.name !== "language") },
  };

  it("refuses to remove a parameter that an activation still sets, naming both", () => {
    const d = removedParametersInUse(block, without, [
      { activation: "utrecht/bezwaar-intake", parameters: ["language", "caseSystemUrl"] },
      { activation: "zwolle/bezwaar-intake", parameters: ["caseSystemUrl"] },
    ]);
    expect(d).toEqual({
      allowed: false,
      message:
        "spec.parameters: parameter language cannot be removed: utrecht/bezwaar-intake sets it; remove it from those activations first",
    });
  });

  it("allows removing one that nobody sets", () => {
    expect(removedParametersInUse(block, without, [{ activation: "zwolle/x", parameters: ["caseSystemUrl"] }])).toEqual(
      {
        allowed: true,
      },
    );
  });
});
