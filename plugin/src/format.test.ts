import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { indented, serialise, table } from "./format.ts";

describe("table", () => {
  it("aligns columns three spaces apart under upper-case headers, with - for what is absent", () => {
    expect(
      table(
        ["name", "ring", "ready"],
        [
          ["utrecht", "early", "True"],
          ["amsterdam", undefined, ""],
        ],
      ),
    ).toBe("NAME        RING    READY\nutrecht     early   True\namsterdam   -       -\n");
  });

  it("prints only the headers for no rows", () => {
    expect(table(["a", "bb"], [])).toBe("A   BB\n");
  });
});

describe("serialise", () => {
  it("prints JSON and YAML of the same data", () => {
    const data = { tenants: [{ name: "utrecht", namespace: null, activations: 2 }] };
    expect(JSON.parse(serialise(data, "json"))).toEqual(data);
    expect(parse(serialise(data, "yaml"))).toEqual(data);
    expect(serialise(data, "json").endsWith("}\n")).toBe(true);
  });
});

describe("indented", () => {
  it("wraps long text under an indent", () => {
    const out = indented("word ".repeat(40), "  ", 30);
    for (const line of out.trimEnd().split("\n")) {
      expect(line.startsWith("  word")).toBe(true);
      expect(line.length).toBeLessThanOrEqual(30);
    }
  });
});
