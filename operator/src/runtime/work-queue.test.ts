import { afterEach, describe, expect, it, vi } from "vitest";
import { ExponentialBackoffRateLimiter } from "./rate-limiter.ts";
import { type Timers, WorkQueue, type WorkQueueMetrics } from "./work-queue.ts";

/** Lets every pending promise callback and I/O turn run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A get() whose outcome can be inspected without awaiting it. */
function track(promise: Promise<string | undefined>) {
  const state: { settled: boolean; key: string | undefined } = { settled: false, key: undefined };
  promise.then((key) => {
    state.settled = true;
    state.key = key;
  });
  return state;
}

function recordingMetrics() {
  const calls = {
    depth: [] as number[],
    adds: 0,
    retries: 0,
    queueLatency: [] as number[],
    workDuration: [] as number[],
  };
  const metrics: WorkQueueMetrics = {
    depth: (n) => calls.depth.push(n),
    add: () => calls.adds++,
    retry: () => calls.retries++,
    queueLatency: (s) => calls.queueLatency.push(s),
    workDuration: (s) => calls.workDuration.push(s),
  };
  return { calls, metrics };
}

describe("WorkQueue deduplication", () => {
  it("hands out a key added 1,000 times while waiting once", async () => {
    const { calls, metrics } = recordingMetrics();
    const queue = new WorkQueue({ metrics });
    for (let i = 0; i < 1000; i++) queue.add("ns/a");
    expect(queue.len()).toBe(1);
    expect(calls.adds).toBe(1);

    expect(await queue.get()).toBe("ns/a");
    expect(queue.len()).toBe(0);
    const second = track(queue.get());
    await settle();
    expect(second.settled).toBe(false);

    queue.shutDown();
    await settle();
    expect(second).toEqual({ settled: true, key: undefined });
  });

  it("hands out a key added during processing again exactly once after done, never to two workers", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    const first = await queue.get();
    expect(first).toBe("a");

    const idle = [track(queue.get()), track(queue.get()), track(queue.get())];
    for (let i = 0; i < 10; i++) queue.add("a");
    expect(queue.len()).toBe(1);
    await settle();
    expect(idle.filter((w) => w.settled)).toHaveLength(0);

    queue.done("a");
    await settle();
    expect(idle.filter((w) => w.settled)).toEqual([{ settled: true, key: "a" }]);

    queue.done("a");
    await settle();
    expect(idle.filter((w) => w.settled)).toHaveLength(1);
    queue.shutDown();
    await settle();
    expect(idle.map((w) => w.key).sort()).toEqual(["a", undefined, undefined]);
  });

  it("under concurrent workers and adds, never processes a key twice at once and loses no add", async () => {
    const queue = new WorkQueue();
    const keys = ["a", "b", "c", "ns/d", "ns/e"];
    const active = new Set<string>();
    const overlaps: string[] = [];
    // A global sequence: each key's last processing must start after its last add.
    let seq = 0;
    const lastAdd = new Map<string, number>();
    const lastStart = new Map<string, number>();
    let processed = 0;

    const worker = async () => {
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
        if (active.has(key)) overlaps.push(key);
        active.add(key);
        lastStart.set(key, ++seq);
        processed++;
        for (let i = 0; i < 1 + (processed % 3); i++) await settle();
        active.delete(key);
        queue.done(key);
      }
    };
    const workers = Array.from({ length: 4 }, worker);

    for (let round = 0; round < 200; round++) {
      const key = keys[(round * 7) % keys.length] as string;
      queue.add(key);
      lastAdd.set(key, ++seq);
      if (round % 3 === 0) await settle();
    }
    while (queue.len() > 0 || active.size > 0) await settle();
    await queue.shutDownWithDrain();
    await Promise.all(workers);

    expect(overlaps).toEqual([]);
    for (const key of keys) expect(lastStart.get(key)).toBeGreaterThan(lastAdd.get(key) ?? Infinity);
    // Deduplication means far fewer runs than adds.
    expect(processed).toBeLessThan(200);
  });
});

describe("WorkQueue waiting (keys a free worker could take)", () => {
  it("counts waiting keys, not one re-added while a worker has it", async () => {
    const q = new WorkQueue();
    q.add("a");
    q.add("b");
    expect(q.waiting()).toBe(2);
    const a = await q.get();
    expect(a).toBe("a");
    expect(q.waiting()).toBe(1);
    q.add("a"); // its own children's events while it is reconciled
    expect(q.len()).toBe(2);
    expect(q.waiting()).toBe(1);
    q.done("a"); // handed out again: waiting now
    expect(q.waiting()).toBe(2);
  });
});

describe("WorkQueue order", () => {
  it("hands out waiting keys first in, first out", async () => {
    const queue = new WorkQueue();
    for (const key of ["c", "a", "ns/b", "a", "d"]) queue.add(key);
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await queue.get());
    expect(got).toEqual(["c", "a", "ns/b", "d"]);
  });

  it("puts a key re-added during processing behind keys that waited meanwhile", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    expect(await queue.get()).toBe("a");
    queue.add("a");
    queue.add("b");
    queue.done("a");
    expect(await queue.get()).toBe("b");
    expect(await queue.get()).toBe("a");
  });

  it("serves concurrent get() callers in the order they called", async () => {
    const queue = new WorkQueue();
    const waiting = [queue.get(), queue.get(), queue.get()];
    queue.add("x");
    queue.add("y");
    queue.add("z");
    expect(await Promise.all(waiting)).toEqual(["x", "y", "z"]);
  });

  it("keeps order across many keys (the ready list compacts)", async () => {
    const queue = new WorkQueue();
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    for (const key of keys.slice(0, 3000)) queue.add(key);
    const got: string[] = [];
    for (let i = 0; i < 2000; i++) got.push((await queue.get()) as string);
    for (const key of keys.slice(3000)) queue.add(key);
    while (queue.len() > 0) got.push((await queue.get()) as string);
    expect(got).toEqual(keys);
  });
});

describe("WorkQueue delays", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("adds a key after the given delay", async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue({ now: () => Date.now() });
    queue.addAfter("a", 100);
    expect(queue.len()).toBe(0);
    vi.advanceTimersByTime(99);
    expect(queue.len()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe("a");
  });

  it("adds at once when the delay is not positive", () => {
    const queue = new WorkQueue();
    queue.addAfter("a", 0);
    queue.addAfter("b", -5);
    expect(queue.len()).toBe(2);
  });

  it("keeps the earliest of several delayed adds for one key", () => {
    vi.useFakeTimers();
    const { calls, metrics } = recordingMetrics();
    const queue = new WorkQueue({ now: () => Date.now(), metrics });
    queue.addAfter("a", 500);
    queue.addAfter("a", 100);
    queue.addAfter("a", 300);
    vi.advanceTimersByTime(100);
    expect(queue.len()).toBe(1);
    expect(calls.adds).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(calls.adds).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("backs off exponentially on addRateLimited and starts over after forget", async () => {
    vi.useFakeTimers();
    const rateLimiter = new ExponentialBackoffRateLimiter({ baseDelayMs: 10, maxDelayMs: 35 });
    const queue = new WorkQueue({ now: () => Date.now(), rateLimiter });

    const delayOfNextRetry = async () => {
      queue.addRateLimited("a");
      let waited = 0;
      while (queue.len() === 0 && waited < 10_000) {
        vi.advanceTimersByTime(1);
        waited++;
      }
      expect(await queue.get()).toBe("a");
      queue.done("a");
      return waited;
    };

    expect(await delayOfNextRetry()).toBe(10);
    expect(await delayOfNextRetry()).toBe(20);
    expect(await delayOfNextRetry()).toBe(35);
    expect(queue.numRequeues("a")).toBe(3);
    queue.forget("a");
    expect(queue.numRequeues("a")).toBe(0);
    expect(await delayOfNextRetry()).toBe(10);
  });

  it("uses the injected timers and cancels pending delayed adds on shutdown", () => {
    const scheduled = new Map<number, { callback: () => void; ms: number }>();
    let nextHandle = 1;
    const timers: Timers = {
      setTimeout: (callback, ms) => {
        scheduled.set(nextHandle, { callback, ms });
        return nextHandle++;
      },
      clearTimeout: (handle) => scheduled.delete(handle as number),
    };
    let clock = 0;
    const queue = new WorkQueue({ timers, now: () => clock });
    queue.addAfter("a", 50);
    queue.addAfter("b", 70);
    expect([...scheduled.values()].map((t) => t.ms)).toEqual([50, 70]);

    clock = 50;
    scheduled.get(1)?.callback();
    expect(queue.len()).toBe(1);

    queue.shutDown();
    expect(scheduled.has(2)).toBe(false);
  });
});

describe("WorkQueue shutdown", () => {
  it("with drain, waits for keys in flight and resolves idle get() with undefined", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    queue.add("b");
    expect(await queue.get()).toBe("a");
    expect(await queue.get()).toBe("b");
    const idle = track(queue.get());

    let drained = false;
    const drain = queue.shutDownWithDrain().then(() => {
      drained = true;
    });
    await settle();
    expect(idle).toEqual({ settled: true, key: undefined });
    expect(queue.isShuttingDown()).toBe(true);

    queue.add("c");
    expect(queue.len()).toBe(0);
    queue.done("a");
    await settle();
    expect(drained).toBe(false);
    queue.done("b");
    await drain;
    expect(drained).toBe(true);
    expect(await queue.get()).toBeUndefined();
  });

  it("still hands out keys that were waiting, then undefined", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    queue.add("b");
    queue.shutDown();
    expect(await queue.get()).toBe("a");
    expect(await queue.get()).toBe("b");
    expect(await queue.get()).toBeUndefined();
    queue.done("a");
    queue.done("b");
    await queue.shutDownWithDrain();
  });

  it("refuses delayed and rate-limited adds after shutdown", () => {
    vi.useFakeTimers();
    try {
      const queue = new WorkQueue({ now: () => Date.now() });
      queue.shutDown();
      queue.addAfter("a", 10);
      queue.addRateLimited("b");
      vi.advanceTimersByTime(1000);
      expect(queue.len()).toBe(0);
      expect(queue.numRequeues("b")).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("WorkQueue metrics", () => {
  it("reports depth, adds, retries, queue latency and work duration", async () => {
    let clock = 1000;
    const { calls, metrics } = recordingMetrics();
    const queue = new WorkQueue({ metrics, now: () => clock });

    queue.add("a");
    queue.add("a");
    queue.add("b");
    expect(calls.adds).toBe(2);
    expect(calls.depth).toEqual([1, 2]);

    clock += 250;
    expect(await queue.get()).toBe("a");
    expect(calls.queueLatency).toEqual([0.25]);
    expect(calls.depth.at(-1)).toBe(1);

    clock += 1500;
    queue.done("a");
    expect(calls.workDuration).toEqual([1.5]);

    expect(await queue.get()).toBe("b");
    expect(calls.queueLatency).toEqual([0.25, 1.75]);
    expect(calls.depth.at(-1)).toBe(0);

    queue.addRateLimited("b");
    queue.addAfter("c", 0);
    expect(calls.retries).toBe(2);
    expect(calls.adds).toBe(3);
  });

  it("counts the wait behind a key's own processing as queue latency", async () => {
    let clock = 0;
    const { calls, metrics } = recordingMetrics();
    const queue = new WorkQueue({ metrics, now: () => clock });
    queue.add("a");
    await queue.get();
    clock = 100;
    queue.add("a");
    clock = 400;
    queue.done("a");
    await queue.get();
    expect(calls.queueLatency).toEqual([0, 0.3]);
    expect(calls.workDuration).toEqual([0.4]);
  });

  it("defaults to performance.now() for durations", async () => {
    const { calls, metrics } = recordingMetrics();
    const queue = new WorkQueue({ metrics });
    queue.add("a");
    await queue.get();
    await new Promise((resolve) => setTimeout(resolve, 20));
    queue.done("a");
    expect(calls.workDuration[0]).toBeGreaterThanOrEqual(0.015);
    expect(calls.workDuration[0]).toBeLessThan(5);
  });
});
