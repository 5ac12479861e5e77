// The speed probe (bench/speed-probe.ts): what it sums up, and its process, started and stopped.
import { describe, expect, it } from "vitest";
import { fixedWork, startSpeedProbe, summarize } from "./speed-probe.ts";

describe("speed probe", () => {
  it("sums up the pieces as mean, fastest and slowest, and nothing as nothing", () => {
    expect(summarize([40, 52, 60, 44])).toEqual({ pieces: 4, meanMs: 49, minMs: 40, maxMs: 60 });
    expect(summarize([33.333])).toEqual({ pieces: 1, meanMs: 33.3, minMs: 33.3, maxMs: 33.3 });
    expect(summarize([])).toBeUndefined();
  });

  it("does the same work every time", () => {
    expect(fixedWork(3)).toBe(fixedWork(3));
    expect(fixedWork(6)).toBe(2 * fixedWork(3));
  });

  it("times pieces in a process of its own and stops it", async () => {
    const probe = startSpeedProbe(50);
    const until = Date.now() + 30_000;
    while (probe.pieces() < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const speed = await probe.stop();
    expect(speed?.pieces).toBeGreaterThanOrEqual(3);
    expect(speed?.minMs).toBeGreaterThan(0);
    expect(speed?.maxMs).toBeGreaterThanOrEqual(speed?.meanMs ?? Number.POSITIVE_INFINITY);
    expect(speed?.cores).toBeGreaterThan(0);
    expect(speed?.stolenCores).toBeGreaterThanOrEqual(0);
    expect(() => process.kill(probe.pid, 0)).toThrow(/ESRCH/);
    // Stopping again answers the same.
    expect(await probe.stop()).toEqual(speed);
  });
});
