import { describe, expect, it } from "vitest";
import { claimCounts, podsSummary, spread, withStages } from "./pipeline.ts";

describe("spread", () => {
  it("gives the median, the 90th percentile and the largest by nearest rank, whatever the order", () => {
    expect(spread([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).toEqual({ p50: 5, p90: 9, max: 10 });
    expect(spread([3])).toEqual({ p50: 3, p90: 3, max: 3 });
    expect(spread([])).toBeUndefined();
  });
});

describe("podsSummary", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 10, 0, s)).toISOString();
  const start = Date.UTC(2026, 11, 3, 10, 0, 0);
  const workload = (ns: string, s: number) => ({ metadata: { namespace: ns, name: "w", creationTimestamp: at(s) } });
  const pod = (ns: string, created: number, scheduled: number, ready?: number) => ({
    metadata: {
      namespace: ns,
      name: "w-0",
      creationTimestamp: at(created),
      ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "w", uid: "u" }],
    },
    spec: { volumes: [{ name: "config" }, { name: "data", persistentVolumeClaim: { claimName: "data-w-0" } }] },
    status: {
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: at(scheduled) },
        ...(ready === undefined ? [] : [{ type: "Ready", status: "True", lastTransitionTime: at(ready) }]),
      ],
    },
  });
  const volume = (ns: string, s: number) => ({
    metadata: { name: `pv-${ns}`, creationTimestamp: at(s) },
    spec: { claimRef: { namespace: ns, name: "data-w-0" } },
  });

  it("splits each Ready pod's time into its StatefulSet, pod, volume, scheduling and Ready steps", () => {
    const steps = podsSummary(
      [workload("a", 10), workload("b", 20), workload("c", 30)],
      // c's pod is not Ready: it counts in no step.
      [pod("a", 12, 20, 21), pod("b", 25, 40, 44), pod("c", 31, 35)],
      [volume("a", 15), volume("b", 30), volume("c", 33)],
      start,
      3,
    ).steps;
    expect(steps).toEqual({
      workload: { p50: 10, p90: 20, max: 20 },
      pod: { p50: 2, p90: 5, max: 5 },
      volume: { p50: 3, p90: 5, max: 5 },
      scheduled: { p50: 5, p90: 10, max: 10 },
      ready: { p50: 1, p90: 4, max: 4 },
    });
  });

  it("measures scheduling from the pod's creation when it has no claim, and gives nothing without a Ready pod", () => {
    const noClaim = { ...pod("a", 12, 20, 21), spec: {} };
    expect(podsSummary([workload("a", 10)], [noClaim], [], start, 1).steps).toEqual({
      workload: { p50: 10, p90: 10, max: 10 },
      pod: { p50: 2, p90: 2, max: 2 },
      scheduled: { p50: 8, p90: 8, max: 8 },
      ready: { p50: 1, p90: 1, max: 1 },
    });
    expect(podsSummary([workload("a", 10)], [pod("a", 12, 20)], [volume("a", 15)], start, 1)).toEqual({
      stages: {
        statefulsets: [start + 10_000],
        pods: [start + 12_000],
        "pods scheduled": [start + 20_000],
        "pods Ready": [],
      },
    });
  });

  it("counts the StatefulSet's creation from the phase's start in whole seconds, as the objects' times are", () => {
    // Created 0.4 s after a start at 10:00:00.6, stamped 10:00:01: 1 s, not 0.4; one stamped 10:00:00 after a start at 10:00:00.9: 0 s, not -0.9.
    const steps = podsSummary([workload("a", 1)], [pod("a", 1, 2, 3)], [volume("a", 1)], start + 600, 1).steps;
    expect(steps?.workload).toEqual({ p50: 1, p90: 1, max: 1 });
    expect(
      podsSummary([workload("a", 0)], [pod("a", 1, 2, 3)], [volume("a", 1)], start + 900, 1).steps?.workload,
    ).toEqual({
      p50: 0,
      p90: 0,
      max: 0,
    });
  });

  it("says when the last pod was Ready once all expected are, and each pod's time after its StatefulSet", () => {
    const workloads = [workload("a", 10), workload("b", 20), workload("c", 30)];
    const volumes = [volume("a", 15), volume("b", 30), volume("c", 33)];
    const twoReady = [pod("a", 12, 20, 21), pod("b", 25, 40, 44), pod("c", 31, 35)];
    // Ready at 10:00:44 (whole seconds): counted up to the second's end.
    expect(podsSummary(workloads, twoReady, volumes, start, 2)).toMatchObject({
      lastSeconds: 45,
      afterWorkload: { p50: 11, p90: 24, max: 24 },
    });
    expect(podsSummary(workloads, twoReady, volumes, start, 3).lastSeconds).toBeUndefined();
    // A pod whose StatefulSet is not listed has no time after it, and still counts as Ready.
    expect(podsSummary([workload("a", 10)], twoReady.slice(0, 2), volumes, start, 2)).toMatchObject({
      lastSeconds: 45,
      afterWorkload: { p50: 11, p90: 11, max: 11 },
    });
  });
});

describe("withStages", () => {
  it("counts, per row, what reached each stage by then, a whole second after its stamp", () => {
    const start = Date.UTC(2026, 11, 5, 9, 0, 0);
    const rows = [
      { t: 5, probe: 1 },
      { t: 10, probe: 2 },
    ];
    const stages = {
      // Stamped at 4 s: certainly made by 5 s. Stamped at 5 s: made at 5.0 to 5.999 s, so by 10 s.
      statefulsets: [start + 4_000, start + 5_000, start + 9_000, start + 12_000],
      pods: [start + 9_000],
      "pods scheduled": [Number.NaN],
      "pods Ready": [],
    };
    expect(withStages(rows, start, stages)).toEqual([
      { t: 5, probe: 1, statefulsets: 1, pods: 0, "pods scheduled": 0, "pods Ready": 0 },
      { t: 10, probe: 2, statefulsets: 3, pods: 1, "pods scheduled": 0, "pods Ready": 0 },
    ]);
    // The rows themselves are left as they were.
    expect(rows[0]).toEqual({ t: 5, probe: 1 });
  });
});

describe("claimCounts", () => {
  it("counts the claims and those Bound, not those Pending or Lost", () => {
    const claim = (name: string, phase?: string) => ({ metadata: { name }, ...(phase && { status: { phase } }) });
    expect(
      claimCounts([claim("a", "Bound"), claim("b", "Pending"), claim("c"), claim("d", "Lost"), claim("e", "Bound")]),
    ).toEqual({
      claims: 5,
      "claims bound": 2,
    });
    expect(claimCounts([])).toEqual({ claims: 0, "claims bound": 0 });
  });
});
