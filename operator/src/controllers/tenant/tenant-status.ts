// The status of a MunicipalTenant from what one reconcile found and did. Pure: clock passed in.
import type { Condition, MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { READY, setCondition, summarize } from "../../runtime/conditions.ts";

export type TenantStatus = NonNullable<MunicipalTenant["status"]>;

/** One part of the tenant (namespace, policies, RBAC): done, or why not and what to do. */
export type PartOutcome =
  | { ok: true; message: string }
  /** `pending`: not done yet, and nothing is wrong (Unknown rather than False). */
  | { ok: false; reason: string; message: string; pending?: boolean };

export interface TenantOutcome {
  namespace: PartOutcome;
  /** Undefined when the namespace step failed and nothing else was attempted. */
  policies?: PartOutcome;
  rbac?: PartOutcome;
  terminating?: boolean;
}

export const NAMESPACE_READY = "NamespaceReady";
export const POLICIES_READY = "PoliciesReady";
export const RBAC_READY = "RBACReady";

const PART_REASONS = {
  [NAMESPACE_READY]: "NamespaceReady",
  [POLICIES_READY]: "PoliciesApplied",
  [RBAC_READY]: "RBACApplied",
};

export function tenantStatus(tenant: MunicipalTenant, outcome: TenantOutcome, now: Date): TenantStatus {
  const generation = tenant.metadata.generation;
  let conditions: Condition[] = tenant.status?.conditions ?? [];
  const set = (type: keyof typeof PART_REASONS, part: PartOutcome | undefined) => {
    const input = !part
      ? { status: "Unknown" as const, reason: "Blocked", message: "waiting until the namespace is ready" }
      : part.ok
        ? { status: "True" as const, reason: PART_REASONS[type], message: part.message }
        : {
            status: part.pending ? ("Unknown" as const) : ("False" as const),
            reason: part.reason,
            message: part.message,
          };
    conditions = setCondition(conditions, { type, ...input, observedGeneration: generation }, now);
  };
  set(NAMESPACE_READY, outcome.namespace);
  set(POLICIES_READY, outcome.policies);
  set(RBAC_READY, outcome.rbac);
  const ready = summarize(
    conditions,
    { types: [NAMESPACE_READY, POLICIES_READY, RBAC_READY], observedGeneration: generation },
    now,
  );
  const summary =
    ready.status === "True"
      ? { ...ready, message: [outcome.namespace, outcome.policies, outcome.rbac].map((p) => p?.message).join("; ") }
      : ready;
  conditions = setCondition(conditions, summary, now);
  // Keep Ready first: it is what `kubectl get` and people look at.
  conditions = [...conditions.filter((c) => c.type === READY), ...conditions.filter((c) => c.type !== READY)];
  const phase = outcome.terminating
    ? "Terminating"
    : ready.status === "True"
      ? "Ready"
      : ready.status === "False"
        ? "Failed"
        : "Pending";
  return {
    observedGeneration: generation,
    namespace: tenant.metadata.name,
    phase,
    conditions,
  };
}

/**
 * How long to hold a new tenant's first status, or undefined to write it now. Right after its
 * children are applied, a new tenant waits only for kube-controller-manager to count its quota
 * (about a second on a quiet cluster): its first status would say so and the next one Ready, two
 * writes and two Events. So while nothing failed and only that wait is left, the first status
 * waits too, for at most `holdMs` after the tenant was created (the quota's count queues the tenant
 * again). `holdMs` is the tenant's own (FirstStatusHolds, runtime/first-status-holds.ts): 5 s, or
 * 180 s for a tenant first held while the controller was busy, as under a fleet-wide install,
 * where kube-controller-manager counts 342 new quotas and about 200 of them took longer than 5 s
 * (ADR 18). The result is also when to look again (`recheckMs` makes it sooner). Pure.
 */
export function holdFirstTenantStatus(o: {
  hasStatus: boolean;
  outcome: TenantOutcome;
  created: string | undefined;
  now: Date;
  holdMs: number;
  /**
   * When the tenant must be looked at again sooner while held (its activation count, whose write
   * met a conflict, is written again after COUNT_AGAIN_MS): the hold is over by then at the latest
   * as far as the requeue goes; nothing else may queue the tenant again before a busy hold ends.
   */
  recheckMs?: number;
}): number | undefined {
  if (!mayHoldFirstTenantStatus(o) || !o.created || o.holdMs <= 0) return undefined;
  const left = Date.parse(o.created) + o.holdMs - o.now.getTime();
  return left > 0 ? Math.min(left, o.holdMs, o.recheckMs ?? Number.POSITIVE_INFINITY) : undefined;
}

/**
 * Whether a tenant's first status could be held at all: it has none, nothing failed, it is not
 * being deleted, and a part waits (the quota's count). Only such a tenant chooses its hold
 * (FirstStatusHolds keeps the choice until its first status is written).
 */
export function mayHoldFirstTenantStatus(o: { hasStatus: boolean; outcome: TenantOutcome }): boolean {
  const parts = [o.outcome.namespace, o.outcome.policies, o.outcome.rbac];
  const waiting = parts.some((p) => p && !p.ok && p.pending);
  const failed = parts.some((p) => !p || (!p.ok && !p.pending));
  return !o.hasStatus && waiting && !failed && !o.outcome.terminating;
}
