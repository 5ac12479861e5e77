import { describe, expect, it } from "vitest";
import { zwolle } from "../../test/support/tenant-fixture.ts";
import { membershipOf, tenantsOf } from "./membership.ts";

const tenant = zwolle({
  admins: { users: ["a@zwolle.nl"], groups: ["gm0193-ib"] },
  viewers: { groups: ["gm0193-audit"] },
});

describe("membershipOf", () => {
  it("finds admins by user or group, viewers by group, and nobody else", () => {
    expect(membershipOf(tenant, { username: "a@zwolle.nl", groups: [] })).toBe("admin");
    expect(membershipOf(tenant, { username: "b", groups: ["gm0193-ib"] })).toBe("admin");
    expect(membershipOf(tenant, { username: "c", groups: ["gm0193-audit", "system:authenticated"] })).toBe("viewer");
    expect(membershipOf(tenant, { username: "d", groups: ["system:authenticated"] })).toBeUndefined();
  });
  it("lists only the user's tenants", () => {
    const other = { ...tenant, metadata: { name: "kampen" }, spec: { ...tenant.spec, admins: { users: ["x"] } } };
    expect(
      tenantsOf([other, tenant], { username: "a@zwolle.nl", groups: [] }).map((x) => x.tenant.metadata.name),
    ).toEqual(["zwolle"]);
  });
});
