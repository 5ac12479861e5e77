// consistently, on a fake clock: when it probes, and what it says when the condition breaks.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consistently } from "./cluster.ts";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `check` on the fake clock for `ms`; resolves with "held" or the error's message. */
async function outcome(check: Promise<void>, ms: number): Promise<string> {
  const settled = check.then(
    () => "held",
    (err: Error) => err.message,
  );
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe("consistently", () => {
  it("probes every 100 ms until the end of the window, the last time at its end, and holds", async () => {
    const start = Date.now();
    const probedAt: number[] = [];
    const probe = async () => {
      probedAt.push(Date.now() - start);
      return undefined;
    };
    expect(await outcome(consistently("nothing written", probe, 250), 1000)).toBe("held");
    expect(probedAt).toEqual([0, 100, 200, 250]);
  });

  it("fails at once, naming what it checked and the value seen, and probes no more", async () => {
    let calls = 0;
    const probe = () => (++calls === 4 ? { writes: 3 } : undefined);
    const message = await outcome(consistently("no writes after the resync", probe, 1000), 2000);
    expect(message).toBe('no writes after the resync: broken after 300 ms, seen: {"writes":3}');
    expect(calls).toBe(4);
  });

  it("catches a violation that shows only at the end of the window", async () => {
    const start = Date.now();
    const probe = () => (Date.now() - start >= 250 ? "a reconcile" : undefined);
    expect(await outcome(consistently("no reconcile", probe, 250), 1000)).toBe(
      "no reconcile: broken after 250 ms, seen: a reconcile",
    );
  });

  it("fails when the probe throws: a check that cannot look does not pass", async () => {
    let calls = 0;
    const probe = async () => {
      if (++calls === 2) throw new Error("connection refused");
      return undefined;
    };
    expect(await outcome(consistently("no mirror", probe, 1000), 2000)).toBe(
      "no mirror: probe failed after 100 ms: Error: connection refused",
    );
  });
});
