import { describe, expect, it } from "vitest";
import { rolloutChanged, rolloutVerdicts } from "./activation-status.ts";

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
