import { describe, expect, it } from "vitest";
import type { Condition } from "../../api/v1alpha1/index.ts";
import { conditionWarnings } from "./activation-events.ts";

const c = (type: string, status: Condition["status"], reason: string): Condition =>
  ({ type, status, reason, message: `${type} ${reason}`, lastTransitionTime: "2026-11-30T10:00:00Z" }) as Condition;

describe("conditionWarnings", () => {
  it("warns when a condition turns False for a new reason, once", () => {
    const failed = c("Ready", "False", "InvalidParameters");
    expect(conditionWarnings([], [failed])).toEqual([
      { type: "Warning", reason: "InvalidParameters", note: failed.message },
    ]);
    expect(conditionWarnings([failed], [failed])).toEqual([]);
  });

  it("does not warn while a rollout is in progress", () => {
    expect(conditionWarnings([], [c("Ready", "False", "ReplicasUnavailable"), c("Progressing", "False", "X")])).toEqual(
      [],
    );
  });

  it("does not warn that a new activation's logging sidecar is not ready yet, only when a ready one is lost", () => {
    const notReady = c("LogboekReady", "False", "SidecarNotReady");
    expect(conditionWarnings(undefined, [notReady])).toEqual([]);
    expect(conditionWarnings([c("LogboekReady", "Unknown", "NotRunning")], [notReady])).toEqual([]);
    expect(conditionWarnings([c("LogboekReady", "True", "SidecarReady")], [notReady])).toEqual([
      { type: "Warning", reason: "SidecarNotReady", note: notReady.message },
    ]);
  });
});
