import { describe, expect, it } from "vitest";
import { exampleBlock } from "../../test/support/example-catalog.ts";
import { checkParameters, formValues, webhookErrors } from "./parameter-form.ts";

const intake = exampleBlock("bezwaar-intake");
const defs = intake.spec.parameters ?? [];

describe("formValues", () => {
  it("converts integers and booleans, leaves empty fields out and keeps other text as typed", () => {
    const form = new URLSearchParams([
      ["p.responseDeadlineDays", "42"],
      ["p.acknowledgeAutomatically", "false"],
      ["p.language", ""],
      ["p.caseSystemUrl", " https://zaken.utrecht.nl/api "],
    ]);
    expect(formValues(defs, form)).toEqual({
      responseDeadlineDays: 42,
      acknowledgeAutomatically: false,
      caseSystemUrl: "https://zaken.utrecht.nl/api",
    });
    expect(formValues(defs, new URLSearchParams([["p.responseDeadlineDays", "zes weken"]]))).toEqual({
      responseDeadlineDays: "zes weken",
    });
  });
});

describe("checkParameters", () => {
  it("gives the webhook's own message next to the field it is about", () => {
    const errors = checkParameters(
      defs,
      { responseDeadlineDays: 100, caseSystemUrl: "https://zaken.utrecht.nl" },
      "bezwaar-intake",
    );
    expect(errors).toEqual([
      { field: "p.responseDeadlineDays", message: "parameter responseDeadlineDays: 100 is too large; allowed 1 to 84" },
    ]);
    expect(checkParameters(defs, {}, "bezwaar-intake")).toEqual([
      { field: "p.caseSystemUrl", message: "parameter caseSystemUrl is required" },
    ]);
    expect(checkParameters(defs, { caseSystemUrl: "https://zaken.utrecht.nl" }, "bezwaar-intake")).toEqual([]);
  });
});

describe("webhookErrors", () => {
  it("splits a refusal over the fields it names", () => {
    const message =
      'admission webhook "activations.aihub.gemeenten.nl" denied the request: spec.parameters: parameter language: "de" is not one of nl, fy, en; spec.humanInTheLoop.required: a high-risk block needs human oversight';
    expect(webhookErrors(message, defs)).toEqual([
      { field: "p.language", message: 'spec.parameters: parameter language: "de" is not one of nl, fy, en' },
      { field: "", message: "spec.humanInTheLoop.required: a high-risk block needs human oversight" },
    ]);
  });
});
