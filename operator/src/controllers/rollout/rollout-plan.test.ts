import { describe, expect, it } from "vitest";
import { type RingName, rolloutStrategy } from "../../api/v1alpha1/index.ts";
import { activationsConcerned } from "./fleet-view.ts";
import { type PlanInput, planRollout, type RolloutTarget } from "./rollout-plan.ts";

const OLD = "1.0.0";
const NEW = "1.1.0";
const T0 = Date.parse("2027-01-12T10:00:00Z");

/** A fleet of n canary, m early, k general activations on OLD, all ready. */
function fleet(canary: number, early: number, general: number): RolloutTarget[] {
  const make = (ring: RingName, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      key: `${ring}-${String(i).padStart(2, "0")}/block`,
      ring,
      running: OLD,
      ready: true,
      readySince: "2027-01-01T00:00:00Z",
      lastHealthyVersion: OLD,
      inWindow: true,
    }));
  return [...make("canary", canary), ...make("early", early), ...make("general", general)];
}

type Rollout = PlanInput["rollout"];

function rollout(strategy: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Rollout {
  return {
    metadata: { generation: 1 },
    spec: {
      block: "bezwaar-intake",
      version: NEW,
      channel: "stable",
      strategy: rolloutStrategy.parse(strategy),
      paused: false,
      abort: false,
      ...spec,
    },
  };
}

/**
 * Drives a rollout the way the cluster would: every moved activation runs the new version a
 * second later, healthy unless `bad`; an activation sent back runs its previous version.
 * Returns the plans in order and the final state.
 */
function simulate(
  r: Rollout,
  targets: RolloutTarget[],
  o: { bad?: boolean; steps?: number; stepMs?: number; extra?: Partial<PlanInput> } = {},
) {
  let now = T0;
  const plans = [];
  for (let i = 0; i < (o.steps ?? 400); i++) {
    const plan = planRollout({ rollout: r, targets, now: new Date(now), ...o.extra });
    plans.push({ at: now, plan });
    r = { ...r, status: plan.status };
    for (const t of targets) {
      const e = plan.status.activations?.find((x) => x.activation === t.key);
      const withdrawn = plan.status.phase === "RollingBack" || plan.status.phase === "RolledBack";
      const goesBack = e && (e.state === "Failed" || withdrawn);
      const want = goesBack ? e.previousVersion : e ? NEW : t.running;
      if (want !== t.running) {
        t.running = want;
        t.ready = want !== NEW || !o.bad;
        t.readySince = new Date(now + 1000).toISOString();
        if (!t.ready) t.notReadyMessage = "waiting for 1 available replica(s)";
      }
    }
    if (plan.status.phase === "Succeeded" || plan.status.phase === "RolledBack") break;
    now += o.stepMs ?? 60_000;
  }
  return { plans, rollout: r, last: plans.at(-1)?.plan, end: now };
}

describe("planRollout: a good version", () => {
  it("moves 3 canary, 9 early and 18 general activations ring by ring, each ring after the previous one baked", () => {
    const targets = fleet(3, 9, 18);
    const { plans, last } = simulate(rollout({ bakeTime: "10m", maxConcurrent: "2" }), targets);
    expect(last?.status.phase).toBe("Succeeded");
    expect(last?.status.progress).toBe("30/30");
    // When each ring moved its first and last activation, and when each was done.
    const firstMove = (ring: string) => plans.find((p) => p.plan.moved.some((k) => k.startsWith(ring)))?.at ?? 0;
    const completed = (ring: string) => Date.parse(last?.status.rings?.find((x) => x.name === ring)?.completedAt ?? "");
    expect(firstMove("early")).toBeGreaterThanOrEqual(completed("canary"));
    expect(firstMove("general")).toBeGreaterThanOrEqual(completed("early"));
    // Baked: the canary ring ends no sooner than 10 minutes after its last activation was healthy.
    const lastCanaryMove = Math.max(
      ...plans.filter((p) => p.plan.moved.some((k) => k.startsWith("canary"))).map((p) => p.at),
    );
    expect(completed("canary") - lastCanaryMove).toBeGreaterThanOrEqual(10 * 60_000);
    // Never more than maxConcurrent updating at once in a ring.
    for (const { plan } of plans) {
      const updating = (plan.status.activations ?? []).filter((e) => e.state === "Updating");
      for (const ring of ["canary", "early", "general"]) {
        expect(updating.filter((e) => e.ring === ring).length).toBeLessThanOrEqual(2);
      }
    }
    // Every activation moved once, each with its previous version recorded.
    const moves = plans.flatMap((p) => p.plan.moved);
    expect(new Set(moves).size).toBe(30);
    expect(moves.length).toBe(30);
    expect(last?.status.activations?.every((e) => e.previousVersion === OLD && e.state === "Healthy")).toBe(true);
    expect(plans.flatMap((p) => p.plan.events.map((e) => e.reason))).toEqual(
      expect.arrayContaining(["RingStarted", "RingCompleted", "RolloutSucceeded"]),
    );
  });

  it("succeeds at once when nothing needs to move, and skips an empty ring", () => {
    const onNew = fleet(0, 2, 0).map((t) => ({ ...t, running: NEW }));
    expect(planRollout({ rollout: rollout(), targets: onNew, now: new Date(T0) }).status.phase).toBe("Succeeded");
    const noCanary = fleet(0, 2, 2);
    const first = planRollout({ rollout: rollout({ maxConcurrent: "100%" }), targets: noCanary, now: new Date(T0) });
    expect(first.moved).toEqual(["early-00/block", "early-01/block"]);
    expect(first.status.currentRing).toBe("early");
  });

  it("moves nothing twice when planned again from its own status (a restart)", () => {
    const targets = fleet(3, 0, 0);
    const r = rollout({ maxConcurrent: "2" });
    const first = planRollout({ rollout: r, targets, now: new Date(T0) });
    expect(first.moved).toHaveLength(2);
    // The operator restarts before any activation changed: the same status, later.
    const again = planRollout({ rollout: { ...r, status: first.status }, targets, now: new Date(T0 + 5000) });
    expect(again.moved).toEqual([]);
    expect(again.status.activations).toEqual(first.status.activations);
  });
});

describe("planRollout: a bad version", () => {
  it("halts in canary, sends canary back to its last healthy version and never touches early or general", () => {
    const targets = fleet(3, 9, 18);
    const { plans, last } = simulate(rollout({ progressDeadline: "5m", maxConcurrent: "100%" }), targets, {
      bad: true,
    });
    expect(last?.status.phase).toBe("RolledBack");
    expect(plans.flatMap((p) => p.plan.moved).every((k) => k.startsWith("canary"))).toBe(true);
    expect(targets.every((t) => t.running === OLD && t.ready)).toBe(true);
    const halted = plans.flatMap((p) => p.plan.events).find((e) => e.reason === "RolloutHalted");
    expect(halted?.message).toContain(
      "ring canary: 3 failed, 0 tolerated (canary-00/block, canary-01/block, canary-02/block)",
    );
    const failed = plans.flatMap((p) => p.plan.events).filter((e) => e.reason === "ActivationFailed");
    expect(failed[0]?.message).toContain("not healthy on 1.1.0 within the progress deadline of 5m");
    expect(failed[0]?.message).toContain("waiting for 1 available replica(s)");
    expect(last?.status.failed).toBe(3);
  });

  it("tolerates failures up to maxFailures and sends only the failed one back", () => {
    const targets = fleet(4, 0, 0);
    const r = rollout({ maxFailures: "1", maxConcurrent: "100%", progressDeadline: "2m", bakeTime: "1m" });
    // One canary never becomes healthy on the new version.
    let now = T0;
    let status = planRollout({ rollout: r, targets, now: new Date(now) }).status;
    for (const t of targets) {
      t.running = NEW;
      t.ready = t.key !== "canary-03/block";
      t.readySince = new Date(now).toISOString();
    }
    for (let i = 0; i < 10 && status.phase === "Progressing"; i++) {
      now += 60_000;
      status = planRollout({ rollout: { ...r, status }, targets, now: new Date(now) }).status;
    }
    expect(status.phase).toBe("Succeeded");
    expect(status.failed).toBe(1);
    expect(status.activations?.find((e) => e.activation === "canary-03/block")?.state).toBe("Failed");
  });

  it("counts an activation that becomes unavailable while baking as failed", () => {
    const targets = fleet(1, 0, 0);
    const r = rollout({ bakeTime: "10m" });
    let status = planRollout({ rollout: r, targets, now: new Date(T0) }).status;
    targets[0] = {
      ...(targets[0] as RolloutTarget),
      running: NEW,
      ready: true,
      readySince: new Date(T0).toISOString(),
    };
    status = planRollout({ rollout: { ...r, status }, targets, now: new Date(T0 + 60_000) }).status;
    expect(status.activations?.[0]?.state).toBe("Baking");
    targets[0] = { ...(targets[0] as RolloutTarget), ready: false, notReadyMessage: "CrashLoopBackOff" };
    const plan = planRollout({ rollout: { ...r, status }, targets, now: new Date(T0 + 120_000) });
    expect(plan.status.phase).toBe("RollingBack");
    expect(plan.status.activations?.[0]?.message).toBe("became unavailable on 1.1.0 while baking: CrashLoopBackOff");
  });
});

describe("planRollout: the collective's switches", () => {
  it("moves nothing while paused, and continues when resumed", () => {
    const targets = fleet(2, 0, 0);
    const paused = planRollout({ rollout: rollout({}, { paused: true }), targets, now: new Date(T0) });
    expect(paused.status.phase).toBe("Paused");
    expect(paused.moved).toEqual([]);
    expect(paused.status.conditions?.find((c) => c.type === "Progressing")?.message).toContain(
      "set spec.paused to false to resume",
    );
    const resumed = planRollout({
      rollout: { ...rollout(), status: paused.status },
      targets,
      now: new Date(T0 + 1000),
    });
    expect(resumed.status.phase).toBe("Progressing");
    expect(resumed.moved).toHaveLength(1);
  });

  it("rolls back what it moved on abort, even after success", () => {
    const targets = fleet(2, 0, 0);
    const { rollout: done } = simulate(rollout({ maxConcurrent: "100%", bakeTime: "1m" }), targets);
    expect(done.status?.phase).toBe("Succeeded");
    const aborted = planRollout({
      rollout: { ...done, spec: { ...done.spec, abort: true } },
      targets,
      now: new Date(T0 + 3_600_000),
    });
    expect(aborted.status.phase).toBe("RollingBack");
    expect(aborted.status.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("Aborted");
    expect(aborted.status.activations?.every((e) => e.state === "RollingBack")).toBe(true);
  });

  it("stops when a newer version supersedes it, and moves nothing more", () => {
    const targets = fleet(2, 0, 0);
    const first = planRollout({ rollout: rollout(), targets, now: new Date(T0) });
    const later = planRollout({
      rollout: { ...rollout(), status: first.status },
      targets,
      newerVersion: "1.2.0",
      now: new Date(T0 + 1000),
    });
    expect(later.status.phase).toBe("Superseded");
    expect(later.moved).toEqual([]);
    expect(later.events[0]?.message).toContain("version 1.2.0 of bezwaar-intake supersedes 1.1.0");
  });
});

describe("planRollout: windows", () => {
  it("moves nothing during a fleet-wide freeze and carries on after it", () => {
    const targets = fleet(2, 0, 0);
    const freeze = { name: "verkiezingen", reason: "municipal elections", end: "2027-01-12T12:00" };
    const frozen = planRollout({ rollout: rollout(), targets, freeze, now: new Date(T0) });
    expect(frozen.moved).toEqual([]);
    const progressing = frozen.status.conditions?.find((c) => c.type === "Progressing");
    expect(progressing).toMatchObject({ status: "False", reason: "Frozen" });
    expect(progressing?.message).toContain("held by freeze verkiezingen until 2027-01-12T12:00");
    expect(frozen.requeueAfterMs).toBe(60_000);
    const after = planRollout({
      rollout: { ...rollout(), status: frozen.status },
      targets,
      now: new Date(T0 + 7_200_000),
    });
    expect(after.moved).toHaveLength(1);
  });

  it("moves a municipality only inside its maintenance window", () => {
    const targets = fleet(2, 0, 0).map((t, i) => ({ ...t, inWindow: i === 1 }));
    const plan = planRollout({ rollout: rollout({ maxConcurrent: "100%" }), targets, now: new Date(T0) });
    expect(plan.moved).toEqual(["canary-01/block"]);
    const waiting = planRollout({
      rollout: rollout(),
      targets: targets.map((t) => ({ ...t, inWindow: false })),
      now: new Date(T0),
    });
    expect(waiting.status.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("OutsideMaintenanceWindows");
  });
});

describe("planRollout: the analysis hook", () => {
  const hooked = () =>
    rollout({ maxConcurrent: "100%", bakeTime: "1m", analysis: { url: "https://analyse.example.eu/ring" } });

  /** Canary done and baked, so that early is next. */
  function canaryDone() {
    const targets = fleet(1, 1, 0);
    const r = hooked();
    let status = planRollout({ rollout: r, targets, now: new Date(T0) }).status;
    targets[0] = { ...(targets[0] as RolloutTarget), running: NEW, readySince: new Date(T0).toISOString() };
    status = planRollout({ rollout: { ...r, status }, targets, now: new Date(T0 + 1000) }).status;
    return { r, targets, status };
  }

  it("asks about the ring that is done before the next starts, and moves on go", () => {
    const { r, targets, status } = canaryDone();
    const asking = planRollout({ rollout: { ...r, status }, targets, now: new Date(T0 + 120_000) });
    expect(asking.analysisNeeded).toEqual({ ring: "canary", nextRing: "early" });
    expect(asking.moved).toEqual([]);
    const go = planRollout({
      rollout: { ...r, status },
      targets,
      now: new Date(T0 + 120_000),
      analysis: { ring: "canary", verdict: "Go", message: "analysis hook said go (HTTP 200)" },
    });
    expect(go.moved).toEqual(["early-00/block"]);
    expect(go.status.rings?.find((x) => x.name === "canary")?.analysis).toBe("Go");
    // Asked once: the next plan does not ask again.
    expect(
      planRollout({ rollout: { ...r, status: go.status }, targets, now: new Date(T0 + 121_000) }).analysisNeeded,
    ).toBeUndefined();
  });

  it("rolls back on no-go, and waits when the hook does not answer", () => {
    const { r, targets, status } = canaryDone();
    const later = new Date(T0 + 120_000);
    const silent = planRollout({
      rollout: { ...r, status },
      targets,
      now: later,
      analysis: {
        ring: "canary",
        verdict: "Unreachable",
        message: "analysis hook https://analyse.example.eu/ring: ECONNREFUSED",
      },
    });
    expect(silent.moved).toEqual([]);
    expect(silent.status.conditions?.find((c) => c.type === "Progressing")).toMatchObject({
      reason: "AwaitingAnalysis",
      message: expect.stringContaining("ECONNREFUSED"),
    });
    const nogo = planRollout({
      rollout: { ...r, status },
      targets,
      now: later,
      analysis: { ring: "canary", verdict: "NoGo", message: "analysis hook said no-go (HTTP 409)" },
    });
    expect(nogo.status.phase).toBe("RollingBack");
    expect(nogo.status.conditions?.find((c) => c.type === "Ready")?.reason).toBe("AnalysisNoGo");
  });
});

describe("activationsConcerned", () => {
  const entry = (activation: string, state = "Updating") => ({
    activation,
    ring: "canary" as const,
    state: state as "Updating",
    previousVersion: OLD,
    movedAt: "2027-01-01T00:00:00Z",
  });
  const r = (status: Record<string, unknown>) => ({ metadata: {}, status });
  const all = () => ["all"];

  it("names the activations whose entry was added, changed or dropped", () => {
    const a = r({ phase: "Progressing", activations: [entry("a/x"), entry("b/x")] });
    const b = r({ phase: "Progressing", activations: [entry("a/x", "Baking"), entry("c/x")] });
    expect(activationsConcerned(a, b, all).sort()).toEqual(["a/x", "b/x", "c/x"]);
  });

  it("names all of the block's when the phase or a ring's completion changes", () => {
    expect(activationsConcerned(r({ phase: "Progressing" }), r({ phase: "RollingBack" }), all)).toEqual(["all"]);
    const ring = (completedAt?: string) => r({ phase: "Progressing", rings: [{ name: "canary", completedAt }] });
    expect(activationsConcerned(ring(), ring("2027-01-01T00:00:00Z"), all)).toEqual(["all"]);
    expect(activationsConcerned(ring(), ring(), all)).toEqual([]);
  });
});

describe("planRollout: activations that join later", () => {
  it("reopens a rollout that succeeded when an activation on an older version joins, and moves it through the rings", () => {
    const r = rollout({ maxConcurrent: "100%", bakeTime: "1m" });
    const none = planRollout({ rollout: r, targets: [], now: new Date(T0) });
    expect(none.status.phase).toBe("Succeeded");
    const joined = fleet(1, 0, 0);
    const plan = planRollout({ rollout: { ...r, status: none.status }, targets: joined, now: new Date(T0 + 1000) });
    expect(plan.status.phase).toBe("Progressing");
    expect(plan.moved).toEqual(["canary-00/block"]);
    expect(plan.events.map((e) => e.reason)).toContain("ActivationsJoined");
    // Nothing joined: it stays as it ended, without a write.
    const same = planRollout({ rollout: { ...r, status: none.status }, targets: [], now: new Date(T0 + 2000) });
    expect(same.status).toEqual({ ...none.status, observedGeneration: 1 });
  });
});

describe("planRollout: a newer version withdrawn", () => {
  it("resumes the superseded rollout and judges what it had moved afresh, not as failed", () => {
    const targets = fleet(1, 0, 0);
    const r = rollout({ bakeTime: "30m", progressDeadline: "5m" });
    let status = planRollout({ rollout: r, targets, now: new Date(T0) }).status;
    targets[0] = { ...(targets[0] as RolloutTarget), running: NEW, readySince: new Date(T0).toISOString() };
    status = planRollout({ rollout: { ...r, status }, targets, now: new Date(T0 + 1000) }).status;
    expect(status.activations?.[0]?.state).toBe("Baking");
    status = planRollout({
      rollout: { ...r, status },
      targets,
      newerVersion: "1.2.0",
      now: new Date(T0 + 2000),
    }).status;
    expect(status.phase).toBe("Superseded");
    // 1.2.0 moved it and failed: it is on its way back to 1.1.0, not ready yet.
    targets[0] = { ...(targets[0] as RolloutTarget), running: "1.2.0", ready: false };
    const resumed = planRollout({ rollout: { ...r, status }, targets, now: new Date(T0 + 600_000) });
    expect(resumed.status.phase).toBe("Progressing");
    expect(resumed.status.activations?.[0]).toMatchObject({ state: "Updating", movedAt: "2027-01-12T10:10:00Z" });
    expect(resumed.events.map((e) => e.reason)).toContain("RolloutResumed");
  });

  it("does not call a ring done when it failed", () => {
    const targets = fleet(1, 1, 0);
    const r = rollout({ progressDeadline: "1m" });
    let status = planRollout({ rollout: r, targets, now: new Date(T0) }).status;
    targets[0] = { ...(targets[0] as RolloutTarget), running: NEW, ready: false };
    const plan = planRollout({ rollout: { ...r, status }, targets, now: new Date(T0 + 120_000) });
    status = plan.status;
    expect(status.phase).toBe("RollingBack");
    expect(status.rings?.find((x) => x.name === "canary")?.completedAt).toBeUndefined();
    expect(plan.events.map((e) => e.reason)).not.toContain("RingCompleted");
  });
});

describe("planRollout: an older rollout that succeeded", () => {
  it("does not reopen for activations that run a newer version, or when a newer version is out", () => {
    const r = rollout();
    const done = planRollout({ rollout: r, targets: [], now: new Date(T0) }).status;
    const onNewer = fleet(1, 0, 0).map((t) => ({ ...t, running: "1.2.0" }));
    expect(planRollout({ rollout: { ...r, status: done }, targets: onNewer, now: new Date(T0) }).status.phase).toBe(
      "Succeeded",
    );
    const onOlder = fleet(1, 0, 0);
    const superseded = planRollout({
      rollout: { ...r, status: done },
      targets: onOlder,
      newerVersion: "1.2.0",
      now: new Date(T0),
    });
    expect(superseded.status.phase).toBe("Succeeded");
    expect(superseded.moved).toEqual([]);
  });
});
