import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { jsonEqual } from "./json-equal.ts";

/** The reference: the round trip through JSON and node's deep equality. */
const reference = (sent: unknown, read: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(sent)), read);

const status = () => ({
  observedGeneration: 3,
  currentVersion: "1.3.0",
  conditions: [
    {
      type: "Ready",
      status: "True",
      reason: "Running",
      message: "2 of 2 ready",
      lastTransitionTime: "2026-12-03T10:00:00Z",
    },
    { type: "Progressing", status: "False", reason: "Done", message: "", lastTransitionTime: "2026-12-03T10:00:00Z" },
  ],
  logboek: { reached: true, entries: ["a", "b"] },
});

describe("jsonEqual", () => {
  const cases: [string, unknown, unknown][] = [
    ["the same status", status(), status()],
    ["keys in another order", status(), JSON.parse(JSON.stringify({ ...status(), observedGeneration: 3 }))],
    ["an undefined field (JSON drops it)", { ...status(), availableUpdate: undefined }, status()],
    ["a field the read value lacks", { ...status(), extra: 1 }, status()],
    ["a field only the read value has", status(), { ...status(), extra: 1 }],
    [
      "a changed message",
      status(),
      { ...status(), conditions: [{ ...status().conditions[0], message: "1 of 2" }, status().conditions[1]] },
    ],
    ["a shorter array", status(), { ...status(), conditions: [status().conditions[0]] }],
    ["undefined in an array (written as null)", [1, undefined], [1, null]],
    ["a non-finite number (written as null)", { n: Number.NaN }, { n: null }],
    ["a Date (written by toJSON)", { at: new Date("2026-12-03T10:00:00Z") }, { at: "2026-12-03T10:00:00.000Z" }],
    ["a function (not written)", { f: () => 1, a: 1 }, { a: 1 }],
    ["an array against an object", { a: [] }, { a: {} }],
    ["an object against an array", { a: {} }, { a: [] }],
    ["null against an object", { a: null }, { a: {} }],
    ["a number against its string", { a: 1 }, { a: "1" }],
    ["an empty object against one with a field", {}, { a: 1 }],
  ];
  for (const [name, sent, read] of cases) {
    it(`says what the round trip says: ${name}`, () => {
      expect(jsonEqual(sent, read)).toBe(reference(sent, read));
    });
  }

  it("finds the equal and the different ones apart", () => {
    expect(jsonEqual(status(), status())).toBe(true);
    expect(jsonEqual(status(), { ...status(), observedGeneration: 4 })).toBe(false);
  });
});
