// A watch cache (informer) for one resource: list, then watch from the list's
// resourceVersion with bookmarks; resume from the last seen resourceVersion when a stream ends;
// relist on 410 Gone; reconnect with jittered exponential backoff on any error and when a
// stream is idle. client-node's informer stops on errors and once aborted healthy watches
// every 30 s, so this one is written on our own client.
import { abortableSleep } from "./abortable-sleep.ts";
import type { ManagedFieldsEntry } from "./foreign-fields.ts";
import { type StringPool, sharedStringPool } from "./intern.ts";
import { sameSpec, withoutManagedFields } from "./kept.ts";
import { type KubeObject, objectKey } from "./object.ts";
import { ApiError, type RestClient, type WatchEvent, WatchIdle } from "./rest-client.ts";

export interface WatchHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export type Indexer<T> = (obj: T) => string[];

/** Why a watch was made again: nothing arrived for idleTimeoutMs, 410 Gone (listed again), or an error. */
export type WatchRestart = "idle" | "expired" | "error";

export interface WatchCacheOptions<T extends KubeObject> {
  client: RestClient;
  /** Collection path, for example /apis/aihub.gemeenten.nl/v1alpha1/municipaltenants or /api/v1/configmaps. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Reconnect when nothing arrives for this long; bookmarks arrive about once a minute. Default 90 s. */
  idleTimeoutMs?: number;
  /** Server-side timeout of one watch request, randomised between this and twice this. Default 300 s. */
  watchTimeoutSeconds?: number;
  /** Page size of a list. Default 500. */
  pageSize?: number;
  backoff?: { initialMs: number; maxMs: number };
  indexers?: Record<string, Indexer<T>>;
  /** The managedFields entries to keep (foreign-fields.ts foreignEntry); by default none. */
  keepManagedFields?: (entry: ManagedFieldsEntry) => boolean;
  /** What is kept of each object, after managedFields (compact.ts); returns a new object or the same. */
  transform?: (obj: T) => T;
  /** Where repeated string values are pooled (intern.ts); by default the pool all caches share. */
  strings?: StringPool;
  /** Reports errors that the cache recovers from (logged by the caller). */
  onError?: (err: unknown, context: string) => void;
  /** Reports each watch made again, and why (counted by the caller). */
  onRestart?: (reason: WatchRestart) => void;
  random?: () => number;
}

interface ListResponse<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

/** Built-in index: objects by the UIDs of their owners. */
export const BY_OWNER = "byOwner";

/** An indexer by the value of one label, for example the tenant a child belongs to. */
export const labelIndexer =
  <T extends KubeObject>(label: string): Indexer<T> =>
  (obj) => {
    const value = obj.metadata.labels?.[label];
    return value === undefined ? [] : [value];
  };

/** Where a writer notes its own writes (WatchCache.noteWrite). */
export type NotesWrites = Pick<WatchCache<KubeObject>, "noteWrite">;

export class WatchCache<T extends KubeObject> {
  private readonly options: WatchCacheOptions<T>;
  private readonly store = new Map<string, T>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly indexers: Record<string, Indexer<T>>;
  private readonly handlers: WatchHandlers<T>[] = [];
  private readonly abort = new AbortController();
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  /** The resourceVersion to resume from; undefined means: list first. */
  private resourceVersion: string | undefined;
  /**
   * By key: an object as the API server answered a write of one's own (noteWrite), and the
   * resourceVersion the cache held then; read in the cached object's place until the cache holds
   * any other version.
   */
  private readonly ownWrites = new Map<string, { held: string; object: T }>();
  /** Counts, for tests and metrics. */
  readonly stats = { lists: 0, watches: 0, relistsAfterGone: 0, reconnects: 0, idleReconnects: 0 };

  constructor(options: WatchCacheOptions<T>) {
    this.options = options;
    this.indexers = {
      [BY_OWNER]: (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid),
      ...options.indexers,
    };
    for (const name of Object.keys(this.indexers)) this.indexes.set(name, new Map());
  }

  /** Registers handlers; call before start() to see the initial list as adds. */
  on(handlers: WatchHandlers<T>): void {
    this.handlers.push(handlers);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been stored. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.ownWrites.get(key)?.object ?? this.store.get(key);
  }

  list(): T[] {
    if (this.ownWrites.size === 0) return [...this.store.values()];
    return [...this.store.keys()].flatMap((k) => this.get(k) ?? []);
  }

  /**
   * Notes a write of one's own: `answer` is the object as the API server answered it, `replaced`
   * the resourceVersion of the object the write was made from (for a write conditional on it, the
   * version it replaced). While the cache still holds that very version (or one's own earlier
   * write on top of it), get, list and byIndex return the answer instead, so that a reconcile soon
   * after the write (another object moved) starts from what was written, not from the version
   * before it, whose writes would meet a 409 Conflict and a read (and, for a status, say again what
   * was already said). Forgotten once the cache holds any other version or none: its watch has
   * brought the write, or something after it. Nothing is noted when the cache holds another version
   * already. Only equal resourceVersions are compared; their order is the API server's business.
   * The handlers are not called: the write's own watch event calls them. A create is noted with
   * `replaced` "": `get` returns it (not `list` or `byIndex`) until the cache holds any version of
   * it, and a relist forgets it (the list may be from before the create, or the object gone).
   */
  noteWrite(answer: T, replaced: string): void {
    const key = objectKey(answer);
    if (!answer.metadata?.resourceVersion) return;
    // "" for an object the cache does not hold (a create: `replaced` is "").
    const current = this.store.get(key)?.metadata.resourceVersion ?? "";
    // A write on top of one's own earlier write, which the cache has not had either, replaces it.
    const own = this.ownWrites.get(key);
    const held =
      current === replaced ? replaced : own?.object.metadata.resourceVersion === replaced ? own.held : undefined;
    if (held !== undefined)
      this.ownWrites.set(key, { held, object: this.kept(answer, own?.object ?? this.store.get(key)) });
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  /** Objects whose indexer returned `value`. */
  byIndex(index: string, value: string): T[] {
    const keys = this.indexes.get(index)?.get(value);
    if (!keys) return [];
    return [...keys].flatMap((k) => this.get(k) ?? []);
  }

  /** The last resourceVersion the cache has seen (from a list, an event or a bookmark). */
  lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  private get selectorQuery() {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private async run(): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 100, maxMs: 30_000 };
    const random = this.options.random ?? Math.random;
    let failures = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        const progressed = await this.watchOnce();
        if (progressed) failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof ApiError && err.code === 410) {
          // The resourceVersion was compacted away: list again; the diff against the store
          // turns every change we missed into an event.
          this.resourceVersion = undefined;
          this.stats.relistsAfterGone++;
          this.options.onRestart?.("expired");
          continue;
        }
        if (err instanceof WatchIdle) {
          // Nothing to say for a while (bookmarks do not always come every minute: a kind nobody
          // writes, a busy API server): watch again from where it was, at once and without a
          // warning. A dead connection is found so too; if the new watch fails, that is an error.
          this.stats.idleReconnects++;
          this.options.onRestart?.("idle");
          continue;
        }
        this.options.onError?.(err, `watch ${this.options.path}`);
        failures++;
        this.stats.reconnects++;
        this.options.onRestart?.("error");
        // Equal jitter (half the ceiling plus a random part of the other half): a fleet of operators
        // restarting together does not reconnect in step, and none retries at once.
        const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 20));
        await abortableSleep(ceiling / 2 + (random() * ceiling) / 2, signal);
      }
    }
  }

  private async relist(): Promise<void> {
    this.stats.lists++;
    const items: T[] = [];
    let cont: string | undefined;
    let rv = "";
    do {
      const page = await this.options.client.request<ListResponse<T>>("GET", this.options.path, {
        query: { ...this.selectorQuery, limit: this.options.pageSize ?? 500, continue: cont },
      });
      // Items of built-in lists come without apiVersion and kind; watch events carry them.
      // Filling them in keeps cached objects comparable with desired ones.
      const itemKind = page.kind?.replace(/List$/, "");
      for (const item of page.items) {
        item.apiVersion ??= page.apiVersion;
        item.kind ??= itemKind;
        items.push(this.kept(item));
      }
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    this.replace(items);
    this.resourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** One watch request; true when it delivered at least one event. */
  private async watchOnce(): Promise<boolean> {
    this.stats.watches++;
    const base = this.options.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(base + (this.options.random ?? Math.random)() * base);
    let progressed = false;
    let gone: ApiError | undefined;
    await this.options.client.watch<T>(
      this.options.path,
      (event: WatchEvent<T>) => {
        progressed = true;
        if (event.type === "ERROR") {
          const status = event.object as unknown as { code?: number; message?: string };
          if (status.code === 410) gone = new ApiError(410, status.message ?? "Gone", "Expired");
          else throw new ApiError(status.code ?? 500, status.message ?? "watch error");
          return;
        }
        this.apply(event);
      },
      {
        query: {
          ...this.selectorQuery,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
        },
        idleTimeoutMs: this.options.idleTimeoutMs ?? 90_000,
        signal: this.abort.signal,
      },
    );
    if (gone) throw gone;
    return progressed;
  }

  private apply(event: WatchEvent<T>): void {
    const rv = event.object.metadata?.resourceVersion;
    if (event.type === "BOOKMARK") {
      if (rv) this.resourceVersion = rv;
      return;
    }
    const key = objectKey(event.object);
    const old = this.store.get(key);
    const obj = this.kept(event.object, old);
    if (event.type === "DELETED") {
      this.remove(key, true);
      for (const h of this.handlers) h.delete?.(obj);
    } else {
      this.put(key, obj);
      for (const h of this.handlers) {
        if (old) h.update?.(old, obj);
        else h.add?.(obj);
      }
    }
    if (rv) this.resourceVersion = rv;
  }

  /** What the cache keeps of an object; `previous`, the version the cache held before it. */
  private kept(obj: T, previous?: T): T {
    const slim = withoutManagedFields(obj, this.options.keepManagedFields);
    const shaped = this.options.transform ? this.options.transform(slim) : slim;
    // One instance per repeated value (intern.ts): `obj` is fresh from JSON.parse, held by nothing else.
    const pool = this.options.strings ?? sharedStringPool;
    if (!sameSpec(previous, shaped)) return pool.internAll(shaped);
    // The spec of the previous version, already pooled, in place of an equal copy (sameSpec).
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(shaped))
      kept[k] = k === "spec" ? previous?.spec : typeof v === "string" ? pool.intern(v) : pool.internAll(v);
    return kept as T;
  }

  /** Replaces the store with a fresh list, emitting the difference as events. */
  private replace(items: T[]): void {
    const fresh = new Map(items.map((o) => [objectKey(o), o] as const));
    for (const [key, own] of [...this.ownWrites]) {
      if (own.held === "" || own.held !== fresh.get(key)?.metadata.resourceVersion) this.ownWrites.delete(key);
    }
    for (const [key, old] of [...this.store]) {
      if (!fresh.has(key)) {
        this.remove(key, true);
        for (const h of this.handlers) h.delete?.(old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.store.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.put(key, obj);
      for (const h of this.handlers) {
        if (old) h.update?.(old, obj);
        else h.add?.(obj);
      }
    }
  }

  private put(key: string, obj: T): void {
    const own = this.ownWrites.get(key);
    if (own && own.held !== obj.metadata.resourceVersion) this.ownWrites.delete(key);
    this.remove(key);
    this.store.set(key, obj);
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name);
      for (const value of indexer(obj)) {
        let keys = index?.get(value);
        if (!keys) {
          keys = new Set();
          index?.set(value, keys);
        }
        keys.add(key);
      }
    }
  }

  /** Removes `key` from the store and the indexes (and, when it is gone for good, its own write: forget). */
  private remove(key: string, forget = false): void {
    if (forget) this.ownWrites.delete(key);
    const old = this.store.get(key);
    if (!old) return;
    this.store.delete(key);
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name);
      for (const value of indexer(old)) {
        const keys = index?.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index?.delete(value);
      }
    }
  }
}
