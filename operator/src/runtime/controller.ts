// A level-based controller: watch caches feed keys into a work queue; N workers reconcile
// them. Events of owned objects map to their owner's key. Errors requeue with per-key
// exponential backoff; terminal errors wait for the object to change; a periodic resync
// queues every key so that drift nobody announced is also found.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { type KubeObject, objectKey, splitKey } from "../kube/object.ts";
import type { WatchCache } from "../kube/watch-cache.ts";
import type { OperatorMetrics } from "./metrics.ts";
import { type Reconciler, TerminalError } from "./reconcile.ts";
import { WorkQueue } from "./work-queue.ts";

export interface OwnedWatch {
  cache: WatchCache<KubeObject>;
  /** Keys of the primary objects that `obj` belongs to. */
  ownerKeys: (obj: KubeObject) => string[];
  /**
   * Which updates concern the primaries; default every update. A watch of objects that many
   * primaries depend on (a block, for all its activations) passes `primaryChanged`, so that a
   * status write of that object does not queue every one of them again.
   */
  changed?: (oldObj: KubeObject, newObj: KubeObject) => boolean;
  /**
   * For updates, the primaries this change concerns, in place of the owners of the old and the
   * new object: a fleet rollout's status write names the few activations it moved, not all 342.
   */
  updateKeys?: (oldObj: KubeObject, newObj: KubeObject) => string[];
}

export interface ControllerOptions {
  name: string;
  /** The kind this controller reconciles, for logs. */
  kind: string;
  primary: WatchCache<KubeObject>;
  owned?: OwnedWatch[];
  reconcile: Reconciler;
  workers?: number;
  /** Queue every primary key this often. Default 10 minutes; 0 disables. */
  resyncPeriodMs?: number;
  log: Logger;
  metrics: OperatorMetrics;
}

/** Whether an update of the primary object calls for a reconcile: not for our own status writes. */
export function primaryChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const a = oldObj.metadata;
  const b = newObj.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.labels) !== JSON.stringify(b.labels) ||
    JSON.stringify(a.annotations) !== JSON.stringify(b.annotations) ||
    JSON.stringify(a.finalizers) !== JSON.stringify(b.finalizers) ||
    // Kinds without a generation (no status subresource) change resourceVersion only.
    (b.generation === undefined && a.resourceVersion !== b.resourceVersion)
  );
}

/** Maps an owned object to its controller owner's key (same namespace, ownerReference with controller: true). */
export const controllerOwnerKey =
  (ownerKind: string) =>
  (obj: KubeObject): string[] =>
    (obj.metadata.ownerReferences ?? [])
      .filter((r) => r.kind === ownerKind && r.controller)
      .map((r) => objectKey({ metadata: { name: r.name, namespace: obj.metadata.namespace } }));

/** The periodic resync queues the keys in this many slices, one slice per tenth of the period. */
export const RESYNC_SLICES = 10;

/** The resync slice of a key: a hash of it (FNV-1a), so that a key stays in its slice. */
export function resyncSlice(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % RESYNC_SLICES;
}

export class Controller {
  readonly name: string;
  /** One queue per leadership term; undefined while not leading (events are dropped, start() queues all). */
  private queue: WorkQueue | undefined;
  private readonly o: ControllerOptions;
  private workersRunning: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Set by a graceful stop: in-flight reconciles finish, waiting keys are not started. */
  private draining = false;
  /** When each key's last reconcile that did not fail ended (performance.now()), for the periodic resync. */
  private readonly reconciledAt = new Map<string, number>();

  constructor(options: ControllerOptions) {
    this.o = options;
    this.name = options.name;
    options.primary.on({
      add: (o) => this.enqueue(objectKey(o)),
      update: (a, b) => primaryChanged(a, b) && this.enqueue(objectKey(b)),
      delete: (o) => this.enqueue(objectKey(o)),
    });
    for (const owned of options.owned ?? []) {
      const enqueueOwners = (o: KubeObject) => {
        for (const key of owned.ownerKeys(o)) this.enqueue(key);
      };
      const changed = owned.changed ?? (() => true);
      owned.cache.on({
        add: enqueueOwners,
        // The old object's owners too: an object that moved (another block) changes both.
        update: (a, b) => {
          if (!changed(a, b)) return;
          if (owned.updateKeys) {
            for (const key of owned.updateKeys(a, b)) this.enqueue(key);
            return;
          }
          enqueueOwners(a);
          enqueueOwners(b);
        },
        delete: enqueueOwners,
      });
    }
  }

  private enqueue(key: string): void {
    this.queue?.add(key);
  }

  /** Keys waiting in the queue (0 while not leading). */
  depth(): number {
    return this.queue?.len() ?? 0;
  }

  /** Keys a free worker could take now: depth() less those re-added while a worker has them. */
  waiting(): number {
    return this.queue?.waiting() ?? 0;
  }

  /**
   * Starts the workers for one leadership term; `signal` ends the term at once (workers stop
   * taking keys; a reconcile in flight sees the signal). Caches must be synced first.
   */
  start(signal: AbortSignal): void {
    const workers = this.o.workers ?? 2;
    const queue = new WorkQueue({ metrics: this.o.metrics.queueHooks(this.name) });
    this.queue = queue;
    this.draining = false;
    const stop = signal;
    this.o.metrics.maxWorkers.set({ controller: this.name }, workers);
    this.resync();
    const period = this.o.resyncPeriodMs ?? 600_000;
    let slice = 0;
    if (period > 0)
      this.resyncTimer = setInterval(() => {
        this.resyncStale(period, performance.now(), slice);
        slice = (slice + 1) % RESYNC_SLICES;
      }, period / RESYNC_SLICES);
    this.workersRunning = Array.from({ length: workers }, () => this.worker(queue, stop));
    stop.addEventListener(
      "abort",
      () => {
        clearInterval(this.resyncTimer);
        queue.shutDown();
        if (this.queue === queue) this.queue = undefined;
      },
      { once: true },
    );
  }

  /**
   * Graceful shutdown: starts no further reconcile and waits for those in flight to finish
   * (their signal is not aborted, so they complete their writes).
   */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.draining = true;
    const queue = this.queue;
    await queue?.shutDownWithDrain();
    await Promise.all(this.workersRunning);
  }

  /** Queues every primary key now. */
  resync(): void {
    for (const key of this.o.primary.keys()) this.enqueue(key);
  }

  /**
   * The periodic resync: queues every primary key that was not reconciled within the last half
   * period. A resync is there to find drift that no event announced; an object reconciled a moment
   * ago was just compared with what it should be. While a fleet converges, a resync of every key
   * put each of 1,710 activations through a reconcile again every period on top of its events (at
   * 342 municipalities with a period of 20 s, thousands of reconciles that found nothing to do).
   * Once the fleet is quiet, every key is older than half a period at each resync, as before.
   *
   * With `slice`, only the keys of that slice (resyncSlice): the timer queues one slice every
   * tenth of the period, so that each key is queued once per period, and a quiet fleet of
   * thousands of objects is not reconciled all at once (at 342 municipalities that burst grew the
   * resident set by 50 MB within seconds, ADR 16).
   */
  resyncStale(periodMs: number, now = performance.now(), slice?: number): void {
    for (const key of this.o.primary.keys()) {
      if (slice !== undefined && resyncSlice(key) !== slice) continue;
      const at = this.reconciledAt.get(key);
      if (at === undefined || now - at >= periodMs / 2) this.enqueue(key);
    }
    if (slice === undefined || slice === 0)
      for (const key of this.reconciledAt.keys()) if (!this.o.primary.get(key)) this.reconciledAt.delete(key);
  }

  private async worker(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        // After the term ended, waiting keys are drained without reconciling them.
        if (!signal.aborted && !this.draining) await this.reconcileOne(queue, key, signal);
      } finally {
        queue.done(key);
      }
    }
  }

  private async reconcileOne(queue: WorkQueue, key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(key);
    const reconcileID = randomUUID();
    const log = this.o.log.child({ controller: this.name, kind: this.o.kind, namespace, name, reconcileID });
    const labels = { controller: this.name };
    const m = this.o.metrics;
    m.activeWorkers.inc(labels);
    const end = m.reconcileTime.startTimer(labels);
    try {
      const result = await this.o.reconcile(key, { log, reconcileID, signal });
      this.reconciledAt.set(key, performance.now());
      if (result?.requeueAfterMs !== undefined) {
        queue.forget(key);
        queue.addAfter(key, result.requeueAfterMs);
        m.reconcileTotal.inc({ ...labels, result: "requeue_after" });
      } else {
        queue.forget(key);
        m.reconcileTotal.inc({ ...labels, result: "success" });
      }
    } catch (err) {
      m.reconcileErrors.inc(labels);
      m.reconcileTotal.inc({ ...labels, result: "error" });
      if (err instanceof TerminalError) {
        m.terminalErrors.inc(labels);
        queue.forget(key);
        log.warn({ reason: err.reason, err: err.message }, "reconcile failed; waiting for a change of the object");
      } else {
        log.error({ err }, "reconcile failed; retrying with backoff");
        queue.addRateLimited(key);
      }
    } finally {
      end();
      m.activeWorkers.dec(labels);
    }
  }
}
