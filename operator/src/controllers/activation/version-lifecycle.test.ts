import { describe, expect, it } from "vitest";
import type { AIBuildingBlock } from "../../api/v1alpha1/index.ts";
import { versionLifecycle } from "./version-lifecycle.ts";

const block = {
  metadata: { name: "b" },
  spec: {
    endOfLifeNoticeDays: 14,
    versions: [
      { version: "1.0.0", endOfLife: "2027-01-31" },
      { version: "1.1.0", deprecated: true },
      { version: "1.2.0" },
    ],
  },
} as unknown as AIBuildingBlock;

const at = (version: string, iso: string) => versionLifecycle(block, version, new Date(iso));

describe("versionLifecycle", () => {
  it("is supported without a mark, deprecated when marked or given an end of life", () => {
    expect(at("1.2.0", "2027-01-01T00:00:00Z")).toEqual({ state: "Supported" });
    expect(at("1.1.0", "2027-01-01T00:00:00Z")).toMatchObject({ state: "Deprecated" });
    expect(at("1.0.0", "2027-01-31T23:59:00Z")).toMatchObject({
      state: "Deprecated",
      message: "version 1.0.0 is deprecated (end of life 2027-01-31): move to a newer version",
    });
  });

  it("gives notice after the end of life, and expires when the notice period is over", () => {
    expect(at("1.0.0", "2027-02-01T00:00:00Z")).toMatchObject({
      state: "EndOfLife",
      message: expect.stringContaining("approve a newer version before 2027-02-15"),
    });
    expect(at("1.0.0", "2027-02-14T23:59:00Z").state).toBe("EndOfLife");
    expect(at("1.0.0", "2027-02-15T00:00:00Z").state).toBe("Expired");
  });
});
