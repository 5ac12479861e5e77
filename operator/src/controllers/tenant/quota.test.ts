import { describe, expect, it } from "vitest";
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { renderResourceQuota, uncountedQuota } from "./quota.ts";

const tenant = {
  apiVersion: "aihub.gemeenten.nl/v1alpha1",
  kind: "MunicipalTenant",
  metadata: { name: "utrecht" },
  spec: { municipalityCode: "GM0344", displayName: "Utrecht", quota: { activations: 2 } },
} as unknown as MunicipalTenant;

describe("uncountedQuota", () => {
  const desired = renderResourceQuota(tenant, 4);
  const hard = (desired.spec as { hard: Record<string, string> }).hard;
  const zero = Object.fromEntries(Object.keys(hard).map((k) => [k, "0"]));

  it("names every limit while the quota has no status yet", () => {
    expect(uncountedQuota(undefined, desired)).toEqual(Object.keys(hard));
    expect(uncountedQuota({ metadata: {} }, desired)).toEqual(Object.keys(hard));
  });

  it("names a limit that is counted but still for an older spec (status.hard differs)", () => {
    const live = { metadata: {}, status: { hard: { ...hard, services: "30" }, used: zero } };
    expect(uncountedQuota(live, desired)).toEqual(["services"]);
  });

  it("names a new limit that is not counted yet", () => {
    const { configmaps: _, ...used } = zero;
    expect(uncountedQuota({ metadata: {}, status: { hard, used } }, desired)).toEqual(["configmaps"]);
  });

  it("is empty once every limit of the rendered quota is counted", () => {
    expect(uncountedQuota({ metadata: {}, status: { hard, used: zero } }, desired)).toEqual([]);
  });
});
