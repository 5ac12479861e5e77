import { describe, expect, it } from "vitest";
import { holdFirstStatus, rolloutChanged, rolloutVerdicts, runningOf } from "./activation-status.ts";

const deployment = (status: Record<string, unknown>, generation = 1) => ({
  metadata: { name: "d", namespace: "n", generation },
  status,
});

describe("rolloutChanged (which Deployment updates reach the activation)", () => {
  const rolling = deployment({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 });

  it("ignores status fields that rolloutVerdicts does not read", () => {
    const busier = deployment({
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 0,
      readyReplicas: 0,
      unavailableReplicas: 1,
      conditions: [{ type: "Progressing", status: "True", lastUpdateTime: "2026-11-28T12:00:00Z" }],
    });
    expect(rolloutChanged(rolling, busier)).toBe(false);
    expect(rolloutVerdicts(rolling, 1)).toEqual(rolloutVerdicts(busier, 1));
  });

  it("passes every change that can change the verdicts", () => {
    const available = deployment({ observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1 });
    expect(rolloutChanged(rolling, available)).toBe(true);
    expect(rolloutVerdicts(available, 1).ready.status).toBe("True");
    expect(rolloutChanged(rolling, deployment(rolling.status, 2))).toBe(true);
    expect(rolloutChanged(rolling, deployment({ ...rolling.status, observedGeneration: 2 }))).toBe(true);
    expect(rolloutChanged(rolling, deployment({ ...rolling.status, updatedReplicas: 0 }))).toBe(true);
  });
});

describe("holdFirstStatus (one status write for a new activation instead of two)", () => {
  const now = new Date("2026-11-28T12:00:10Z");
  const base = { hasStatus: false, ready: false, deploymentCreated: "2026-11-28T12:00:08Z", now, holdMs: 5000 };

  it("holds a new activation's first status while its young Deployment is not available", () => {
    expect(holdFirstStatus(base)).toBe(3000);
  });

  it("writes at once when the Deployment is available, old enough, missing, or the activation has a status", () => {
    expect(holdFirstStatus({ ...base, ready: true })).toBeUndefined();
    expect(holdFirstStatus({ ...base, deploymentCreated: "2026-11-28T12:00:05Z" })).toBeUndefined();
    expect(holdFirstStatus({ ...base, deploymentCreated: undefined })).toBeUndefined();
    expect(holdFirstStatus({ ...base, hasStatus: true })).toBeUndefined();
    expect(holdFirstStatus({ ...base, holdMs: 0 })).toBeUndefined();
  });

  it("never holds longer than holdMs, even when the API server's clock is ahead", () => {
    expect(holdFirstStatus({ ...base, deploymentCreated: "2026-11-28T12:01:00Z" })).toBe(5000);
  });
});

describe("runningOf (what runs, before the first status says it)", () => {
  const deployment = (uid: string) => ({
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

  it("reads the version label and the block container's image of a Deployment the activation controls", () => {
    expect(runningOf(deployment("a-1"), "a-1")).toEqual({
      version: "2.0.1",
      image: "registry.gemeenten.nl/aihub/x@sha256:1",
    });
  });

  it("ignores a Deployment of another activation by that name (an earlier one, not yet collected)", () => {
    expect(runningOf(deployment("old"), "a-1")).toBeUndefined();
    expect(runningOf(undefined, "a-1")).toBeUndefined();
  });
});
