import { describe, expect, it } from "vitest";
import { activeFreeze, amsterdamTime, inMaintenanceWindow } from "./windows.ts";

const freeze = (name: string, start: string, end: string) => ({
  metadata: { name },
  spec: { start, end, reason: `${name} reason` },
});

describe("amsterdamTime", () => {
  it("follows summer and winter time", () => {
    expect(amsterdamTime(new Date("2027-01-15T10:30:00Z")).stamp).toBe("2027-01-15T11:30"); // CET, +1
    expect(amsterdamTime(new Date("2027-07-15T10:30:00Z")).stamp).toBe("2027-07-15T12:30"); // CEST, +2
    expect(amsterdamTime(new Date("2027-03-17T23:30:00Z"))).toMatchObject({ weekday: "Thursday", minutes: 30 });
  });
});

describe("activeFreeze", () => {
  const elections = freeze("verkiezingen", "2027-03-15T00:00", "2027-03-18T00:00");
  it("holds from start (inclusive) to end (exclusive), in local time", () => {
    // 2027-03-14T23:00Z is 00:00 on the 15th in Amsterdam.
    expect(activeFreeze([elections], new Date("2027-03-14T22:59:00Z"))).toBeUndefined();
    expect(activeFreeze([elections], new Date("2027-03-14T23:00:00Z"))?.name).toBe("verkiezingen");
    expect(activeFreeze([elections], new Date("2027-03-17T22:59:00Z"))?.reason).toBe("verkiezingen reason");
    expect(activeFreeze([elections], new Date("2027-03-17T23:00:00Z"))).toBeUndefined();
  });
  it("names the window that lasts longest when two overlap", () => {
    const yearEnd = freeze("jaarafsluiting", "2027-03-16T00:00", "2027-03-20T00:00");
    expect(activeFreeze([elections, yearEnd], new Date("2027-03-16T12:00:00Z"))?.name).toBe("jaarafsluiting");
  });
});

describe("inMaintenanceWindow", () => {
  const nights = [{ days: ["Friday" as const], start: "22:00", end: "06:00" }];
  it("accepts any time without windows", () => {
    expect(inMaintenanceWindow(undefined, new Date("2027-01-15T10:00:00Z"))).toBe(true);
    expect(inMaintenanceWindow([], new Date("2027-01-15T10:00:00Z"))).toBe(true);
  });
  it("runs a window past midnight into the next day", () => {
    // 2027-01-15 is a Friday; Amsterdam is UTC+1 in January.
    expect(inMaintenanceWindow(nights, new Date("2027-01-15T20:59:00Z"))).toBe(false); // Fri 21:59
    expect(inMaintenanceWindow(nights, new Date("2027-01-15T21:00:00Z"))).toBe(true); // Fri 22:00
    expect(inMaintenanceWindow(nights, new Date("2027-01-16T04:59:00Z"))).toBe(true); // Sat 05:59
    expect(inMaintenanceWindow(nights, new Date("2027-01-16T05:00:00Z"))).toBe(false); // Sat 06:00
    expect(inMaintenanceWindow(nights, new Date("2027-01-16T21:30:00Z"))).toBe(false); // Sat 22:30
  });
  it("keeps a daytime window on its own days", () => {
    const tuesdays = [{ days: ["Tuesday" as const], start: "09:00", end: "12:00" }];
    expect(inMaintenanceWindow(tuesdays, new Date("2027-01-19T08:30:00Z"))).toBe(true); // Tue 09:30
    expect(inMaintenanceWindow(tuesdays, new Date("2027-01-20T08:30:00Z"))).toBe(false); // Wed 09:30
  });
});
