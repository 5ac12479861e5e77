import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/object.ts";
import { activationHealthChanged, rolloutName, rolloutsConcerned, rolloutsWatching } from "./rollout-controller.ts";

const activation = (generation: number, ready: string, version = "1.0.0"): KubeObject => ({
  metadata: { name: "a", namespace: "utrecht", generation },
  spec: { block: "b" },
  status: { currentVersion: version, observedGeneration: generation, conditions: [{ type: "Ready", status: ready }] },
});
const rollout = (name: string, phase?: string): KubeObject => ({
  metadata: { name },
  spec: { block: "b" },
  ...(phase && { status: { phase } }),
});
const rollouts = [
  rollout("b-1.0.0", "Succeeded"),
  rollout("b-1.1.0", "RolledBack"),
  rollout("b-1.2.0", "Superseded"),
  rollout("b-1.3.0", "Progressing"),
  rollout("b-1.4.0"),
];

describe("which rollouts an activation's update concerns", () => {
  it("only those that watch health when only its health changed", () => {
    const a = activation(1, "True");
    const b = activation(1, "False");
    expect(activationHealthChanged(a, b)).toBe(true);
    expect(rolloutsConcerned(a, b, rollouts)).toEqual(["b-1.3.0", "b-1.4.0"]);
  });

  it("all of the block's when its spec changed (it may join a finished one)", () => {
    expect(rolloutsConcerned(activation(1, "True"), activation(2, "True"), rollouts)).toHaveLength(5);
  });

  it("none for a status write that changes neither version nor readiness", () => {
    const a = activation(1, "True");
    const b = { ...a, status: { ...(a.status as object), availableUpdate: { version: "1.5.0" } } };
    expect(activationHealthChanged(a, b)).toBe(false);
  });
});

describe("which rollouts a new or deleted activation or tenant concerns", () => {
  it("those not finished: a new activation has no status, so it cannot reopen a finished one", () => {
    expect(rolloutsWatching(rollouts)).toEqual(["b-1.3.0", "b-1.4.0"]);
    expect(rolloutsWatching(rollouts.slice(0, 3))).toEqual([]);
  });
});

describe("rolloutName", () => {
  it("is the block and the version, with build metadata made a valid name", () => {
    expect(rolloutName("bezwaar-intake", "1.5.0-RC.1+build.7")).toBe("bezwaar-intake-1.5.0-rc.1-build.7");
  });
});
