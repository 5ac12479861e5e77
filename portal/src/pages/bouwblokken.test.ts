import { describe, expect, it } from "vitest";
import { exampleActivation, exampleBlock } from "../../../test/support/example-catalog.ts";
import { translator } from "../page-text.ts";
import { activationRows, renderParameterForm } from "./bouwblokken.ts";

describe("activationRows", () => {
  it("gives each activation its version, health and parameters, by name", () => {
    const a = exampleActivation("utrecht", "pseudonimisering");
    const ready = {
      ...a,
      status: {
        currentVersion: "1.2.0",
        conditions: [
          {
            type: "Ready",
            status: "False" as const,
            reason: "Progressing",
            message: "1 of 2 replicas available",
            lastTransitionTime: "2026-11-30T10:00:00Z",
          },
        ],
      },
    };
    expect(activationRows([exampleActivation("utrecht", "bezwaar-intake"), ready])).toEqual([
      {
        name: "bezwaar-intake",
        block: "bezwaar-intake",
        version: null,
        health: null,
        parameters:
          "acknowledgeAutomatically=true, caseSystemUrl=https://zaken.utrecht.nl/zaken/api/v1, responseDeadlineDays=42",
      },
      {
        name: "pseudonimisering",
        block: "pseudonimisering",
        version: "1.2.0",
        health: { status: "False", reason: "Progressing", message: "1 of 2 replicas available" },
        parameters: "keepMappingFor=168h, strategy=pseudonym",
      },
    ]);
  });
});

describe("renderParameterForm", () => {
  it("makes a field per parameter of the block, with its bounds and default in the hint, and marks the wrong one", () => {
    const form = renderParameterForm(
      {
        title: "Bezwaar-intake inschakelen",
        action: "/bouwblokken/inschakelen/bezwaar-intake",
        csrf: "c",
        block: exampleBlock("bezwaar-intake"),
        values: { responseDeadlineDays: "100" },
        errors: [
          {
            field: "p.responseDeadlineDays",
            message: "parameter responseDeadlineDays: 100 is too large; allowed 1 to 84",
          },
        ],
      },
      translator("nl"),
    ).value;
    for (const name of ["caseSystemUrl", "responseDeadlineDays", "acknowledgeAutomatically", "language"])
      expect(form).toContain(`name="p.${name}"`);
    expect(form).toMatch(/id="veld-p-responseDeadlineDays"[^>]*aria-invalid="true"/);
    expect(form).toContain("1-84 (standaard: 42)");
    expect(form).toContain('href="#veld-p-responseDeadlineDays"');
    expect(form).toContain('name="csrf" value="c"');
  });
});
