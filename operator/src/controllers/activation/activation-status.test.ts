import { describe, expect, it } from "vitest";
import type { BlockActivation } from "../../api/v1alpha1/index.ts";
import { FirstStatusHolds } from "../../runtime/first-status-holds.ts";
import {
  activationStatus,
  holdFirstStatus,
  latestWorkload,
  rolloutChanged,
  rolloutFields,
  rolloutVerdicts,
  runningOf,
} from "./activation-status.ts";

const statefulSet = (status: Record<string, unknown>, generation = 1) => ({
  metadata: { name: "d", namespace: "n", generation },
  status,
});

describe("rolloutChanged (which StatefulSet updates reach the activation)", () => {
  const rolling = statefulSet({
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 0,
    availableReplicas: 0,
    currentRevision: "d-1",
    updateRevision: "d-2",
  });

  it("ignores status fields that rolloutVerdicts does not read", () => {
    const busier = statefulSet({
      ...rolling.status,
      currentReplicas: 0,
      collisionCount: 0,
    });
    expect(rolloutChanged(rolling, busier)).toBe(false);
    expect(rolloutVerdicts(rolling, 1)).toEqual(rolloutVerdicts(busier, 1));
  });

  it("passes every change that can change the verdicts", () => {
    const available = statefulSet({ ...rolling.status, readyReplicas: 1, availableReplicas: 1 });
    expect(rolloutChanged(rolling, available)).toBe(true);
    const recorded = statefulSet({ ...available.status, currentRevision: "d-2" });
    expect(rolloutChanged(available, recorded)).toBe(true);
    expect(rolloutVerdicts(recorded, 1).ready.status).toBe("True");
    expect(rolloutChanged(rolling, statefulSet(rolling.status, 2))).toBe(true);
    expect(rolloutChanged(rolling, statefulSet({ ...rolling.status, observedGeneration: 2 }))).toBe(true);
    expect(rolloutChanged(rolling, statefulSet({ ...rolling.status, updatedReplicas: 0 }))).toBe(true);
  });

  it("lists each field that rolloutVerdicts reads: changing any one of them alone can flip Ready", () => {
    // From a rolled-out StatefulSet, each field set to a value that undoes the rollout.
    const done = statefulSet({ ...rolled, observedGeneration: 2 }, 2);
    expect(rolloutVerdicts(done, 1).ready.status).toBe("True");
    const undo: [string, ReturnType<typeof statefulSet>][] = [
      ["generation", statefulSet(done.status, 3)],
      ["observedGeneration", statefulSet({ ...done.status, observedGeneration: 1 }, 2)],
      ["replicas", statefulSet({ ...done.status, replicas: 2 }, 2)],
      ["updatedReplicas", statefulSet({ ...done.status, updatedReplicas: 0 }, 2)],
      ["readyReplicas", statefulSet({ ...done.status, readyReplicas: 0 }, 2)],
      ["availableReplicas", statefulSet({ ...done.status, availableReplicas: 0 }, 2)],
      ["currentRevision", statefulSet({ ...done.status, currentRevision: "d-0" }, 2)],
      ["updateRevision", statefulSet({ ...done.status, updateRevision: "d-2" }, 2)],
    ];
    expect(undo).toHaveLength(rolloutFields(done).length);
    for (const [field, changed] of undo) {
      expect(rolloutVerdicts(changed, 1).ready.status, field).toBe("False");
      expect(rolloutChanged(done, changed), field).toBe(true);
    }
  });
});

const rolled = {
  observedGeneration: 1,
  replicas: 1,
  updatedReplicas: 1,
  readyReplicas: 1,
  availableReplicas: 1,
  currentRevision: "d-1",
  updateRevision: "d-1",
};
const revisions = { currentRevision: "d-1", updateRevision: "d-2" };

describe("rolloutVerdicts (Ready as kubectl rollout status judges it)", () => {
  it("is Ready when every replica runs the current template, ready and available, and no old pod is left", () => {
    expect(rolloutVerdicts(statefulSet(rolled), 1)).toEqual({
      progressing: { status: "False", reason: "RolloutComplete", message: "1/1 replicas available" },
      ready: { status: "True", reason: "Available", message: "1/1 replicas available" },
    });
  });

  it("is not Ready while a pod of the old revision is left and ready and the new one is not (a bad version)", () => {
    // Two replicas: the StatefulSet controller replaced one pod with the new revision, which never
    // becomes ready; the other, of the old revision, still serves.
    const half = statefulSet(
      { observedGeneration: 2, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, ...revisions },
      2,
    );
    expect(rolloutVerdicts(half, 1)).toMatchObject({
      progressing: { status: "True", reason: "RollingOut" },
      ready: { status: "False", reason: "ReplicasUnavailable" },
    });
  });

  it("is not Ready while an old pod terminates, nor when the new pods run but are not ready", () => {
    const oldLeft = {
      ...rolled,
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    };
    expect(rolloutVerdicts(statefulSet(oldLeft, 2), 2).ready.status).toBe("False");
    // Every pod runs the new revision and is ready, but the controller has not yet made it the current one.
    const notRecorded = { ...rolled, observedGeneration: 2, ...revisions };
    expect(rolloutVerdicts(statefulSet(notRecorded, 2), 1).ready.status).toBe("False");
    const notReady = { ...rolled, observedGeneration: 2, readyReplicas: 0, availableReplicas: 0 };
    expect(rolloutVerdicts(statefulSet(notReady, 2), 1).ready.status).toBe("False");
  });

  it("is not Ready before kube-controller-manager saw the new generation, however available the old one was", () => {
    expect(rolloutVerdicts(statefulSet(rolled, 2), 1).ready.status).toBe("False");
  });

  it("is Ready for a paused activation (0 replicas) once its pods are gone", () => {
    expect(rolloutVerdicts(statefulSet({ observedGeneration: 1 }), 0).ready.status).toBe("True");
    expect(rolloutVerdicts(statefulSet({ observedGeneration: 1, replicas: 1 }), 0).ready.status).toBe("False");
  });
});

describe("latestWorkload (the StatefulSet to judge a rollout by after an apply)", () => {
  const cachedOld = statefulSet(rolled, 1);
  const appliedNew = statefulSet(rolled, 2);

  it("takes the apply's answer when it has a later generation than the cache (a new template)", () => {
    expect(latestWorkload(cachedOld, appliedNew)).toBe(appliedNew);
    expect(rolloutVerdicts(latestWorkload(cachedOld, appliedNew), 1).ready.status).toBe("False");
  });

  it("keeps the cache at the same or a later generation, and takes whichever exists", () => {
    const cachedSame = statefulSet({ ...rolled, readyReplicas: 0 }, 1);
    expect(latestWorkload(cachedSame, cachedOld)).toBe(cachedSame);
    expect(latestWorkload(appliedNew, cachedOld)).toBe(appliedNew);
    expect(latestWorkload(undefined, appliedNew)).toBe(appliedNew);
    expect(latestWorkload(cachedOld, undefined)).toBe(cachedOld);
    expect(latestWorkload(undefined, undefined)).toBeUndefined();
  });
});

describe("activationStatus: lastHealthyVersion", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const v = (status: "True" | "False", reason = "R") => ({ status, reason, message: "m" });
  const activation = (lastHealthyVersion?: string) =>
    ({
      metadata: { name: "a", namespace: "n", generation: 3 },
      spec: {},
      status: lastHealthyVersion === undefined ? undefined : { lastHealthyVersion },
    }) as unknown as BlockActivation;
  const outcome = (ready: "True" | "False") => ({
    parameters: v("True"),
    certified: v("True"),
    progressing: v("False"),
    ready: v(ready),
    running: { version: "1.4.0", image: "i@sha256:1" },
  });

  it("is the running version whenever Ready is True", () => {
    expect(activationStatus(activation(), outcome("True"), now).lastHealthyVersion).toBe("1.4.0");
    expect(activationStatus(activation("1.3.0"), outcome("True"), now).lastHealthyVersion).toBe("1.4.0");
  });

  it("keeps the previous value while not Ready, and is absent when no version was ever healthy", () => {
    expect(activationStatus(activation("1.3.0"), outcome("False"), now).lastHealthyVersion).toBe("1.3.0");
    expect(activationStatus(activation(), outcome("False"), now)).not.toHaveProperty("lastHealthyVersion");
    const nothingRuns = { ...outcome("True"), running: undefined };
    expect(activationStatus(activation("1.3.0"), nothingRuns, now).lastHealthyVersion).toBe("1.3.0");
  });
});

describe("holdFirstStatus (one status write for a new activation instead of two)", () => {
  const now = new Date("2026-11-28T12:00:10Z");
  const base = { hasStatus: false, ready: false, workloadCreated: "2026-11-28T12:00:08Z", now, holdMs: 5000 };

  it("holds a new activation's first status while its young StatefulSet is not available", () => {
    expect(holdFirstStatus(base)).toBe(3000);
  });

  it("writes at once when the StatefulSet is available, old enough, missing, or the activation has a status", () => {
    expect(holdFirstStatus({ ...base, ready: true })).toBeUndefined();
    expect(holdFirstStatus({ ...base, workloadCreated: "2026-11-28T12:00:05Z" })).toBeUndefined();
    expect(holdFirstStatus({ ...base, workloadCreated: undefined })).toBeUndefined();
    expect(holdFirstStatus({ ...base, hasStatus: true })).toBeUndefined();
    expect(holdFirstStatus({ ...base, holdMs: 0 })).toBeUndefined();
  });

  it("never holds longer than holdMs, even when the API server's clock is ahead", () => {
    expect(holdFirstStatus({ ...base, workloadCreated: "2026-11-28T12:01:00Z" })).toBe(5000);
  });
});

describe("holdFirstStatus with FirstStatusHolds (a longer hold for activations first seen by a busy controller)", () => {
  const holds = (busy: { now: boolean }) =>
    new FirstStatusHolds({ quietMs: 5000, busyMs: 60_000, busy: () => busy.now });

  it("with the busy hold, holdFirstStatus waits up to 60 s for the StatefulSet", () => {
    const now = new Date("2026-11-28T12:00:40Z");
    const h = holds({ now: true });
    const o = { hasStatus: false, ready: false, workloadCreated: "2026-11-28T12:00:08Z", now };
    expect(holdFirstStatus({ ...o, holdMs: h.holdMs("utrecht/a") })).toBe(28_000);
    expect(holdFirstStatus({ ...o, holdMs: holds({ now: false }).holdMs("utrecht/a") })).toBeUndefined();
  });
});

describe("runningOf (what runs, before the first status says it)", () => {
  const workloadOf = (uid: string) => ({
    metadata: {
      labels: { "aihub.gemeenten.nl/block-version": "2.0.1" },
      ownerReferences: [{ uid, controller: true }],
    },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "block", image: "registry.gemeenten.nl/aihub/x@sha256:1" },
            { name: "other", image: "y" },
          ],
        },
      },
    },
  });

  it("reads the version label and the block container's image of a StatefulSet the activation controls", () => {
    expect(runningOf(workloadOf("a-1"), "a-1")).toEqual({
      version: "2.0.1",
      image: "registry.gemeenten.nl/aihub/x@sha256:1",
    });
  });

  it("ignores a StatefulSet of another activation by that name (an earlier one, not yet collected)", () => {
    expect(runningOf(workloadOf("old"), "a-1")).toBeUndefined();
    expect(runningOf(undefined, "a-1")).toBeUndefined();
  });
});
