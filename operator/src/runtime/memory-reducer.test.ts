import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MemoryReducer, startMemoryReducer } from "./memory-reducer.ts";

const MB = 1024 * 1024;

/** A resident set and a clock the test moves; a collection gives back `freed` bytes. */
function fake(freed = 0) {
  const s = { rss: 100 * MB, now: 0, collections: 0 };
  const reducer = new MemoryReducer({
    thresholdBytes: 16 * MB,
    minIntervalMs: 10_000,
    rss: () => s.rss,
    collect: () => {
      s.collections++;
      s.now += 150;
      s.rss -= freed;
    },
    now: () => s.now,
  });
  return { s, reducer };
}

describe("MemoryReducer", () => {
  it("collects once the resident set has grown by the threshold, and not before", () => {
    const { s, reducer } = fake(20 * MB);
    s.rss += 15 * MB;
    expect(reducer.check()).toBeUndefined();
    s.rss += 1 * MB;
    expect(reducer.check()).toEqual({ before: 116 * MB, after: 96 * MB, seconds: 0.15 });
    expect(s.collections).toBe(1);
  });

  it("counts the next growth from the resident set after the collection, so live data that grew costs one collection", () => {
    const { s, reducer } = fake(0);
    s.rss += 16 * MB;
    expect(reducer.check()).toBeDefined();
    s.now += 60_000;
    s.rss += 15 * MB;
    expect(reducer.check()).toBeUndefined();
    expect(s.collections).toBe(1);
  });

  it("waits the minimum interval between two collections", () => {
    const { s, reducer } = fake(0);
    s.rss += 16 * MB;
    reducer.check();
    s.rss += 16 * MB;
    s.now += 9_000;
    expect(reducer.check()).toBeUndefined();
    s.now += 1_000;
    expect(reducer.check()).toBeDefined();
    expect(s.collections).toBe(2);
  });

  it("measures growth from a resident set that shrank by itself", () => {
    const { s, reducer } = fake(0);
    s.rss -= 30 * MB;
    expect(reducer.check()).toBeUndefined();
    s.rss += 16 * MB;
    expect(reducer.check()).toBeDefined();
  });

  it("does not start, and says why, with a threshold of 0, without a collection, or without a readable resident set", () => {
    expect(startMemoryReducer({ thresholdBytes: 0, collect: () => {} })).toEqual({
      off: "--memory-reduce-threshold-mb is 0",
    });
    if (typeof globalThis.gc !== "function")
      expect(startMemoryReducer({ thresholdBytes: MB })).toMatchObject({ off: expect.stringContaining("--expose-gc") });
    // In a chroot without /proc, as the image test runs it, node cannot read its resident set.
    const noProc = () => {
      throw new Error("ENOENT: no such file or directory, uv_resident_set_memory");
    };
    expect(startMemoryReducer({ thresholdBytes: MB, collect: () => {}, rss: noProc })).toMatchObject({
      off: expect.stringContaining("uv_resident_set_memory"),
    });
  });
});

describe("V8's memory-reducing collection", () => {
  // In a real node process with the operator's flags: a heap that grew and was dropped keeps its
  // pages resident after an ordinary collection; the reducer's collection gives them back.
  it("gives back the pages of a shrunken heap that an ordinary collection keeps", () => {
    const script = `
      const { memoryReducingCollection } = await import(${JSON.stringify(new URL("./memory-reducer.ts", import.meta.url).href)});
      const rss = () => process.memoryUsage.rss() / ${MB};
      let keep = [];
      for (let i = 0; i < 400000; i++) keep.push({ a: "x" + i, b: [i, i + 1], c: { d: i } });
      const grown = rss();
      keep = null;
      globalThis.gc();
      const ordinary = rss();
      memoryReducingCollection()();
      console.log(JSON.stringify({ grown, ordinary, reduced: rss() }));`;
    const out = execFileSync(
      process.execPath,
      ["--max-semi-space-size=4", "--heap-growing-percent=20", "--expose-gc", "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    const { grown, ordinary, reduced } = JSON.parse(out) as { grown: number; ordinary: number; reduced: number };
    expect(ordinary).toBeGreaterThan(grown - 20);
    expect(reduced).toBeLessThan(ordinary - 40);
  });
});
