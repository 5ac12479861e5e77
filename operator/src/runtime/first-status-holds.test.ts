import { describe, expect, it } from "vitest";
import { FirstStatusHolds } from "./first-status-holds.ts";

describe("FirstStatusHolds (a longer hold for objects first seen by a busy controller)", () => {
  const holds = (busy: { now: boolean }) =>
    new FirstStatusHolds({ quietMs: 5000, busyMs: 60_000, busy: () => busy.now });

  it("gives the quiet hold while the controller is not busy, the busy hold while it is", () => {
    const busy = { now: false };
    const h = holds(busy);
    expect(h.holdMs("utrecht/a")).toBe(5000);
    busy.now = true;
    expect(h.holdMs("utrecht/b")).toBe(60_000);
  });

  it("keeps a key's hold until forgotten, however busy the controller becomes", () => {
    const busy = { now: true };
    const h = holds(busy);
    expect(h.holdMs("utrecht/a")).toBe(60_000);
    busy.now = false; // the queue drained: the held status still waits for Ready (one write)
    expect(h.holdMs("utrecht/a")).toBe(60_000);
    expect(h.size).toBe(1);
    h.forget("utrecht/a"); // its first status was written
    expect(h.size).toBe(0);
    expect(h.holdMs("utrecht/a")).toBe(5000);
  });

  it("never holds a busy controller's object for less than a quiet one's", () => {
    const h = new FirstStatusHolds({ quietMs: 5000, busyMs: 1000, busy: () => true });
    expect(h.holdMs("utrecht/a")).toBe(5000);
  });
});
