// Per-key exponential backoff, the shape of controller-runtime's default item limiter: a key that
// keeps failing waits base, 2·base, 4·base, ... up to max; forget() after a success starts over.

/** Decides how long a key waits before its next retry. */
export interface RateLimiter {
  /** The delay in ms before the next retry of `key`; counts one more failure. */
  when(key: string): number;
  /** Resets `key`, typically after it was processed successfully. */
  forget(key: string): void;
  /** How many failures `key` has had since it was last forgotten. */
  failures(key: string): number;
}

export interface ExponentialBackoffOptions {
  /** Delay after the first failure, in ms. Default 5. */
  baseDelayMs?: number;
  /** Longest delay, in ms. Default 1,000,000 (1000 s). */
  maxDelayMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

// 2 ** 1024 is Infinity, and 0 * Infinity is NaN; past this exponent every delay is capped anyway.
const MAX_EXPONENT = 1023;

export class ExponentialBackoffRateLimiter implements RateLimiter {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly counts = new Map<string, number>();

  constructor(options: ExponentialBackoffOptions = {}) {
    const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!Number.isFinite(base) || base < 0)
      throw new RangeError(`baseDelayMs must be a finite number >= 0, got ${base}`);
    if (Number.isNaN(max) || max < base)
      throw new RangeError(`maxDelayMs must be >= baseDelayMs (${base}), got ${max}`);
    this.baseDelayMs = base;
    this.maxDelayMs = max;
  }

  when(key: string): number {
    const failures = this.counts.get(key) ?? 0;
    this.counts.set(key, failures + 1);
    return Math.min(this.baseDelayMs * 2 ** Math.min(failures, MAX_EXPONENT), this.maxDelayMs);
  }

  forget(key: string): void {
    this.counts.delete(key);
  }

  failures(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
