// Start-up requests that must not end the process while the API server is away.
import { ApiError } from "./rest-client.ts";

/**
 * Whether the API server answered with a refusal that asking again will not change: a 4xx other
 * than 429 (too many requests). No answer at all (refused connection, timeout), 429 and 5xx are
 * the API server away or busy: a restart, an upgrade of the control plane, etcd elsewhere.
 */
export const refusedForGood = (err: unknown): boolean =>
  err instanceof ApiError && err.code >= 400 && err.code < 500 && err.code !== 429;

export interface UntilAnsweredOptions {
  /** First wait; doubled after each failure up to maxMs. */
  initialMs?: number;
  maxMs?: number;
  /** How long to keep trying (default 5 minutes); then the last error is thrown. */
  forMs?: number;
  now?: () => number;
  /** Told of each failure that is retried, with the wait before the next try. */
  onRetry?: (err: unknown, waitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` until the API server answers it: while it is away or busy, waits (doubling, at
 * most `maxMs`) and tries again. A refusal for good (refusedForGood) is thrown at once, and any
 * error once `forMs` have passed (what keeps failing that long is more than an outage).
 */
export async function untilAnswered<T>(attempt: () => Promise<T>, o: UntilAnsweredOptions = {}): Promise<T> {
  const maxMs = o.maxMs ?? 10_000;
  const now = o.now ?? Date.now;
  const deadline = now() + (o.forMs ?? 300_000);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let waitMs = o.initialMs ?? 250; ; waitMs = Math.min(maxMs, waitMs * 2)) {
    try {
      return await attempt();
    } catch (err) {
      if (refusedForGood(err) || now() + waitMs > deadline) throw err;
      o.onRetry?.(err, waitMs);
      await sleep(waitMs);
    }
  }
}
