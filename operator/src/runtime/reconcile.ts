// The contract between the controller loop and a reconciler.
import type { Logger } from "pino";

export interface ReconcileResult {
  /** Reconcile this key again after this long, even if nothing changes (for example to wait on time). */
  requeueAfterMs?: number;
}

export interface ReconcileContext {
  log: Logger;
  reconcileID: string;
  /** Aborted when the controller stops or loses leadership: stop writing at once. */
  signal: AbortSignal;
}

export type Reconciler = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult | undefined>;

/**
 * A failure that retrying cannot fix (a bad spec): reported in status by the reconciler, not
 * retried with backoff. The key is reconciled again when the object changes.
 */
export class TerminalError extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = "TerminalError";
    this.reason = reason;
  }
}
