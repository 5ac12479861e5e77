// The live pages' watches, bounded. The portal has no permissions of its own, so a watch runs
// with one user's token: each is keyed by session and collection path, and shared by every
// open page of that session that needs it. A watch nobody listens to lingers `idleMs` (the next
// page of the same person usually wants it again) and is then closed; when `max` watches are
// open, the least recently used idle one is closed to make room, and when none is idle the new
// subscription is refused (the page still works, without live updates). One session may hold at
// most `maxPerOwner` watches (its least recently used idle one makes room), so one person opening
// streams cannot take the live updates of everyone else. 342 municipalities with a few people
// each and a handful of lists per page fit in the default of 2000.

/** One running watch: the pool only starts, notifies and stops it. */
export interface PooledWatch {
  stop(): void;
}

export type WatchFactory<W extends PooledWatch> = (owner: string, path: string, changed: () => void) => W;

interface Entry<W> {
  owner: string;
  path: string;
  watch: W;
  listeners: Set<() => void>;
  idleTimer: NodeJS.Timeout | undefined;
}

export class WatchLimitError extends Error {
  override name = "WatchLimitError";
}

export class WatchPool<W extends PooledWatch> {
  /** Insertion order is recency of use. */
  private readonly entries = new Map<string, Entry<W>>();
  readonly stats = { started: 0, stopped: 0, evicted: 0, refused: 0 };

  private readonly factory: WatchFactory<W>;
  private readonly options: { max: number; idleMs: number; maxPerOwner?: number };

  constructor(factory: WatchFactory<W>, options: { max: number; idleMs: number; maxPerOwner?: number }) {
    this.factory = factory;
    this.options = options;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The running watch of `owner` on `path`, if any (marking it used). */
  peek(owner: string, path: string): W | undefined {
    const entry = this.touch(`${owner}\u0000${path}`);
    return entry?.watch;
  }

  /** Calls `listener` on every change of `path` seen with `owner`'s watch; returns the unsubscribe. */
  subscribe(owner: string, path: string, listener: () => void): () => void {
    const key = `${owner}\u0000${path}`;
    let entry = this.touch(key);
    if (!entry) {
      const perOwner = this.options.maxPerOwner ?? Number.POSITIVE_INFINITY;
      if (this.countOf(owner) >= perOwner && !this.evictOne(owner)) {
        this.stats.refused++;
        throw new WatchLimitError(`this session holds all ${perOwner} watches it may`);
      }
      if (this.entries.size >= this.options.max && !this.evictOne()) {
        this.stats.refused++;
        throw new WatchLimitError(`all ${this.options.max} watches are in use`);
      }
      const listeners = new Set<() => void>();
      const watch = this.factory(owner, path, () => {
        for (const l of listeners) l();
      });
      entry = { owner, path, watch, listeners, idleTimer: undefined };
      this.entries.set(key, entry);
      this.stats.started++;
    }
    const e = entry;
    clearTimeout(e.idleTimer);
    e.idleTimer = undefined;
    e.listeners.add(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      e.listeners.delete(listener);
      if (e.listeners.size === 0 && this.entries.get(key) === e) {
        e.idleTimer = setTimeout(() => this.remove(key), this.options.idleMs);
        e.idleTimer.unref?.();
      }
    };
  }

  /** Closes every watch of `owner` (a session that ended). */
  closeOwner(owner: string): void {
    for (const [key, e] of [...this.entries]) if (e.owner === owner) this.remove(key);
  }

  closeAll(): void {
    for (const key of [...this.entries.keys()]) this.remove(key);
  }

  private touch(key: string): Entry<W> | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  private countOf(owner: string): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.owner === owner) n++;
    return n;
  }

  /** Closes the least recently used idle watch (of `owner`, when given); false when there is none. */
  private evictOne(owner?: string): boolean {
    for (const [key, e] of this.entries) {
      if (e.listeners.size === 0 && (owner === undefined || e.owner === owner)) {
        this.remove(key);
        this.stats.evicted++;
        return true;
      }
    }
    return false;
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    clearTimeout(e.idleTimer);
    this.entries.delete(key);
    e.watch.stop();
    this.stats.stopped++;
  }
}
