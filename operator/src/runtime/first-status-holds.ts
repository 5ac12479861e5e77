/**
 * How long each new object's first status may wait for what would make it Ready, so that one write
 * says Ready where two would say "waiting" and then Ready: `quietMs` (5 s by default), or `busyMs`
 * (180 s) for an object first held while its controller was busy, with as many other keys waiting
 * in its queue as it has workers. Under a fleet-wide install a new activation's pod takes one to two
 * and a half minutes to become Ready, and a new tenant's quota waits for kube-controller-manager's
 * count among 342 others, so the quiet hold ends first and nearly every one writes twice: about
 * 1,500 activation and 200 tenant status writes at 342 municipalities (ADR 18). A busy controller's
 * first visit is itself late by its queue, and the hold adds at most `busyMs` to it; a quiet one
 * keeps the 5 s. The choice is kept per key until its first status is written (`forget`), so that
 * a queue that drains meanwhile does not turn a held status into two writes after all; a restarted
 * operator chooses again. Used by the activation controller (holdFirstStatus) and the tenant
 * controller (holdFirstTenantStatus).
 */
export class FirstStatusHolds {
  private readonly chosen = new Map<string, number>();
  private readonly o: { quietMs: number; busyMs: number; busy: () => boolean };

  constructor(o: { quietMs: number; busyMs: number; busy: () => boolean }) {
    this.o = { ...o, busyMs: Math.max(o.busyMs, o.quietMs) };
  }

  /** The hold for this key: chosen at its first call, the same until `forget`. */
  holdMs(key: string): number {
    let ms = this.chosen.get(key);
    if (ms === undefined) {
      ms = this.o.busy() ? this.o.busyMs : this.o.quietMs;
      this.chosen.set(key, ms);
    }
    return ms;
  }

  /** The object has its first status, or is gone. */
  forget(key: string): void {
    this.chosen.delete(key);
  }

  /** Keys with a hold chosen and no status written yet. */
  get size(): number {
    return this.chosen.size;
  }
}
