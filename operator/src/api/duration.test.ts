import { describe, expect, it } from "vitest";
import { durationMs, formatDuration } from "./duration.ts";

describe("durationMs", () => {
  it("adds up units", () => {
    expect(durationMs("30s")).toBe(30_000);
    expect(durationMs("1h30m")).toBe(5_400_000);
    expect(durationMs("250ms")).toBe(250);
    expect(durationMs("0s")).toBe(0);
  });
  it("refuses what is not a whole duration, naming the value", () => {
    expect(() => durationMs("-5m")).toThrow('"-5m" is not a duration such as 30s, 10m or 1h30m');
    expect(() => durationMs("1.5h")).toThrow(/not a duration/);
    expect(() => durationMs("10")).toThrow(/not a duration/);
  });
});

describe("formatDuration", () => {
  it("writes what a person reads", () => {
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(3_600_000)).toBe("1h");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(1500)).toBe("2s");
  });
});
