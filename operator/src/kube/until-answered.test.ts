import { describe, expect, it } from "vitest";
import { ApiError } from "./rest-client.ts";
import { refusedForGood, untilAnswered } from "./until-answered.ts";

describe("untilAnswered", () => {
  it("tries again while the API server is away or busy, waiting longer each time up to the cap", async () => {
    const failures: unknown[] = [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" }),
      new ApiError(503, "apiserver is shutting down"),
      new ApiError(429, "too many requests"),
      new ApiError(500, "etcdserver: request timed out"),
    ];
    const waits: number[] = [];
    const retried: string[] = [];
    let calls = 0;
    const answer = await untilAnswered(
      async () => {
        const err = failures[calls++];
        if (err) throw err;
        return "registered";
      },
      {
        initialMs: 100,
        maxMs: 500,
        sleep: async (ms) => void waits.push(ms),
        onRetry: (err) => void retried.push((err as Error).message),
      },
    );
    expect(answer).toBe("registered");
    expect(calls).toBe(5);
    expect(waits).toEqual([100, 200, 400, 500]);
    expect(retried).toEqual([
      "connect ECONNREFUSED 127.0.0.1:6443",
      "apiserver is shutting down",
      "too many requests",
      "etcdserver: request timed out",
    ]);
  });

  it("throws a refusal for good at once", async () => {
    let calls = 0;
    const forbidden = new ApiError(403, 'cannot patch resource "validatingwebhookconfigurations"');
    await expect(
      untilAnswered(
        async () => {
          calls++;
          throw forbidden;
        },
        { sleep: async () => undefined },
      ),
    ).rejects.toBe(forbidden);
    expect(calls).toBe(1);
  });

  it("gives up once the API server has been away longer than it waits for", async () => {
    let clock = 0;
    let calls = 0;
    const away = new Error("connect ECONNREFUSED 127.0.0.1:6443");
    await expect(
      untilAnswered(
        async () => {
          calls++;
          throw away;
        },
        {
          initialMs: 1000,
          maxMs: 4000,
          forMs: 10_000,
          now: () => clock,
          sleep: async (ms) => {
            clock += ms;
          },
        },
      ),
    ).rejects.toBe(away);
    // Waits 1, 2, 4 s (7 s); the next 4 s would pass the 10 s.
    expect(calls).toBe(4);
    expect(clock).toBe(7000);
  });

  it("tells a refusal for good from the API server being away", () => {
    expect(refusedForGood(new ApiError(403, "forbidden"))).toBe(true);
    expect(refusedForGood(new ApiError(422, "invalid"))).toBe(true);
    expect(refusedForGood(new ApiError(429, "too many requests"))).toBe(false);
    expect(refusedForGood(new ApiError(503, "unavailable"))).toBe(false);
    expect(refusedForGood(new Error("socket hang up"))).toBe(false);
  });
});
