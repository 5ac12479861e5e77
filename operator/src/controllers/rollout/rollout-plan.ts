// The decisions of a fleet rollout, as one pure function: from the rollout's status (its whole
// memory), the activations it concerns and the clock, to its next status and the Events to
// send. The controller only gathers the inputs and writes the result, so a killed operator
// resumes from the status exactly: an activation is moved when its entry is written, never
// before, and a ring starts only when the status says the one before it is done.
import { durationMs, formatDuration } from "../../api/duration.ts";
import { compareSemver } from "../../api/semver.ts";
import {
  type BlockRollout,
  type BlockRolloutStatus,
  countOf,
  RING_ORDER,
  type RingName,
  type RolloutActivation,
  type RolloutPhase,
  type RolloutStrategy,
  ringSettings,
} from "../../api/v1alpha1/index.ts";
import { compareCodeUnits } from "../../kube/order.ts";
import { rfc3339 } from "../../kube/time.ts";
import { READY, setCondition } from "../../runtime/conditions.ts";
import type { AnalysisVerdict } from "./analysis-hook.ts";
import { progressingCondition } from "./rollout-conditions.ts";

/** An activation that follows the rollout's channel automatically, as the controller sees it now. */
export interface RolloutTarget {
  /** namespace/name */
  key: string;
  ring: RingName;
  /** The version it runs (status.currentVersion), if it runs one. */
  running?: string;
  /** Ready is True for its current generation. */
  ready: boolean;
  /** Since when Ready is True (its lastTransitionTime). */
  readySince?: string;
  /** The last version that ran healthily, recorded by the activation controller. */
  lastHealthyVersion?: string;
  /** Why it is not ready (the Ready condition's message), for a failure's message. */
  notReadyMessage?: string;
  /** Its municipality accepts automatic updates now (maintenance window). */
  inWindow: boolean;
}

export interface PlanInput {
  rollout: Pick<BlockRollout, "spec" | "status"> & { metadata: { generation?: number } };
  targets: RolloutTarget[];
  /** A newer version on the same channel that is not withdrawn: this rollout is superseded. */
  newerVersion?: string;
  /** What the analysis hook answered, when the last plan asked for it (Plan.analysisNeeded). */
  analysis?: AnalysisVerdict;
  /** A fleet-wide freeze in force. */
  freeze?: { name: string; reason: string; end: string };
  now: Date;
}

export interface RolloutEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface Plan {
  status: BlockRolloutStatus;
  events: RolloutEvent[];
  /** Look again after this long: a deadline, the end of a bake, a window. */
  requeueAfterMs?: number;
  /** Activations moved by this plan (their entries are new). */
  moved: string[];
  /** Ask the analysis hook about this ring, then plan again with its answer. */
  analysisNeeded?: { ring: RingName; nextRing: RingName };
}

const TERMINAL: RolloutPhase[] = ["Succeeded", "RolledBack"];
const WINDOW_RECHECK_MS = 60_000;

type RingStat = NonNullable<BlockRolloutStatus["rings"]>[number];

export function planRollout(input: PlanInput): Plan {
  const { rollout, now } = input;
  const spec = rollout.spec;
  const strategy = spec.strategy as RolloutStrategy;
  const version = spec.version;
  const before = rollout.status ?? {};
  const stamp = rfc3339(now);
  const events: RolloutEvent[] = [];
  const moved: string[] = [];
  const waits: number[] = [];
  const byKey = new Map(input.targets.map((t) => [t.key, t]));
  let phase: RolloutPhase = before.phase ?? "Progressing";
  // Why a rollback runs (Aborted or FailureThreshold), kept across reconciles in the condition.
  let reason = before.conditions?.find((c) => c.type === "Progressing")?.reason ?? "";

  // An activation that joined after the rollout succeeded (unpinned, switched to Automatic, its
  // approved version past end of life) goes through the rings like the rest: the rollout reopens.
  const moving = new Set((before.activations ?? []).map((e) => e.activation));
  const joined = input.targets.filter((t) => t.running && compareSemver(t.running, version) < 0 && !moving.has(t.key));
  if (phase === "Succeeded" && !spec.abort && !input.newerVersion && joined.length) {
    phase = "Progressing";
    events.push({
      type: "Normal",
      reason: "ActivationsJoined",
      message: `${joined.length} activation(s) follow ${spec.block} now and run an older version; they move through the rings`,
    });
  }
  // A finished rollout stays as it ended: activations that later move on to a newer version
  // must not rewrite its figures (a write per activation for nothing).
  const settled =
    (phase === "Succeeded" && !spec.abort) || phase === "RolledBack" || (phase === "Superseded" && input.newerVersion);
  if (settled) return { status: { ...before, observedGeneration: rollout.metadata.generation }, events, moved };

  // What the rollout moved and still concerns it: an activation deleted, pinned or set to Manual
  // since is no longer the rollout's to move (the activation controller no longer asks it).
  const entries = new Map<string, RolloutActivation>();
  for (const e of before.activations ?? []) if (byKey.has(e.activation)) entries.set(e.activation, { ...e });

  // The collective's switches, and supersession by a newer version.
  if (spec.abort && (phase === "Progressing" || phase === "Paused" || phase === "Succeeded")) {
    phase = "RollingBack";
    reason = "Aborted";
    events.push({
      type: "Warning",
      reason: "RolloutAborted",
      message: `rollout of ${spec.block} ${version} aborted by spec.abort: every activation it moved goes back to its last healthy version`,
    });
  } else if (input.newerVersion && (phase === "Progressing" || phase === "Paused")) {
    phase = "Superseded";
    events.push({
      type: "Normal",
      reason: "RolloutSuperseded",
      message: `version ${input.newerVersion} of ${spec.block} supersedes ${version}: no more activations move to ${version}`,
    });
  } else if (phase === "Superseded" && !input.newerVersion) {
    // The newer version was withdrawn: this one is the newest again. What it had moved and not
    // yet seen healthy ran the newer version in between, and is judged afresh from now.
    phase = "Progressing";
    for (const e of entries.values()) {
      if (e.state !== "Updating" && e.state !== "Baking") continue;
      e.state = "Updating";
      e.movedAt = stamp;
      delete e.healthySince;
    }
    events.push({
      type: "Normal",
      reason: "RolloutResumed",
      message: `the newer version of ${spec.block} was withdrawn: ${version} is rolled out again`,
    });
  } else if (phase === "Progressing" && spec.paused) {
    phase = "Paused";
    events.push({ type: "Normal", reason: "RolloutPaused", message: `rollout of ${spec.block} ${version} paused` });
  } else if (phase === "Paused" && !spec.paused) {
    phase = "Progressing";
    events.push({ type: "Normal", reason: "RolloutResumed", message: `rollout of ${spec.block} ${version} resumed` });
  }

  // Health gates of the moved activations (also while paused: what moved is still watched).
  if (phase === "Progressing" || phase === "Paused") {
    const deadline = durationMs(strategy.progressDeadline);
    for (const e of entries.values()) {
      const t = byKey.get(e.activation);
      if (!t) continue;
      const healthy = t.running === version && t.ready;
      const bake = durationMs(ringSettings(strategy, e.ring).bakeTime);
      if (e.state === "Updating") {
        if (healthy) {
          const since = [t.readySince ?? stamp, e.movedAt].sort().at(-1) ?? stamp;
          Object.assign(e, { state: "Baking", healthySince: since });
        } else {
          const left = Date.parse(e.movedAt) + deadline - now.getTime();
          if (left <= 0) {
            fail(e, t, `not healthy on ${version} within the progress deadline of ${strategy.progressDeadline}`);
          } else waits.push(left);
        }
      }
      if (e.state === "Baking") {
        if (!healthy) fail(e, t, `became unavailable on ${version} while baking`);
        else {
          const left = Date.parse(e.healthySince ?? stamp) + bake - now.getTime();
          if (left <= 0) e.state = "Healthy";
          else waits.push(left);
        }
      }
    }
  }

  function fail(e: RolloutActivation, t: RolloutTarget, what: string) {
    const why = t.running !== version ? `it runs ${t.running ?? "nothing"}` : (t.notReadyMessage ?? "not ready");
    e.state = "Failed";
    e.message = `${what}: ${why}`.slice(0, 1024);
    events.push({
      type: "Warning",
      reason: "ActivationFailed",
      message: `${e.activation} (ring ${e.ring}) ${e.message}; it goes back to ${e.previousVersion}`,
    });
  }

  // Rings: who is in each, what is done, what failed.
  const rings = RING_ORDER.map((name) => ringStat(name));
  function ringStat(name: RingName) {
    const members = input.targets.filter((t) => t.ring === name);
    const prev = before.rings?.find((r) => r.name === name);
    let updated = 0;
    let failed = 0;
    let done = 0;
    for (const t of members) {
      const e = entries.get(t.key);
      if (!e) {
        if (t.running === version) {
          updated++;
          done++;
        }
      } else if (e.state === "Healthy") {
        updated++;
        done++;
      } else if (e.state === "Failed" || e.state === "RolledBack" || e.state === "RollingBack") {
        failed += e.state === "Failed" || e.message ? 1 : 0;
        done++;
      }
    }
    const tolerated = countOf(ringSettings(strategy, name).maxFailures, members.length, "down");
    // A ring with more failures than it tolerates is not done: the rollout halts in it.
    return {
      name,
      members,
      prev,
      updated,
      failed,
      tolerated,
      complete: done === members.length && failed <= tolerated,
    };
  }

  if (phase === "Progressing" || phase === "Paused") {
    const over = rings.find((r) => r.failed > r.tolerated);
    if (over) {
      phase = "RollingBack";
      reason = "FailureThreshold";
      const names = [...entries.values()]
        .filter((e) => e.ring === over.name && e.state === "Failed")
        .map((e) => e.activation);
      events.push({
        type: "Warning",
        reason: "RolloutHalted",
        message: `ring ${over.name}: ${over.failed} failed, ${over.tolerated} tolerated (${names.join(", ")}); every moved activation goes back to its last healthy version and ${version} is withdrawn`,
      });
    }
  }

  // Rolling back: every moved activation returns to its previous version.
  if (phase === "RollingBack") {
    let back = true;
    for (const e of entries.values()) {
      if (e.state === "RolledBack") continue;
      const t = byKey.get(e.activation);
      if (t && t.running === e.previousVersion && t.ready) e.state = "RolledBack";
      else {
        if (e.state !== "Failed") e.state = "RollingBack";
        back = false;
      }
    }
    if (back) {
      phase = "RolledBack";
      events.push({
        type: "Normal",
        reason: "RolledBack",
        message: `every activation that ${spec.block} ${version} moved is back on its last healthy version`,
      });
    }
  }

  // Moving: the first ring that is not done, a few at a time, outside freezes and inside windows.
  let current = rings.find((r) => !r.complete);
  let held: { reason: string; message: string } | undefined;
  let analysisNeeded: Plan["analysisNeeded"];
  const analysis = new Map((before.rings ?? []).flatMap((r) => (r.analysis ? [[r.name, r.analysis] as const] : [])));
  // Between rings, the analysis hook says go or no-go for the ring that is done.
  const asked =
    current && strategy.analysis
      ? rings
          .slice(0, rings.indexOf(current))
          .filter((r) => r.members.length)
          .at(-1)
      : undefined;
  if (phase === "Progressing" && current && asked && !analysis.has(asked.name)) {
    const answer = input.analysis?.ring === asked.name ? input.analysis : undefined;
    if (answer?.verdict === "Go") analysis.set(asked.name, "Go");
    else if (answer?.verdict === "NoGo") {
      analysis.set(asked.name, "NoGo");
      phase = "RollingBack";
      reason = "AnalysisNoGo";
      waits.push(1000);
      events.push({
        type: "Warning",
        reason: "RolloutHalted",
        message: `ring ${asked.name} done, but ${answer.message}; every moved activation goes back and ${version} is withdrawn`,
      });
    } else {
      if (!answer) analysisNeeded = { ring: asked.name, nextRing: current.name };
      held = {
        reason: "AwaitingAnalysis",
        message: answer?.message ?? `asking the analysis hook about ring ${asked.name}`,
      };
      waits.push(30_000);
    }
  }
  if (phase === "Progressing" && held?.reason === "AwaitingAnalysis") {
    // waiting for go: nothing moves
  } else if (phase === "Progressing") {
    if (!current) {
      phase = "Succeeded";
      events.push({
        type: "Normal",
        reason: "RolloutSucceeded",
        message: `${spec.block} ${version} runs healthily on every activation that follows ${spec.channel} automatically`,
      });
    } else if (input.freeze) {
      held = {
        reason: "Frozen",
        message: `held by freeze ${input.freeze.name} until ${input.freeze.end} (Europe/Amsterdam): ${input.freeze.reason}`,
      };
      waits.push(WINDOW_RECHECK_MS);
    } else {
      const ring = current;
      const settings = ringSettings(strategy, ring.name);
      const limit = countOf(settings.maxConcurrent, ring.members.length, "up");
      const inflight = [...entries.values()].filter((e) => e.ring === ring.name && e.state === "Updating").length;
      const pending = ring.members.filter((t) => !entries.has(t.key) && t.running !== version && t.running);
      const ready = pending.filter((t) => t.inWindow).sort((a, b) => compareCodeUnits(a.key, b.key));
      for (const t of ready.slice(0, Math.max(0, limit - inflight))) {
        entries.set(t.key, {
          activation: t.key,
          ring: ring.name,
          state: "Updating",
          previousVersion: t.lastHealthyVersion ?? t.running ?? "",
          movedAt: stamp,
        });
        moved.push(t.key);
        waits.push(durationMs(strategy.progressDeadline));
      }
      if (ready.length < pending.length) {
        waits.push(WINDOW_RECHECK_MS);
        if (!moved.length && !inflight) {
          held = {
            reason: "OutsideMaintenanceWindows",
            message: `ring ${ring.name}: ${pending.length} activation(s) wait for their municipality's maintenance window`,
          };
        }
      }
    }
  }
  if (phase !== "Progressing") current = phase === "Paused" ? current : undefined;

  // Ring bookkeeping and transitions, as Events.
  const ringStatus: RingStat[] = rings.map((r) => {
    const startedAt = r.prev?.startedAt ?? ([...entries.values()].some((e) => e.ring === r.name) ? stamp : undefined);
    const completedAt = r.prev?.completedAt ?? (r.complete && startedAt && r.members.length ? stamp : undefined);
    if (startedAt && !r.prev?.startedAt) {
      events.push({
        type: "Normal",
        reason: "RingStarted",
        message: `ring ${r.name} started: ${r.members.length} activation(s)`,
      });
    }
    if (completedAt && !r.prev?.completedAt) {
      events.push({
        type: "Normal",
        reason: "RingCompleted",
        message: `ring ${r.name} done: ${r.updated} of ${r.members.length} healthy for ${formatDuration(durationMs(ringSettings(strategy, r.name).bakeTime))}, ${r.failed} failed`,
      });
    }
    return {
      name: r.name,
      total: r.members.length,
      updated: r.updated,
      failed: r.failed,
      ...(startedAt && { startedAt }),
      ...(completedAt && { completedAt }),
      ...(analysis.get(r.name) && { analysis: analysis.get(r.name) }),
    };
  });

  const total = input.targets.length;
  const updated = rings.reduce((n, r) => n + r.updated, 0);
  const failed = rings.reduce((n, r) => n + r.failed, 0);
  const generation = rollout.metadata.generation;
  const progressing = progressingCondition(phase, reason, current?.name, held, { version, updated, total, failed });
  let conditions = setCondition(
    before.conditions ?? [],
    { ...progressing, type: "Progressing", observedGeneration: generation },
    now,
  );
  conditions = setCondition(
    conditions,
    {
      type: READY,
      status: phase === "Succeeded" ? "True" : "False",
      // A withdrawn version's Ready says why: Aborted or FailureThreshold.
      reason: isWithdrawn(phase) && reason ? reason : phase,
      message: phase === "Succeeded" ? `${updated}/${total} updated` : progressing.message,
      observedGeneration: generation,
    },
    now,
  );
  const activations = [...entries.values()].sort((a, b) => compareCodeUnits(a.activation, b.activation));
  return {
    status: {
      observedGeneration: generation,
      phase,
      ...(current && { currentRing: current.name }),
      progress: `${updated}/${total}`,
      updated,
      total,
      failed,
      rings: ringStatus,
      ...(activations.length && { activations }),
      conditions,
    },
    events,
    moved,
    ...(analysisNeeded && { analysisNeeded }),
    ...(waits.length && !TERMINAL.includes(phase) && { requeueAfterMs: Math.max(1000, Math.min(...waits)) }),
  };
}

/** Whether the version of a rollout in this phase is withdrawn: activations go back, Manual ones are not offered it. */
export const isWithdrawn = (phase: RolloutPhase | undefined) => phase === "RollingBack" || phase === "RolledBack";
