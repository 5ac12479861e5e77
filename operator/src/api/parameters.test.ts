import { describe, expect, it } from "vitest";
import { exampleActivations, exampleBlock } from "../../../test/support/example-catalog.ts";
import { GO_DURATION_PATTERN, parameterSchema, renderParameters, validateParameters } from "./parameters.ts";
import type { ParameterDefinition } from "./v1alpha1/index.ts";

const block = exampleBlock;

const bezwaar = block("bezwaar-intake").spec.parameters ?? [];
const pseudo = block("pseudonimisering").spec.parameters ?? [];
const validate = (values: Record<string, unknown>) => validateParameters(bezwaar, values, "bezwaar-intake");
const messages = (values: Record<string, unknown>, defs = bezwaar) => {
  const result = validateParameters(defs, values, "bezwaar-intake");
  return result.ok ? [] : result.errors.map((e) => e.message);
};

describe("validateParameters with the examples", () => {
  it.each(exampleActivations().map((a) => [`${a.metadata.namespace}/${a.metadata.name}`, a] as const))(
    "accepts %s",
    (_name, activation) => {
      const b = block(activation.spec.block);
      expect(validateParameters(b.spec.parameters ?? [], activation.spec.parameters, b.metadata.name)).toMatchObject({
        ok: true,
      });
    },
  );

  it("applies the defaults of parameters the activation leaves out", () => {
    expect(validate({ caseSystemUrl: "https://zaken.utrecht.nl/zaken/api/v1" })).toEqual({
      ok: true,
      values: {
        caseSystemUrl: "https://zaken.utrecht.nl/zaken/api/v1",
        responseDeadlineDays: 42,
        acknowledgeAutomatically: true,
        language: "nl",
      },
    });
  });

  it("gives each validation its own values and names the block asked for, with the schema built once per list", () => {
    const url = { caseSystemUrl: "https://zaken.utrecht.nl/zaken/api/v1" };
    const first = validate(url);
    const second = validate(url);
    expect(second).toEqual(first);
    if (!first.ok || !second.ok) throw new Error("expected valid parameters");
    expect(second.values).not.toBe(first.values);
    expect(validate({ ...url, responseDeadlineDays: 7 })).toMatchObject({
      ok: true,
      values: { responseDeadlineDays: 7 },
    });
    const unknown = (name: string) => validateParameters(bezwaar, { ...url, colour: "red" }, name);
    expect(JSON.stringify(unknown("bezwaar-intake"))).toContain("bezwaar-intake");
    expect(JSON.stringify(unknown("another-block"))).toContain("another-block");
  });

  it("leaves out an optional parameter without a default", () => {
    const defs = block("uitlegbaarheid").spec.parameters ?? [];
    const result = validateParameters(defs, undefined);
    expect(result).toEqual({ ok: true, values: { audience: "resident", readingLevel: "B1" } });
  });
});

describe("validateParameters' messages", () => {
  const url = "https://zaken.utrecht.nl/zaken/api/v1";

  it("names an integer out of range and the range", () => {
    expect(messages({ caseSystemUrl: url, responseDeadlineDays: 120 })).toEqual([
      "parameter responseDeadlineDays: 120 is too large; allowed 1 to 84",
    ]);
    expect(messages({ caseSystemUrl: url, responseDeadlineDays: 0 })).toEqual([
      "parameter responseDeadlineDays: 0 is too small; allowed 1 to 84",
    ]);
  });

  it("names an enum value that is not allowed and the allowed ones", () => {
    expect(messages({ caseSystemUrl: url, language: "de" })).toEqual([
      'parameter language: "de" is not one of nl, fy, en',
    ]);
  });

  it("names a required parameter that is missing", () => {
    expect(messages({})).toEqual(["parameter caseSystemUrl is required"]);
    expect(validate({})).toEqual({
      ok: false,
      errors: [{ parameter: "caseSystemUrl", message: "parameter caseSystemUrl is required" }],
    });
  });

  it("names each unknown parameter, the block and the parameters it defines", () => {
    const result = validate({ caseSystemUrl: url, colour: "red", size: 3 });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          parameter: "colour",
          message:
            "parameter colour is not defined by block bezwaar-intake; it defines: caseSystemUrl, responseDeadlineDays, acknowledgeAutomatically, language",
        },
        {
          parameter: "size",
          message:
            "parameter size is not defined by block bezwaar-intake; it defines: caseSystemUrl, responseDeadlineDays, acknowledgeAutomatically, language",
        },
      ],
    });
  });

  it("says so when the block defines no parameters at all", () => {
    expect(messages({ colour: "red" }, [])).toEqual([
      "parameter colour is not defined by block bezwaar-intake; it defines no parameters, so remove spec.parameters",
    ]);
  });

  it("refuses a duration written in words", () => {
    expect(messages({ keepMappingFor: "5 minutes" }, pseudo)).toEqual([
      'parameter keepMappingFor: "5 minutes" is not a duration such as 30s, 5m or 2h',
    ]);
  });

  it("refuses a duration longer than Go's Duration can hold", () => {
    expect(messages({ keepMappingFor: "2562048h" }, pseudo)).toEqual([
      'parameter keepMappingFor: "2562048h" is longer than a duration can be; allowed at most 2562047h',
    ]);
    expect(validateParameters(pseudo, { keepMappingFor: "2562047h" }).ok).toBe(true);
  });

  it("tells YAML users to remove the quotes around an integer or a boolean", () => {
    expect(messages({ caseSystemUrl: url, responseDeadlineDays: "42", acknowledgeAutomatically: "false" })).toEqual([
      'parameter responseDeadlineDays: "42" is a string, but an integer is expected; remove the quotes around it',
      'parameter acknowledgeAutomatically: "false" is a string, but a boolean (true or false) is expected; remove the quotes around it',
    ]);
  });

  it("does not suggest removing quotes from a string that is no number", () => {
    expect(messages({ caseSystemUrl: url, responseDeadlineDays: "six weeks" })).toEqual([
      'parameter responseDeadlineDays: "six weeks" is not an integer',
    ]);
  });

  it("refuses a fraction for an integer", () => {
    expect(messages({ caseSystemUrl: url, responseDeadlineDays: 42.5 })).toEqual([
      "parameter responseDeadlineDays: 42.5 is not a whole number; allowed 1 to 84",
    ]);
  });

  it("tells to quote a number or boolean given for a string", () => {
    expect(messages({ caseSystemUrl: 8080, language: true })).toEqual([
      "parameter caseSystemUrl: 8080 is a number, but an absolute https URL is expected; put it in quotes",
      "parameter language: true is a boolean, but one of nl, fy, en is expected; put it in quotes",
    ]);
  });

  it("shortens a long string that is too long, and gives its length", () => {
    const note: ParameterDefinition[] = [
      { name: "note", type: "string", description: "A note.", required: false, maxLength: 512 },
    ];
    const [message] = messages({ note: `https://${"x".repeat(600)}` }, note);
    expect(message).toMatch(/^parameter note: "https:\/\/x+\.\.\." \(608 characters\) is too long/);
    expect(message).toMatch(/allowed at most 512 characters$/);
  });

  it("bounds a string without maxLength at 1024 characters (the CRD cannot bound parameter values)", () => {
    const note: ParameterDefinition[] = [{ name: "note", type: "string", description: "A note.", required: false }];
    expect(messages({ note: "x".repeat(1024) }, note)).toEqual([]);
    expect(messages({ note: "x".repeat(1025) }, note)[0]).toMatch(/is too long; allowed at most 1024 characters$/);
    const wait: ParameterDefinition[] = [{ name: "wait", type: "duration", description: "A wait.", required: false }];
    expect(messages({ wait: "1s".repeat(600) }, wait)[0]).toMatch(/is too long; allowed at most 1024 characters$/);
  });

  it.each([
    ["", 'parameter caseSystemUrl: "" is not an absolute URL such as https://zaken.example.nl/api/v1'],
    [
      "../../etc",
      'parameter caseSystemUrl: "../../etc" is not an absolute URL such as https://zaken.example.nl/api/v1',
    ],
    ["http://zaken.utrecht.nl", 'parameter caseSystemUrl: "http://zaken.utrecht.nl" uses http; only https is allowed'],
  ])("refuses %j for a url parameter, saying why", (value, message) => {
    expect(messages({ caseSystemUrl: value })).toEqual([message]);
  });

  it("refuses an empty value (YAML `key:` with nothing after it)", () => {
    expect(messages({ caseSystemUrl: url, language: null })).toEqual([
      "parameter language: null is not one of nl, fy, en",
    ]);
  });
});

describe("parameterSchema", () => {
  it("is one strict zod object that the webhook can use directly", () => {
    const schema = parameterSchema(bezwaar, "bezwaar-intake");
    expect(schema.safeParse({ caseSystemUrl: "https://zaken.example.nl" }).success).toBe(true);
    const result = schema.safeParse({ caseSystemUrl: "https://zaken.example.nl", colour: "red", size: 3 });
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      "parameters colour, size are not defined by block bezwaar-intake; it defines: caseSystemUrl, responseDeadlineDays, acknowledgeAutomatically, language",
    ]);
  });

  it("applies the default of a required parameter that has one", () => {
    const defs: ParameterDefinition[] = [
      { name: "mode", type: "enum", description: "d", required: true, default: "a", allowedValues: ["a", "b"] },
    ];
    expect(parameterSchema(defs).parse({})).toEqual({ mode: "a" });
    expect(parameterSchema(defs).parse({ mode: "b" })).toEqual({ mode: "b" });
  });

  it("checks only the bounds that are defined", () => {
    const defs: ParameterDefinition[] = [{ name: "n", type: "integer", description: "d", required: true, minimum: 0 }];
    expect(messages({ n: -1 }, defs)).toEqual(["parameter n: -1 is too small; allowed at least 0"]);
    expect(messages({ n: 1e9 }, defs)).toEqual([]);
  });
});

describe("GO_DURATION_PATTERN", () => {
  it.each([
    "0",
    "30s",
    "5m",
    "1h30m",
    "720h",
    "1.5h",
    ".5s",
    "300ms",
    "-1m",
    "+2h",
    "10us",
    "10µs",
    "10μs",
    "1h2m3s4ms5us6ns",
  ])("accepts %s like Go's time.ParseDuration", (text) => {
    expect(GO_DURATION_PATTERN.test(text)).toBe(true);
  });

  it.each(["", "5", "5 minutes", "5min", "1d", "1w", "1h 30m", ".s", "h", "PT5M", "1H", "1.h.5"])(
    "refuses %j like Go's time.ParseDuration",
    (text) => {
      expect(GO_DURATION_PATTERN.test(text)).toBe(false);
    },
  );
});

describe("renderParameters", () => {
  it("gives ConfigMap data with sorted keys, numbers and booleans as JSON text", () => {
    const rendered = renderParameters({ language: "nl", responseDeadlineDays: 42, acknowledgeAutomatically: false });
    expect(rendered).toEqual({ acknowledgeAutomatically: "false", language: "nl", responseDeadlineDays: "42" });
    expect(Object.keys(rendered)).toEqual(["acknowledgeAutomatically", "language", "responseDeadlineDays"]);
  });

  it("is the same for the same values in another order", () => {
    expect(JSON.stringify(renderParameters({ b: 1, a: "x" }))).toBe(JSON.stringify(renderParameters({ a: "x", b: 1 })));
  });
});
