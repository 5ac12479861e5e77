// The disagreements between the API server and the operator's zod schemas that the differential
// fuzz found (test/support/fuzz.ts: `make fuzz`, test/e2e/fuzz.test.ts), one test each, with the
// input that showed it. Each failed before its fix.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { buildCrd, toStructuralSchema } from "./crd.ts";
import { validateParameters } from "./parameters.ts";
import {
  type AIBuildingBlockSpec,
  aiBuildingBlockKind,
  aiBuildingBlockSpec,
  blockActivationKind,
  blockActivationSpec,
  municipalTenantKind,
  municipalTenantSpec,
  type ParameterDefinition,
  RESERVED_PARAMETER_NAMES,
  rolloutFreezeKind,
  rolloutFreezeSpec,
} from "./v1alpha1/index.ts";
import { ANALYSIS_URL_PATTERN, rolloutStrategy } from "./v1alpha1/rollout-strategy.ts";

type Spec = Record<string, unknown>;
const DIGEST = "a".repeat(64);

const tenant = (): Spec => ({
  municipalityCode: "GM0193",
  displayName: "Zwolle",
  admins: { groups: ["gm0193-informatiebeheer"] },
  egress: [{ name: "zaaksysteem", cidr: "10.19.0.0/16", ports: [{ port: 443 }] }],
});

const block = (): Spec => ({
  displayName: "Samenvatten",
  description: "Summarises long case files.",
  category: "other",
  supplier: { name: "Voorbeeld B.V.", country: "NL" },
  certification: { riskClass: "limited", certifiedBy: "Loket", validUntil: "2027-12-31" },
  parameters: [{ name: "maxWords", type: "integer", description: "Longest summary.", minimum: 10, maximum: 500 }],
  versions: [
    {
      version: "1.0.0",
      image: `registry.gemeenten.nl/aihub/samenvatten@sha256:${DIGEST}`,
      releaseDate: "2026-10-01",
      releaseNotes: "First version.",
    },
  ],
});

const activation = (): Spec => ({ block: "samenvatten", channel: "stable", parameters: { maxWords: 200 } });

const issues = (schema: z.ZodType, spec: unknown) => {
  const r = schema.safeParse(spec);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

/** Every x-kubernetes-validations rule of a CRD, with where it sits. */
function rulesOf(node: unknown, path = ""): { path: string; rule: string; message: string }[] {
  if (!node || typeof node !== "object") return [];
  const n = node as Record<string, unknown>;
  const here = ((n["x-kubernetes-validations"] as { rule: string; message: string }[] | undefined) ?? []).map((r) => ({
    path,
    ...r,
  }));
  const children = Object.entries(n).flatMap(([k, v]) =>
    k === "x-kubernetes-validations" ? [] : rulesOf(v, k === "properties" || k === "items" ? path : `${path}.${k}`),
  );
  return [...here, ...children];
}

const specRules = (def: typeof aiBuildingBlockKind) =>
  rulesOf(
    (buildCrd(def).spec.versions as { schema: { openAPIV3Schema: { properties: { spec: unknown } } } }[])[0]?.schema
      .openAPIV3Schema.properties.spec,
  );

describe("the API server accepted, the reconciler could not parse it", () => {
  it("an activation's parameter of any JSON value or key: the reconciler now reads it and reports it", () => {
    // Stored by the API server (the values are untyped in the CRD, and CEL cannot see them).
    const spec = {
      ...activation(),
      parameters: { maxWords: { words: 200 }, tone: [1, 2], caseSystemUrl: "x".repeat(2000), ["k".repeat(64)]: 1 },
    };
    expect(issues(blockActivationSpec, spec)).toEqual([]);
    const defs = [{ name: "maxWords", type: "integer", description: "d", required: false }] as ParameterDefinition[];
    const checked = validateParameters(defs, blockActivationSpec.parse(spec).parameters, "samenvatten");
    expect(checked.ok).toBe(false);
    expect(JSON.stringify(checked)).toContain('parameter maxWords: {\\"words\\":200} is not an integer');
  });

  it("an activation's parameter named __proto__: kept, so that it is reported instead of silently dropped", () => {
    const spec = JSON.parse('{"block":"samenvatten","channel":"stable","parameters":{"__proto__":"x"}}');
    const parsed = blockActivationSpec.parse(spec);
    expect(Object.keys(parsed.parameters ?? {})).toEqual(["__proto__"]);
    const defs = [{ name: "maxWords", type: "integer", description: "d", required: false }] as ParameterDefinition[];
    expect(validateParameters(defs, parsed.parameters, "samenvatten")).toEqual({
      ok: false,
      errors: [
        {
          parameter: "__proto__",
          message: "parameter __proto__ is not defined by block samenvatten; it defines: maxWords",
        },
      ],
    });
  });

  it("an analysis URL with a no-break space: Go's \\s is ASCII only, so the pattern spells out white space", () => {
    expect(issues(rolloutStrategy, { analysis: { url: "https://a\u00a0b" } })).toEqual([]);
    expect(issues(rolloutStrategy, { analysis: { url: "https://a\u000bb" } })).toHaveLength(1);
    expect(issues(rolloutStrategy, { analysis: { url: "https://a b" } })).toHaveLength(1);
    const crd = toStructuralSchema(rolloutStrategy) as {
      properties: { analysis: { properties: { url: { pattern: string } } } };
    };
    expect(crd.properties.analysis.properties.url.pattern).toBe(new RegExp(ANALYSIS_URL_PATTERN).source);
  });

  it("a parameter named like a property of every JavaScript object: refused by the API server too", () => {
    const rule = specRules(aiBuildingBlockKind).find((r) => r.rule.includes("'constructor'"));
    expect(rule?.path).toBe(".parameters");
    for (const name of ["constructor", "toString", "valueOf", "hasOwnProperty"])
      expect(rule?.rule).toContain(`'${name}'`);
    expect(RESERVED_PARAMETER_NAMES).toContain("toLocaleString");
  });

  it("an integer parameter bound beyond 2^53 (minimum: 2^60): the CRD bounds it to what zod takes", () => {
    const spec = block();
    (spec.parameters as Spec[])[0] = { name: "big", type: "integer", description: "d", minimum: 2 ** 60 };
    expect(issues(aiBuildingBlockSpec, spec)).toEqual([
      "parameters.0.minimum: Too big: expected int to be <=9007199254740991",
    ]);
    const crd = JSON.stringify(buildCrd(aiBuildingBlockKind));
    expect(crd).toContain(
      '"minimum":{"description":"For integer parameters: the smallest allowed value.","type":"integer","minimum":-9007199254740991,"maximum":9007199254740991}',
    );
  });

  it("a date given as a list (releaseDate: [1, 2]): a CEL rule makes the API server check its type", () => {
    // kube-openapi lets a list through a string field that has a format; a CEL rule converts it.
    const dated = specRules(aiBuildingBlockKind).filter((r) => r.rule === "self == self");
    expect(dated.map((r) => r.path)).toEqual([
      ".certification.validUntil",
      ".versions.releaseDate",
      ".versions.endOfLife",
    ]);
    const spec = block();
    (spec.versions as Spec[])[0] = { ...(spec.versions as Spec[])[0], releaseDate: [1, 2] };
    expect(issues(aiBuildingBlockSpec, spec)).toEqual([
      "versions.0.releaseDate: Invalid input: expected string, received array",
    ]);
  });

  it("a quantity above 2^63-1 (quota.memory: 1000E, stored by a quota as 1): refused by both", () => {
    const spec = { ...tenant(), quota: { memory: "1000E", cpu: "9223372036854775808" } };
    expect(issues(municipalTenantSpec, spec)).toEqual([
      "quota.cpu: must be at most 9223372036854775807 (2^63-1, or 8Ei), the largest quantity Kubernetes stores",
      "quota.memory: must be at most 9223372036854775807 (2^63-1, or 8Ei), the largest quantity Kubernetes stores",
    ]);
    expect(issues(municipalTenantSpec, { ...tenant(), quota: { memory: "9Ei", cpu: "9223372036854775807" } })).toEqual(
      [],
    );
    const rules = specRules(municipalTenantKind).filter((r) => r.rule.includes("quantity(self)"));
    expect(rules.map((r) => r.path)).toEqual([".quota.cpu", ".quota.memory", ".quota.storage"]);
  });
});

interface TwinCase {
  name: string;
  schema: z.ZodType;
  spec: () => unknown;
  /** The CEL rule this case breaks (part of its text). */
  rule: string;
  /** The message zod gives, the rule's own (or what its messageExpression says). */
  says: string;
}

const edit =
  (make: () => Spec, f: (s: Spec) => void): (() => Spec) =>
  () => {
    const s = make();
    f(s);
    return s;
  };
const first = (list: unknown) => (list as Spec[])[0] as Spec;

/** One case per CEL rule: zod refuses what the rule refuses, with the rule's message. */
const twins: TwinCase[] = [
  {
    name: "a system: group as admins",
    schema: municipalTenantSpec,
    spec: edit(tenant, (s) => {
      s.admins = { groups: ["system:authenticated"] };
    }),
    rule: "!self.startsWith('system:')",
    says: "system: groups and users are Kubernetes' own",
  },
  {
    name: "a network that is no CIDR",
    schema: municipalTenantSpec,
    spec: edit(tenant, (s) => {
      first(s.egress).cidr = "010.0.0.0/8";
    }),
    rule: "isCIDR(self)",
    says: "must be a network in CIDR notation",
  },
  {
    name: "a quota above 2^63-1",
    schema: municipalTenantSpec,
    spec: edit(tenant, (s) => {
      s.quota = { storage: "9223372036854775808" };
    }),
    rule: "quantity(self)",
    says: "must be at most 9223372036854775807",
  },
  {
    name: "an image by tag",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      first(s.versions).image = "registry.gemeenten.nl/aihub/samenvatten:1.0.0";
    }),
    rule: "self.matches('^[a-z0-9]+",
    says: "must be pinned by digest",
  },
  {
    name: "a version with build metadata",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      first(s.versions).version = "1.0.0+build.1";
    }),
    rule: "!self.contains('+')",
    says: "a published version has no build metadata",
  },
  {
    name: "a high-risk block without a DPIA",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      (s.certification as Spec).riskClass = "high";
    }),
    rule: "self.certification.riskClass != 'high'",
    says: "a high-risk block needs spec.certification.dpiaReference",
  },
  {
    name: "a parameter named constructor",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      first(s.parameters).name = "constructor";
    }),
    rule: "!(self.name in [",
    says: '"constructor" is a name every JavaScript object has',
  },
  {
    name: "an enum parameter without allowed values",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      s.parameters = [{ name: "tone", type: "enum", description: "Tone." }];
    }),
    rule: "self.type != 'enum' || has(self.allowedValues)",
    says: "allowedValues is required when type is enum",
  },
  {
    name: "allowed values on an integer parameter",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      first(s.parameters).allowedValues = ["1"];
    }),
    rule: "!has(self.allowedValues) || self.type == 'enum'",
    says: "allowedValues is only for type enum",
  },
  {
    name: "a minimum on a string parameter",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      s.parameters = [{ name: "tone", type: "string", description: "Tone.", minimum: 1 }];
    }),
    rule: "self.type == 'integer'",
    says: "minimum and maximum are only for type integer",
  },
  {
    name: "minimum above maximum",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      first(s.parameters).minimum = 900;
    }),
    rule: "self.minimum <= self.maximum",
    says: "minimum must not be greater than maximum",
  },
  {
    name: "maxLength on an integer parameter",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      first(s.parameters).maxLength = 3;
    }),
    rule: "!has(self.maxLength) || self.type == 'string'",
    says: "maxLength is only for type string",
  },
  {
    name: "a date given as a list",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      (s.certification as Spec).validUntil = ["2027-12-31"];
    }),
    rule: "self == self",
    says: "expected string, received array",
  },
  {
    name: "a channel and a pinned version",
    schema: blockActivationSpec,
    spec: edit(activation, (s) => {
      s.version = "1.0.0";
    }),
    rule: "!(has(self.channel) && has(self.version))",
    says: "not both",
  },
  {
    name: "Manual without an approved version",
    schema: blockActivationSpec,
    spec: edit(activation, (s) => {
      s.updatePolicy = "Manual";
    }),
    rule: "self.updatePolicy != 'Manual' || has(self.approvedVersion)",
    says: "updatePolicy Manual needs spec.approvedVersion",
  },
  {
    name: "an approved version with Automatic",
    schema: blockActivationSpec,
    spec: edit(activation, (s) => {
      s.approvedVersion = "1.0.0";
    }),
    rule: "!has(self.approvedVersion) || self.updatePolicy == 'Manual'",
    says: "spec.approvedVersion is only used with updatePolicy Manual",
  },
  {
    name: "a declined version with Automatic",
    schema: blockActivationSpec,
    spec: edit(activation, (s) => {
      s.declinedVersion = "1.0.0";
    }),
    rule: "!has(self.declinedVersion) || self.updatePolicy == 'Manual'",
    says: "spec.declinedVersion is only used with updatePolicy Manual",
  },
  {
    name: "Manual on a pinned version",
    schema: blockActivationSpec,
    spec: edit(activation, (s) => {
      delete s.channel;
      Object.assign(s, { version: "1.0.0", updatePolicy: "Manual", approvedVersion: "1.0.0" });
    }),
    rule: "!has(self.version) || self.updatePolicy != 'Manual'",
    says: "a pinned spec.version needs no approval",
  },
  {
    name: "required review without a reviewer group",
    schema: blockActivationSpec,
    spec: edit(activation, (s) => {
      s.humanInTheLoop = { required: true };
    }),
    rule: "!self.required || has(self.reviewerGroup)",
    says: "reviewerGroup is required when required is true",
  },
  {
    name: "a freeze that ends before it starts",
    schema: rolloutFreezeSpec,
    spec: () => ({ start: "2026-11-02T00:00", end: "2026-11-01T00:00", reason: "elections" }),
    rule: "self.start < self.end",
    says: "end must be after start",
  },
];

/** What list-type map and set, and maxProperties, refuse: duplicates and too many keys. */
const structural: Omit<TwinCase, "rule">[] = [
  {
    name: "two egress entries with one name",
    schema: municipalTenantSpec,
    spec: edit(tenant, (s) => {
      (s.egress as Spec[]).push({ ...first(s.egress), cidr: "10.20.0.0/16" });
    }),
    says: "Duplicate value: name must be unique",
  },
  {
    name: "one port twice",
    schema: municipalTenantSpec,
    spec: edit(tenant, (s) => {
      first(s.egress).ports = [{ port: 443 }, { port: 443, protocol: "UDP" }];
    }),
    says: "Duplicate value: port must be unique",
  },
  {
    name: "the same admin group twice",
    schema: municipalTenantSpec,
    spec: edit(tenant, (s) => {
      s.admins = { groups: ["gm0193-a", "gm0193-a"] };
    }),
    says: "Duplicate value",
  },
  {
    name: "a maintenance day twice",
    schema: municipalTenantSpec,
    spec: edit(tenant, (s) => {
      s.maintenanceWindows = [{ days: ["Monday", "Monday"], start: "02:00", end: "04:00" }];
    }),
    says: "Duplicate value",
  },
  {
    name: "a version published twice",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      (s.versions as Spec[]).push({ ...first(s.versions) });
    }),
    says: "Duplicate value: version must be unique",
  },
  {
    name: "an allowed value twice",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      s.parameters = [{ name: "tone", type: "enum", description: "Tone.", allowedValues: ["nl", "nl"] }];
    }),
    says: "Duplicate value",
  },
  {
    name: "one ring configured twice",
    schema: aiBuildingBlockSpec,
    spec: edit(block, (s) => {
      s.rollout = { rings: [{ name: "early" }, { name: "early", bakeTime: "1h" }] };
    }),
    says: "Duplicate value: name must be unique",
  },
  {
    name: "65 parameters",
    schema: blockActivationSpec,
    spec: edit(activation, (s) => {
      s.parameters = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, i]));
    }),
    says: "Too big: expected at most 64 parameters",
  },
];

describe("the API server refused, zod accepted (the operator's schema was looser)", () => {
  it.each([...twins, ...structural])("zod refuses $name too", ({ schema, spec, says }) => {
    expect(issues(schema, spec()).join("; ")).toContain(says);
  });

  it("the bases of those cases are valid", () => {
    expect(issues(municipalTenantSpec, tenant())).toEqual([]);
    expect(issues(aiBuildingBlockSpec, block()) as unknown as AIBuildingBlockSpec[]).toEqual([]);
    expect(issues(blockActivationSpec, activation())).toEqual([]);
  });

  it("has a case for every CEL rule of the kinds, except the transition rules (they need the stored object)", () => {
    const rules = [municipalTenantKind, aiBuildingBlockKind, blockActivationKind, rolloutFreezeKind]
      .flatMap(specRules)
      .filter((r) => !r.rule.includes("oldSelf"));
    const uncovered = rules.filter((r) => !twins.some((t) => r.rule.includes(t.rule)));
    expect(uncovered).toEqual([]);
  });
});
