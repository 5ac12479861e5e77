// What the fleet rollouts of one block say, read from the BlockRollouts in the cache: which
// versions are withdrawn, and what a rollout says of one activation. Pure over its input; the
// activation controller, the catalog controller and the rollout controller read it alike.
import type { BlockRolloutStatus, RolloutActivation, RolloutPhase } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import { isWithdrawn } from "./rollout-plan.ts";

export const ROLLOUTS_BY_BLOCK = "byBlock";
export const rolloutIndexers = {
  [ROLLOUTS_BY_BLOCK]: (o: KubeObject) => [String((o.spec as { block?: string } | undefined)?.block ?? "")],
};

interface RolloutLike {
  metadata: unknown;
  spec?: unknown;
  status?: unknown;
}

export interface RolloutSummary {
  version: string;
  phase?: RolloutPhase;
  status: BlockRolloutStatus;
}

export class FleetView {
  private readonly byVersion = new Map<string, RolloutSummary>();

  constructor(rollouts: readonly RolloutLike[]) {
    for (const r of rollouts) {
      const version = (r.spec as { version?: string } | undefined)?.version;
      if (!version) continue;
      const status = (r.status ?? {}) as BlockRolloutStatus;
      this.byVersion.set(version, { version, phase: status.phase, status });
    }
  }

  rollout(version: string): RolloutSummary | undefined {
    return this.byVersion.get(version);
  }

  phase(version: string): RolloutPhase | undefined {
    return this.byVersion.get(version)?.phase;
  }

  /** Versions whose rollout halted or was aborted: no activation is moved to them, none is offered them. */
  withdrawn(): Set<string> {
    return new Set([...this.byVersion.values()].filter((r) => isWithdrawn(r.phase)).map((r) => r.version));
  }

  /** What the rollout of `version` says of one activation (namespace/name), if it moved it. */
  entry(version: string, activation: string): RolloutActivation | undefined {
    return this.byVersion.get(version)?.status.activations?.find((e) => e.activation === activation);
  }

  /**
   * How a version is doing in the fleet, for a municipality deciding whether to approve it. Only
   * ring-level facts, so that a Manual activation's status changes a few times per rollout, not
   * with every activation moved.
   */
  describe(version: string): string | undefined {
    const r = this.byVersion.get(version);
    if (!r?.phase) return undefined;
    const done = (r.status.rings ?? []).filter((x) => x.completedAt);
    const healthy = done.reduce((n, x) => n + x.updated, 0);
    switch (r.phase) {
      case "Succeeded":
        return `rolled out to the fleet: healthy on ${r.status.updated ?? 0} of ${r.status.total ?? 0} activations`;
      case "Progressing":
      case "Paused":
        return `${r.phase === "Paused" ? "rollout paused" : "rolling out"} in ring ${r.status.currentRing ?? "canary"}${
          done.length ? `; healthy in ${healthy} activation(s) of ring ${done.map((x) => x.name).join(" and ")}` : ""
        }`;
      case "Superseded":
        return "superseded by a newer version";
      default:
        return undefined;
    }
  }
}

/**
 * The activations (namespace/name) that a change of a rollout concerns: those whose entry was
 * added, changed or dropped; all of the block's when the phase or a ring's completion changed
 * (what Manual activations show of the fleet, and the withdrawal of a version).
 */
export function activationsConcerned(a: RolloutLike, b: RolloutLike, allOfBlock: () => string[]): string[] {
  const sa = (a.status ?? {}) as BlockRolloutStatus;
  const sb = (b.status ?? {}) as BlockRolloutStatus;
  const rings = (s: BlockRolloutStatus) => JSON.stringify((s.rings ?? []).map((r) => r.completedAt ?? ""));
  if (sa.phase !== sb.phase || rings(sa) !== rings(sb)) return allOfBlock();
  const before = new Map((sa.activations ?? []).map((e) => [e.activation, JSON.stringify(e)]));
  const keys: string[] = [];
  for (const e of sb.activations ?? []) {
    if (before.get(e.activation) !== JSON.stringify(e)) keys.push(e.activation);
    before.delete(e.activation);
  }
  return [...keys, ...before.keys()];
}
