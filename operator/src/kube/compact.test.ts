import { describe, expect, it } from "vitest";
import { withAppliedHash } from "./apply.ts";
import { COMPACT_MIN_LENGTH, compactChild, compactConfigMapData } from "./compact.ts";
import { isSubset } from "./subset.ts";

const long = "x".repeat(COMPACT_MIN_LENGTH);
const cm = (data: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "a-logboek", namespace: "utrecht", resourceVersion: "7" },
  data,
});

describe("compactConfigMapData", () => {
  it("keeps a long value as its digest and a short one as it is, without changing the object given", () => {
    const live = cm({ "config.yaml": long, short: "1" });
    const kept = compactConfigMapData(live);
    expect(kept.data["config.yaml"]).toMatch(/^aihub-sha256:[\w-]{43}$/);
    expect(kept.data.short).toBe("1");
    expect(kept.metadata).toBe(live.metadata);
    expect(live.data["config.yaml"]).toBe(long);
    expect(compactConfigMapData(kept)).toBe(kept);
    expect(compactConfigMapData(cm({ short: "1" }))).toEqual(cm({ short: "1" }));
  });

  it("lets the applier see an unchanged value as unchanged, and an edited or changed one as drift", () => {
    const desired = withAppliedHash(cm({ "config.yaml": long }));
    const cached = compactConfigMapData(desired);
    expect(isSubset(compactConfigMapData(desired), cached)).toBe(true);
    const edited = compactConfigMapData({ ...desired, data: { "config.yaml": `${long}y` } });
    expect(isSubset(compactConfigMapData(desired), edited)).toBe(false);
    const changed = withAppliedHash(cm({ "config.yaml": `${long}z` }));
    expect(isSubset(compactConfigMapData(changed), cached)).toBe(false);
  });

  it("compacts only ConfigMaps among the children", () => {
    expect(compactChild(cm({ "config.yaml": long })).data["config.yaml"]).toMatch(/^aihub-sha256:/);
    const secret = { ...cm({ "config.yaml": long }), kind: "Secret" };
    expect(compactChild(secret)).toBe(secret);
  });
});
