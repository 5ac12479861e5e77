import { describe, expect, it } from "vitest";
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { quotaChanged, renderResourceQuota, uncountedQuota } from "./quota.ts";

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

describe("quotaChanged (which quota updates queue the tenant)", () => {
  const live = {
    metadata: { name: "aihub-quota", namespace: "utrecht", resourceVersion: "1", labels: { a: "b" } },
    spec: { hard: { pods: "10", "count/configmaps": "20" } },
    status: { hard: { pods: "10", "count/configmaps": "20" }, used: { pods: "1", "count/configmaps": "3" } },
  };
  const next = (change: (o: typeof live) => void) => {
    const o = structuredClone(live);
    o.metadata.resourceVersion = "2";
    change(o);
    return o;
  };

  it("ignores a change of the counts alone, which every create in the namespace makes", () => {
    expect(
      quotaChanged(
        live,
        next((o) => Object.assign(o.status.used, { pods: "2", "count/configmaps": "4" })),
      ),
    ).toBe(false);
  });

  it("sees a resource counted for the first time, a new limit, and a change by anyone of the spec or labels", () => {
    expect(quotaChanged({ ...live, status: { hard: live.status.hard, used: {} } }, live)).toBe(true);
    expect(quotaChanged({ ...live, status: undefined } as never, live)).toBe(true);
    expect(
      quotaChanged(
        live,
        next((o) => Object.assign(o.status.hard, { pods: "11" })),
      ),
    ).toBe(true);
    expect(
      quotaChanged(
        live,
        next((o) => Object.assign(o.spec.hard, { pods: "1000" })),
      ),
    ).toBe(true);
    expect(
      quotaChanged(
        live,
        next((o) => Object.assign(o.metadata.labels, { a: "c" })),
      ),
    ).toBe(true);
    expect(
      quotaChanged(
        live,
        next((o) => Object.assign(o.metadata, { deletionTimestamp: "2026-11-30T10:00:00Z" })),
      ),
    ).toBe(true);
  });
});
