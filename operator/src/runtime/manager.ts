// Runs watch caches and controllers: caches start at once (followers keep them warm), the
// controllers only while this instance leads. Losing the lease aborts them at once; a graceful
// stop drains in-flight reconciles, then releases the lease.
import type { Logger } from "pino";
import type { KubeObject } from "../kube/object.ts";
import type { RestClient } from "../kube/rest-client.ts";
import { WatchCache, type WatchCacheOptions } from "../kube/watch-cache.ts";
import type { Controller } from "./controller.ts";
import { LeaderElector, type LeaseSettings } from "./leader-election.ts";
import type { OperatorMetrics } from "./metrics.ts";

export interface ManagerOptions {
  client: RestClient;
  log: Logger;
  metrics: OperatorMetrics;
  /** Without it, this instance reconciles at once (tests, single replica). */
  leaderElection?: LeaseSettings;
}

export class Manager {
  private readonly o: ManagerOptions;
  private readonly caches: WatchCache<KubeObject>[] = [];
  private readonly controllers: Controller[] = [];
  private elector: LeaderElector | undefined;
  private term: AbortController | undefined;
  /** Aborted when the current leadership term ends, by losing the lease or by stop(). */
  private termSignal: AbortSignal | undefined;
  private stopped = false;

  constructor(options: ManagerOptions) {
    this.o = options;
  }

  /** A watch cache that starts with the manager. */
  cache<T extends KubeObject>(options: Omit<WatchCacheOptions<T>, "client" | "onError">): WatchCache<T> {
    const cache = new WatchCache<T>({
      ...options,
      client: this.o.client,
      onError: (err, context) => this.o.log.warn({ err: String(err), context }, "watch interrupted; reconnecting"),
      onRestart: (reason) => {
        this.o.metrics.watchRestarts.inc({ resource: options.path, reason });
        if (reason === "idle")
          this.o.log.debug({ resource: options.path }, "nothing arrived on the watch for a while; watching again");
      },
    });
    this.caches.push(cache as unknown as WatchCache<KubeObject>);
    return cache;
  }

  add(controller: Controller): void {
    this.controllers.push(controller);
  }

  /** True once every cache has listed; what /readyz reports. */
  synced(): boolean {
    return this.caches.every((c) => c.hasSynced());
  }

  isLeader(): boolean {
    return this.termSignal !== undefined && !this.termSignal.aborted;
  }

  async start(): Promise<void> {
    for (const c of this.caches) c.start();
    await Promise.all(this.caches.map((c) => c.waitForSync()));
    this.o.log.info({ caches: this.caches.length }, "caches synced");
    const le = this.o.leaderElection;
    if (!le) {
      this.lead(new AbortController().signal);
      return;
    }
    this.o.metrics.leader.set({ name: le.name }, 0);
    this.elector = new LeaderElector({
      client: this.o.client,
      ...le,
      onStartedLeading: (signal) => this.lead(signal),
      onStoppedLeading: () => {
        this.o.metrics.leader.set({ name: le.name }, 0);
        this.o.log.warn({ identity: le.identity }, "lost the leader lease; reconciling stopped");
        for (const c of this.controllers) void c.stop();
      },
      onError: (err) => this.o.log.warn({ err: String(err) }, "leader election round failed"),
    });
    this.elector.start();
  }

  private lead(signal: AbortSignal): void {
    if (this.stopped) return;
    this.term = new AbortController();
    const term = AbortSignal.any([signal, this.term.signal]);
    this.termSignal = term;
    if (this.o.leaderElection) {
      this.o.metrics.leader.set({ name: this.o.leaderElection.name }, 1);
      this.o.log.info({ identity: this.o.leaderElection.identity }, "became leader; reconciling");
    }
    for (const c of this.controllers) c.start(term);
  }

  /** Queues every primary key of every controller now, as the periodic resync does. */
  resync(): void {
    for (const c of this.controllers) c.resync();
  }

  /** Keys waiting in all controllers' queues. */
  depth(): number {
    return this.controllers.reduce((n, c) => n + c.depth(), 0);
  }

  /** Graceful stop: drain in-flight reconciles, release the lease, stop the caches. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.controllers.map((c) => c.stop()));
    this.term?.abort();
    await this.elector?.stop({ release: true });
    await Promise.all(this.caches.map((c) => c.stop()));
  }

  /** Stops without draining or releasing, as a crash would (for tests of failover). */
  async kill(): Promise<void> {
    this.stopped = true;
    this.term?.abort();
    await this.elector?.stop({ release: false });
    await Promise.all(this.caches.map((c) => c.stop()));
    await Promise.all(this.controllers.map((c) => c.stop()));
  }
}
