import { describe, expect, it } from "vitest";
import { RESYNC_SLICES, resyncSlice } from "./controller.ts";

describe("resyncSlice", () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `gemeente-${i}/block-${i % 5}`);

  it("puts each key in one slice, the same every time", () => {
    for (const key of keys.slice(0, 50)) {
      const slice = resyncSlice(key);
      expect(slice).toBeGreaterThanOrEqual(0);
      expect(slice).toBeLessThan(RESYNC_SLICES);
      expect(resyncSlice(key)).toBe(slice);
    }
  });

  it("spreads a fleet's keys over the slices, so that no slice holds a burst", () => {
    const counts = new Array<number>(RESYNC_SLICES).fill(0);
    for (const key of keys) counts[resyncSlice(key)] = (counts[resyncSlice(key)] ?? 0) + 1;
    // 200 per slice if even; a slice with twice that would bring back the burst.
    for (const n of counts) expect(n).toBeGreaterThan(140);
    for (const n of counts) expect(n).toBeLessThan(260);
  });
});
