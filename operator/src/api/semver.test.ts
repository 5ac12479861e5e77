import { describe, expect, it } from "vitest";
import { compareSemver } from "./semver.ts";

describe("compareSemver", () => {
  it("orders versions by semver precedence (semver.org's own example)", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.2.0",
      "1.10.0",
      "2.0.0",
    ];
    const shuffled = [...ordered].reverse();
    expect(shuffled.sort(compareSemver)).toEqual(ordered);
  });

  it("ignores build metadata and says what is wrong with a bad version", () => {
    expect(compareSemver("1.0.0+build.5", "1.0.0")).toBe(0);
    expect(() => compareSemver("v1.0", "1.0.0")).toThrow(/"v1.0" is not a semantic version/);
  });
});
