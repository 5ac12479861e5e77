// A keyed work queue with the semantics of client-go's workqueue, for level-based controllers.
// A key waits at most once however often it is added (the reconciler reads the latest state
// anyway), and is never handed to two workers at once: a key added while it is processed is
// parked and handed out again after done(), so no change goes unseen.
import { ExponentialBackoffRateLimiter, type RateLimiter } from "./rate-limiter.ts";

/** The timer functions the queue uses for delayed adds; injectable for tests. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Hooks for metrics, called synchronously. They map onto controller-runtime's workqueue_depth,
 * workqueue_adds_total, workqueue_retries_total, workqueue_queue_duration_seconds and
 * workqueue_work_duration_seconds; the queue itself knows no metrics library.
 */
export interface WorkQueueMetrics {
  /** The new value of len(), after every change. */
  depth(n: number): void;
  /** A key was added that was not already waiting (deduplicated adds are not counted). */
  add(): void;
  /** A delayed add was requested (addAfter or addRateLimited). */
  retry(): void;
  /** Seconds between a key's add and the get that handed it out. */
  queueLatency(seconds: number): void;
  /** Seconds between a key's get and its done. */
  workDuration(seconds: number): void;
}

export interface WorkQueueOptions {
  /** Backoff for addRateLimited. Default: exponential from 5 ms to 1000 s. */
  rateLimiter?: RateLimiter;
  /** Default: the global setTimeout and clearTimeout, looked up at each call. */
  timers?: Timers;
  /** A monotonic clock in ms, for delays and metrics. Default: performance.now(). */
  now?: () => number;
  metrics?: WorkQueueMetrics;
}

// Node fires a timeout longer than 2^31-1 ms after 1 ms; a capped delay errs the safe way.
const MAX_TIMER_MS = 2 ** 31 - 1;

const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const noMetrics: WorkQueueMetrics = {
  depth: () => {},
  add: () => {},
  retry: () => {},
  queueLatency: () => {},
  workDuration: () => {},
};

type Getter = (key: string | undefined) => void;

export class WorkQueue {
  private readonly rateLimiter: RateLimiter;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly metrics: WorkQueueMetrics;

  /** Keys ready to hand out, oldest first, from `head` on (shifting an array is O(n)). */
  private ready: string[] = [];
  private head = 0;
  /** Keys added and not yet handed out: the ready ones and those parked behind their own processing. */
  private readonly dirty = new Set<string>();
  /** Keys being processed, with the time their get handed them out. */
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  /** Callers of get() waiting for a key, oldest first. Only non-empty while no key is ready. */
  private readonly getters: Getter[] = [];
  private readonly delayed = new Map<string, { readyAt: number; handle: unknown }>();
  private readonly drainers: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.rateLimiter = options.rateLimiter ?? new ExponentialBackoffRateLimiter();
    this.timers = options.timers ?? globalTimers;
    this.now = options.now ?? (() => performance.now());
    this.metrics = options.metrics ?? noMetrics;
  }

  /** Adds `key` unless it is already waiting; a key being processed is handed out again after done(). */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.now());
    this.metrics.add();
    this.metrics.depth(this.dirty.size);
    if (!this.processing.has(key)) this.enqueue(key);
  }

  /**
   * The next key, oldest first, once one is ready. Resolves undefined once the queue is shut down
   * and no key is ready. The caller must call done(key) when it has finished with the key.
   */
  get(): Promise<string | undefined> {
    const key = this.dequeue();
    if (key !== undefined) return Promise.resolve(this.handOut(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile, it becomes ready again. */
  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    this.metrics.workDuration((this.now() - startedAt) / 1000);
    if (this.dirty.has(key)) this.enqueue(key);
    if (this.processing.size === 0) for (const resolve of this.drainers.splice(0)) resolve();
  }

  /** Adds `key` after `ms`; of several pending delayed adds for one key, the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    this.metrics.retry();
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.now() + ms;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.readyAt <= readyAt) return;
      this.timers.clearTimeout(pending.handle);
    }
    const handle = this.timers.setTimeout(
      () => {
        this.delayed.delete(key);
        this.add(key);
      },
      Math.min(ms, MAX_TIMER_MS),
    );
    this.delayed.set(key, { readyAt, handle });
  }

  /** Adds `key` after the rate limiter's backoff for it, counting one more requeue. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets the backoff of `key`, typically after it was processed successfully. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.failures(key);
  }

  /** Keys waiting to be handed out, including those parked until their current processing is done. */
  len(): number {
    return this.dirty.size;
  }

  /** Keys ready to be handed out: len() less those parked until their current processing is done. */
  waiting(): number {
    let parked = 0;
    for (const key of this.processing.keys()) if (this.dirty.has(key)) parked++;
    return this.dirty.size - parked;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting adds and cancels pending delayed adds. Keys already waiting are still handed
   * out; waiting get() callers resolve undefined.
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.delayed.values()) this.timers.clearTimeout(handle);
    this.delayed.clear();
    for (const getter of this.getters.splice(0)) getter(undefined);
  }

  /** shutDown(), then resolves once no key is being processed. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  /** Hands `key` to the longest-waiting get() caller, or makes it ready. */
  private enqueue(key: string): void {
    const getter = this.getters.shift();
    if (getter) getter(this.handOut(key));
    else this.ready.push(key);
  }

  private dequeue(): string | undefined {
    if (this.head === this.ready.length) return undefined;
    const key = this.ready[this.head++];
    if (this.head === this.ready.length) {
      this.ready = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  private handOut(key: string): string {
    const now = this.now();
    const addedAt = this.addedAt.get(key) ?? now;
    this.dirty.delete(key);
    this.addedAt.delete(key);
    this.processing.set(key, now);
    this.metrics.queueLatency((now - addedAt) / 1000);
    this.metrics.depth(this.dirty.size);
    return key;
  }
}
