import { describe, expect, it } from "vitest";
import { microTime, rfc3339 } from "./time.ts";

describe("times as the API server writes them", () => {
  const t = new Date("2025-03-01T10:00:00.123Z");

  it("rfc3339 drops the milliseconds", () => {
    expect(rfc3339(t)).toBe("2025-03-01T10:00:00Z");
  });

  it("microTime has six fractional digits, from a Date or epoch milliseconds alike", () => {
    expect(microTime(t)).toBe("2025-03-01T10:00:00.123000Z");
    expect(microTime(t.getTime())).toBe("2025-03-01T10:00:00.123000Z");
  });
});
