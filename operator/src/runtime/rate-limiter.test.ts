import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_DELAY_MS, ExponentialBackoffRateLimiter } from "./rate-limiter.ts";

describe("ExponentialBackoffRateLimiter", () => {
  it("doubles from 5 ms by default", () => {
    const limiter = new ExponentialBackoffRateLimiter();
    expect([1, 2, 3, 4, 5].map(() => limiter.when("a"))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.failures("a")).toBe(5);
  });

  it("caps at 1000 s by default", () => {
    const limiter = new ExponentialBackoffRateLimiter();
    const delays = Array.from({ length: 20 }, () => limiter.when("a"));
    // 5 * 2^17 = 655,360 ms is the last delay below the cap.
    expect(delays[17]).toBe(655_360);
    expect(delays[18]).toBe(DEFAULT_MAX_DELAY_MS);
    expect(delays[19]).toBe(1_000_000);
  });

  it("stays capped, never Infinity or NaN, after very many failures", () => {
    const limiter = new ExponentialBackoffRateLimiter({ baseDelayMs: 1, maxDelayMs: 60_000 });
    let last = 0;
    for (let i = 0; i < 3000; i++) last = limiter.when("a");
    expect(last).toBe(60_000);
    const zero = new ExponentialBackoffRateLimiter({ baseDelayMs: 0, maxDelayMs: 10 });
    for (let i = 0; i < 3000; i++) last = zero.when("a");
    expect(last).toBe(0);
  });

  it("takes base and max as options", () => {
    const limiter = new ExponentialBackoffRateLimiter({ baseDelayMs: 100, maxDelayMs: 350 });
    expect([1, 2, 3, 4].map(() => limiter.when("a"))).toEqual([100, 200, 350, 350]);
  });

  it("counts each key on its own and forget resets one key", () => {
    const limiter = new ExponentialBackoffRateLimiter({ baseDelayMs: 10 });
    limiter.when("a");
    limiter.when("a");
    limiter.when("b");
    expect(limiter.failures("a")).toBe(2);
    expect(limiter.failures("b")).toBe(1);
    expect(limiter.failures("c")).toBe(0);

    limiter.forget("a");
    expect(limiter.failures("a")).toBe(0);
    expect(limiter.failures("b")).toBe(1);
    expect(limiter.when("a")).toBe(10);
    expect(limiter.when("b")).toBe(20);
  });

  it("rejects options that make no sense", () => {
    expect(() => new ExponentialBackoffRateLimiter({ baseDelayMs: -1 })).toThrow(RangeError);
    expect(() => new ExponentialBackoffRateLimiter({ baseDelayMs: Number.NaN })).toThrow(RangeError);
    expect(() => new ExponentialBackoffRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
  });
});
