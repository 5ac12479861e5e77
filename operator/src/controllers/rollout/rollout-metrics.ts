// Metrics of fleet rollouts, for a dashboard beside controller-runtime's: activations per rollout
// by state, ring transitions, rollbacks, and how long each ring took.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { BlockRolloutStatus } from "../../api/v1alpha1/index.ts";
import type { Plan, RolloutEvent } from "./rollout-plan.ts";

const STATES = ["Pending", "Updating", "Baking", "Healthy", "Failed", "RollingBack", "RolledBack"] as const;

export class RolloutMetrics {
  private readonly activations: Gauge;
  private readonly transitions: Counter;
  private readonly rollbacks: Counter;
  private readonly ringSeconds: Histogram;
  private readonly blocks = new Map<string, string>();

  constructor(registry: Registry) {
    const existing = registry.getSingleMetric("aihub_rollout_activations") as Gauge | undefined;
    this.activations =
      existing ??
      new Gauge({
        name: "aihub_rollout_activations",
        help: "Activations a rollout concerns, by state (Pending: not moved yet)",
        labelNames: ["rollout", "block", "state"],
        registers: [registry],
      });
    this.transitions =
      (registry.getSingleMetric("aihub_rollout_ring_transitions_total") as Counter | undefined) ??
      new Counter({
        name: "aihub_rollout_ring_transitions_total",
        help: "Rings started and completed, per block and ring",
        labelNames: ["block", "ring", "transition"],
        registers: [registry],
      });
    this.rollbacks =
      (registry.getSingleMetric("aihub_rollout_rollbacks_total") as Counter | undefined) ??
      new Counter({
        name: "aihub_rollout_rollbacks_total",
        help: "Rollouts halted and rolled back, per block and reason (FailureThreshold or Aborted)",
        labelNames: ["block", "reason"],
        registers: [registry],
      });
    this.ringSeconds =
      (registry.getSingleMetric("aihub_rollout_ring_duration_seconds") as Histogram | undefined) ??
      new Histogram({
        name: "aihub_rollout_ring_duration_seconds",
        help: "Time from a ring's first moved activation to the ring done (bake included)",
        labelNames: ["ring"],
        buckets: [10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 86400],
        registers: [registry],
      });
  }

  observe(rollout: string, block: string, plan: Plan): void {
    const s = plan.status;
    this.blocks.set(rollout, block);
    const counts = new Map<string, number>(STATES.map((x) => [x, 0]));
    for (const e of s.activations ?? []) counts.set(e.state, (counts.get(e.state) ?? 0) + 1);
    const notMoved = (s.total ?? 0) - (s.activations?.length ?? 0) - (s.updated ?? 0) + (counts.get("Healthy") ?? 0);
    counts.set("Pending", Math.max(0, notMoved));
    for (const [state, n] of counts) this.activations.set({ rollout, block, state }, n);
  }

  count(block: string, e: RolloutEvent, status: BlockRolloutStatus): void {
    const ring = /^ring (\w+)/.exec(e.message)?.[1] ?? "";
    if (e.reason === "RingStarted") this.transitions.inc({ block, ring, transition: "started" });
    if (e.reason === "RingCompleted") {
      this.transitions.inc({ block, ring, transition: "completed" });
      const r = status.rings?.find((x) => x.name === ring);
      if (r?.startedAt && r.completedAt) {
        this.ringSeconds.observe({ ring }, (Date.parse(r.completedAt) - Date.parse(r.startedAt)) / 1000);
      }
    }
    if (e.reason === "RolloutHalted") this.rollbacks.inc({ block, reason: "FailureThreshold" });
    if (e.reason === "RolloutAborted") this.rollbacks.inc({ block, reason: "Aborted" });
  }

  forget(rollout: string): void {
    const block = this.blocks.get(rollout);
    if (block === undefined) return;
    for (const state of STATES) this.activations.remove({ rollout, block, state });
    this.blocks.delete(rollout);
  }
}
