// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a candidate
// takes the lease only when its holder has not renewed it for leaseDuration (measured on the
// candidate's own clock, from when it last saw the record change, so clock skew between
// machines does not matter); the leader renews every retryPeriod and gives up leadership at
// once when it could not renew within renewDeadline; a graceful stop releases the lease so
// that another instance takes over without waiting.
import { abortableSleep } from "../kube/abortable-sleep.ts";
import { isConflict, isNotFound } from "../kube/api-error.ts";
import type { RestClient } from "../kube/rest-client.ts";
import { microTime } from "../kube/time.ts";

/** Which Lease, who we are, and the timing (defaults: 15 s lease, 10 s renew deadline, 2 s retry). */
export interface LeaseSettings {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface LeaderElectionOptions extends LeaseSettings {
  client: RestClient;
  /** Called when this instance becomes leader; `signal` aborts the moment leadership is lost. */
  onStartedLeading: (signal: AbortSignal) => void;
  onStoppedLeading?: () => void;
  onError?: (err: unknown) => void;
  now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, "onStoppedLeading" | "onError">> &
    Pick<LeaderElectionOptions, "onStoppedLeading" | "onError">;
  private readonly stopController = new AbortController();
  private leading: AbortController | undefined;
  private observed: { record: string; at: number } | undefined;
  private lastRenew = 0;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.o = {
      leaseDurationSeconds: 15,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      now: Date.now,
      ...options,
    };
  }

  get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases/${this.o.name}`;
  }

  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** Starts campaigning in the background. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Stops; with `release`, hands the lease back so another instance can take over at once. */
  async stop({ release }: { release: boolean }): Promise<void> {
    this.stopController.abort();
    await this.running;
    const wasLeader = this.isLeader();
    this.loseLeadership();
    if (release && wasLeader) await this.release().catch((err) => this.o.onError?.(err));
  }

  private async loop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew().catch((err) => {
        this.o.onError?.(err);
        return false;
      });
      const now = this.o.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = new AbortController();
          this.o.onStartedLeading(this.leading.signal);
        }
      } else if (this.leading && now - this.lastRenew >= this.o.renewDeadlineMs) {
        this.loseLeadership();
      }
      await abortableSleep(this.o.retryPeriodMs, signal);
    }
  }

  private loseLeadership(): void {
    if (!this.leading) return;
    const l = this.leading;
    this.leading = undefined;
    l.abort();
    this.o.onStoppedLeading?.();
  }

  /** One round: true when this instance holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.now();
    let lease: Lease;
    try {
      lease = await this.o.client.request<Lease>("GET", this.path, { timeoutMs: this.o.retryPeriodMs * 2 });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.o.client.request("POST", `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases`, {
        body: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec: {
            holderIdentity: this.o.identity,
            leaseDurationSeconds: this.o.leaseDurationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime]);
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const held = spec.holderIdentity && spec.holderIdentity !== this.o.identity;
    const duration = (spec.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    if (held && this.observed.at + duration > now) return false;

    const takingOver = spec.holderIdentity !== this.o.identity;
    const next: Lease = {
      ...lease,
      spec: {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: this.o.leaseDurationSeconds,
        acquireTime: takingOver ? microTime(now) : spec.acquireTime,
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && spec.holderIdentity ? 1 : 0),
      },
    };
    try {
      // PUT with the resourceVersion we read: two candidates cannot both win.
      await this.o.client.request("PUT", this.path, { body: next, timeoutMs: this.o.retryPeriodMs * 2 });
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
    return true;
  }

  private async release(): Promise<void> {
    const lease = await this.o.client.request<Lease>("GET", this.path);
    if (lease.spec?.holderIdentity !== this.o.identity) return;
    await this.o.client.request("PUT", this.path, {
      body: {
        ...lease,
        spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(this.o.now()) },
      },
    });
  }
}
