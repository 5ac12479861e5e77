// Gives the memory of a shrunken heap back to the system.
//
// When V8's heap shrinks after a burst of work (a fleet converging, a new block version going to
// every activation), V8 keeps the freed pages in a pool for reuse. It gives them back only in a
// memory-reducing collection, which it starts by itself only when the isolate is idle in the
// background: never in an operator that reconciles something every few seconds. So the resident
// set stayed at its high-water mark, 31 MB over the heap at 342 municipalities
// (docs/adr/0016-controller-runtime-peer.md). This runs that collection whenever the resident set
// has grown by a threshold since the last one.

/** A memory-reducing full collection: V8's `gc({ flavor: "last-resort" })` with `--expose-gc`. */
export type Collect = () => void;

export interface MemoryReducerOptions {
  /** Collect once the resident set is this many bytes over what it was after the last collection. */
  thresholdBytes: number;
  /** At least this long between two collections, so that growth of live data costs little CPU. */
  minIntervalMs: number;
  rss: () => number;
  collect: Collect;
  now: () => number;
}

/** What one check did: nothing, or a collection with the resident set before and after it. */
export type Reduction = { before: number; after: number; seconds: number } | undefined;

/** The decision, without timers: call `check()` periodically. */
export class MemoryReducer {
  private readonly o: MemoryReducerOptions;
  private baseline: number;
  private last = Number.NEGATIVE_INFINITY;

  constructor(o: MemoryReducerOptions) {
    this.o = o;
    this.baseline = o.rss();
  }

  check(): Reduction {
    const before = this.o.rss();
    // The resident set shrank by itself (pages the heap freed were used again by live data
    // elsewhere, or the system took them): measure growth from there.
    if (before < this.baseline) this.baseline = before;
    if (before - this.baseline < this.o.thresholdBytes) return undefined;
    const start = this.o.now();
    if (start - this.last < this.o.minIntervalMs) return undefined;
    this.o.collect();
    const end = this.o.now();
    this.last = end;
    const after = this.o.rss();
    // Live data that grew stays resident: the next threshold counts from here.
    this.baseline = after;
    return { before, after, seconds: (end - start) / 1000 };
  }
}

/** V8's memory-reducing collection, if node runs with --expose-gc (operator/node-options). */
export function memoryReducingCollection(): Collect | undefined {
  const gc = globalThis.gc;
  if (typeof gc !== "function") return undefined;
  return () => gc({ type: "major", execution: "sync", flavor: "last-resort" });
}

export interface StartOptions {
  thresholdBytes: number;
  checkMs?: number;
  minIntervalMs?: number;
  collect?: Collect;
  rss?: () => number;
  onReduction?: (r: NonNullable<Reduction>) => void;
}

/**
 * Checks every `checkMs` (default 2 s) and collects when the threshold is passed, at most every
 * `minIntervalMs` (default 10 s). Does not start, and says why, when the threshold is 0, when node
 * runs without --expose-gc, or when the resident set cannot be read (no /proc, as in a chroot).
 */
export function startMemoryReducer(o: StartOptions): { stop(): void } | { off: string } {
  if (o.thresholdBytes <= 0) return { off: "--memory-reduce-threshold-mb is 0" };
  const collect = o.collect ?? memoryReducingCollection();
  if (!collect)
    return {
      off: "node runs without --expose-gc: the heap's freed pages stay resident until V8 reuses them (operator/node-options has the flags)",
    };
  const rss = o.rss ?? (() => process.memoryUsage.rss());
  let reducer: MemoryReducer;
  try {
    reducer = new MemoryReducer({
      thresholdBytes: o.thresholdBytes,
      minIntervalMs: o.minIntervalMs ?? 10_000,
      rss,
      collect,
      now: () => performance.now(),
    });
  } catch (err) {
    return { off: `the resident set cannot be read (${String(err)})` };
  }
  const timer = setInterval(() => {
    try {
      const r = reducer.check();
      if (r) o.onReduction?.(r);
    } catch {
      // An unreadable resident set for a moment: the next check tries again.
    }
  }, o.checkMs ?? 2000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
