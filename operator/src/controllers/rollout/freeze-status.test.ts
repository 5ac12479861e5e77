import { describe, expect, it } from "vitest";
import { freezeStatus } from "./freeze-status.ts";

const freeze = {
  metadata: { name: "verkiezingen", generation: 1 },
  spec: { start: "2027-03-15T00:00", end: "2027-03-18T00:00", reason: "Provinciale Statenverkiezingen" },
};

describe("freezeStatus", () => {
  it("says Scheduled, InForce and Ended by the local time in Amsterdam", () => {
    const at = (iso: string) => freezeStatus(freeze, new Date(iso));
    expect(at("2027-03-14T22:00:00Z").status.conditions[0]).toMatchObject({ status: "False", reason: "Scheduled" });
    const active = at("2027-03-14T23:00:00Z");
    expect(active.status.conditions[0]).toMatchObject({
      status: "True",
      reason: "InForce",
      message: "no rollout moves until 2027-03-18T00:00 (Europe/Amsterdam): Provinciale Statenverkiezingen",
    });
    expect(active.recheckAfterMs).toBe(30_000);
    const ended = at("2027-03-17T23:00:00Z");
    expect(ended.status.conditions[0]).toMatchObject({ status: "False", reason: "Ended" });
    expect(ended.recheckAfterMs).toBeUndefined();
  });
});
