import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareCodeUnits } from "./order.ts";

describe("compareCodeUnits", () => {
  it("orders Kubernetes names as localeCompare does, so sorted output stays the same", () => {
    const name = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,10}[a-z0-9])?(\/[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?)?$/);
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(compareCodeUnits(a, b))).toBe(Math.sign(a.localeCompare(b)));
      }),
      { numRuns: 5000 },
    );
  });

  it("is the order of sort() without a comparator", () => {
    const names = ["b", "a-b", "a.b", "a0", "ab", "a", "ns/x", "ns-1/x"];
    expect([...names].sort(compareCodeUnits)).toEqual([...names].sort());
    expect(compareCodeUnits("x", "x")).toBe(0);
  });
});
