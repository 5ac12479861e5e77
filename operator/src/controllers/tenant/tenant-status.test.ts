import { describe, expect, it } from "vitest";
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { holdFirstTenantStatus, mayHoldFirstTenantStatus, tenantStatus } from "./tenant-status.ts";

const tenant = (status?: MunicipalTenant["status"]): MunicipalTenant =>
  ({
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "MunicipalTenant",
    metadata: { name: "utrecht", generation: 2 },
    spec: { municipalityCode: "GM0344", displayName: "Utrecht", rolloutRing: "general", deletionProtection: true },
    status,
  }) as MunicipalTenant;

const ok = (message: string) => ({ ok: true as const, message });
const now = new Date("2026-11-28T10:00:00Z");

describe("tenantStatus", () => {
  it("is Ready when namespace, policies and RBAC are, with Ready listed first", () => {
    const s = tenantStatus(tenant(), { namespace: ok("ns"), policies: ok("p"), rbac: ok("r") }, now);
    expect(s.phase).toBe("Ready");
    expect(s.namespace).toBe("utrecht");
    expect(s.observedGeneration).toBe(2);
    expect(s.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      "Ready=True",
      "NamespaceReady=True",
      "PoliciesReady=True",
      "RBACReady=True",
    ]);
    expect(s.conditions?.[0]?.message).toBe("ns; p; r");
  });

  it("fails with the namespace's reason and leaves the rest Unknown when the namespace is someone else's", () => {
    const s = tenantStatus(
      tenant(),
      { namespace: { ok: false, reason: "NamespaceConflict", message: "namespace utrecht already exists" } },
      now,
    );
    expect(s.phase).toBe("Failed");
    expect(s.conditions?.[0]).toMatchObject({ type: "Ready", status: "False", reason: "NamespaceConflict" });
    expect(s.conditions?.[0]?.message).toContain("NamespaceReady: namespace utrecht already exists");
    expect(s.conditions?.find((c) => c.type === "PoliciesReady")).toMatchObject({
      status: "Unknown",
      reason: "Blocked",
    });
  });

  it("is Pending, not Failed, while a part waits for something that is not wrong (the quota not yet counted)", () => {
    const pending = { ok: false as const, pending: true, reason: "QuotaNotCounted", message: "waiting" };
    const s = tenantStatus(tenant(), { namespace: ok("ns"), policies: pending, rbac: ok("r") }, now);
    expect(s.phase).toBe("Pending");
    expect(s.conditions?.[0]).toMatchObject({ type: "Ready", status: "Unknown", reason: "QuotaNotCounted" });
  });

  it("keeps transition times when nothing changed, so an unchanged resync writes nothing", () => {
    const outcome = { namespace: ok("ns"), policies: ok("p"), rbac: ok("r") };
    const first = tenantStatus(tenant(), outcome, now);
    const again = tenantStatus(tenant(JSON.parse(JSON.stringify(first))), outcome, new Date("2026-11-29T00:00:00Z"));
    expect(again).toEqual(first);
  });

  it("says Terminating while the tenant is being deleted", () => {
    const s = tenantStatus(
      tenant(),
      { namespace: { ok: false, reason: "Deleting", message: "waiting" }, terminating: true },
      now,
    );
    expect(s.phase).toBe("Terminating");
  });
});

describe("holdFirstTenantStatus (one status write for a new tenant instead of two)", () => {
  const ok = { ok: true as const, message: "done" };
  const counting = { ok: false as const, reason: "QuotaNotCounted", message: "waiting", pending: true };
  const base = {
    hasStatus: false,
    outcome: { namespace: ok, policies: counting, rbac: ok },
    created: "2026-11-30T10:00:00Z",
    now: new Date("2026-11-30T10:00:02Z"),
    holdMs: 5000,
  };

  it("holds while only the quota's count is awaited, until holdMs after the tenant was created", () => {
    expect(holdFirstTenantStatus(base)).toBe(3000);
    expect(holdFirstTenantStatus({ ...base, now: new Date("2026-11-30T10:00:05Z") })).toBeUndefined();
    // A tenant first held by a busy controller (FirstStatusHolds): up to 180 s.
    expect(holdFirstTenantStatus({ ...base, now: new Date("2026-11-30T10:01:00Z"), holdMs: 180_000 })).toBe(120_000);
    expect(holdFirstTenantStatus({ ...base, now: new Date("2026-11-30T10:03:00Z"), holdMs: 180_000 })).toBeUndefined();
  });

  it("looks again after recheckMs when that is sooner (an activation count to write again), still held", () => {
    const busy = { ...base, holdMs: 180_000 };
    expect(holdFirstTenantStatus({ ...busy, recheckMs: 1000 })).toBe(1000);
    expect(holdFirstTenantStatus({ ...base, now: new Date("2026-11-30T10:00:04.5Z"), recheckMs: 1000 })).toBe(500);
  });

  it("never holds longer than holdMs (a creation time ahead of the operator's clock), nor with a hold of 0", () => {
    expect(holdFirstTenantStatus({ ...base, created: "2026-11-30T10:01:00Z" })).toBe(5000);
    expect(holdFirstTenantStatus({ ...base, holdMs: 0 })).toBeUndefined();
  });

  it("writes at once when the tenant has a status, is Ready, failed, or is being deleted", () => {
    expect(holdFirstTenantStatus({ ...base, hasStatus: true })).toBeUndefined();
    expect(holdFirstTenantStatus({ ...base, outcome: { namespace: ok, policies: ok, rbac: ok } })).toBeUndefined();
    const failed = { ok: false as const, reason: "RBACApplyFailed", message: "no" };
    expect(holdFirstTenantStatus({ ...base, outcome: { ...base.outcome, rbac: failed } })).toBeUndefined();
    expect(holdFirstTenantStatus({ ...base, outcome: { namespace: ok, policies: counting } })).toBeUndefined();
    expect(holdFirstTenantStatus({ ...base, outcome: { ...base.outcome, terminating: true } })).toBeUndefined();
    expect(holdFirstTenantStatus({ ...base, created: undefined })).toBeUndefined();
  });

  it("lets only a tenant that could be held choose its hold (mayHoldFirstTenantStatus)", () => {
    expect(mayHoldFirstTenantStatus(base)).toBe(true);
    expect(mayHoldFirstTenantStatus({ ...base, hasStatus: true })).toBe(false);
    expect(mayHoldFirstTenantStatus({ ...base, outcome: { namespace: ok, policies: ok, rbac: ok } })).toBe(false);
    expect(mayHoldFirstTenantStatus({ ...base, outcome: { ...base.outcome, terminating: true } })).toBe(false);
  });
});
