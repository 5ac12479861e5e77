import { describe, expect, it } from "vitest";
import { type Condition, condition } from "../api/v1alpha1/common.ts";
import { rfc3339 } from "../kube/time.ts";
import { type ConditionInput, conditionsEqual, getCondition, isTrue, setCondition, summarize } from "./conditions.ts";

const t0 = new Date("2025-03-01T10:00:00.123Z");
const t1 = new Date("2025-03-01T10:05:00.456Z");

const deployed = (status: ConditionInput["status"], reason = "Deployed", message = ""): ConditionInput => ({
  type: "Deployed",
  status,
  reason,
  message,
  observedGeneration: 3,
});

describe("rfc3339", () => {
  it("writes whole seconds in UTC, which the condition schema accepts", () => {
    expect(rfc3339(t0)).toBe("2025-03-01T10:00:00Z");
    const [c] = setCondition([], deployed("True"), t0);
    expect(condition.safeParse(c).success).toBe(true);
  });
});

describe("setCondition", () => {
  it("adds a new condition with now as its transition time", () => {
    const list = setCondition([], deployed("True"), t0);
    expect(list).toEqual([
      {
        type: "Deployed",
        status: "True",
        reason: "Deployed",
        message: "",
        observedGeneration: 3,
        lastTransitionTime: "2025-03-01T10:00:00Z",
      },
    ]);
  });

  it("returns a new list and leaves the given one alone", () => {
    const before = setCondition([], deployed("True"), t0);
    const frozen = structuredClone(before);
    const after = setCondition(before, deployed("False", "ImagePullFailed"), t1);
    expect(after).not.toBe(before);
    expect(before).toEqual(frozen);
  });

  it("keeps lastTransitionTime when only reason, message or generation change", () => {
    const before = setCondition([], deployed("False", "ImagePullFailed", "no such image"), t0);
    const after = setCondition(before, { ...deployed("False", "CrashLoop", "restarting"), observedGeneration: 4 }, t1);
    expect(after[0]).toMatchObject({ reason: "CrashLoop", message: "restarting", observedGeneration: 4 });
    expect(after[0]?.lastTransitionTime).toBe("2025-03-01T10:00:00Z");
  });

  it("moves lastTransitionTime to now when the status changes", () => {
    const before = setCondition([], deployed("Unknown", "Reconciling"), t0);
    const after = setCondition(before, deployed("True"), t1);
    expect(after[0]?.lastTransitionTime).toBe("2025-03-01T10:05:00Z");
  });

  it("keeps insertion order: an updated condition stays in place, a new one goes last", () => {
    let list = setCondition([], { type: "A", status: "True", reason: "Ok", message: "" }, t0);
    list = setCondition(list, { type: "B", status: "True", reason: "Ok", message: "" }, t0);
    list = setCondition(list, { type: "C", status: "True", reason: "Ok", message: "" }, t0);
    list = setCondition(list, { type: "A", status: "False", reason: "Broken", message: "" }, t1);
    expect(list.map((c) => c.type)).toEqual(["A", "B", "C"]);
    expect(list[0]?.status).toBe("False");
  });

  it("leaves observedGeneration out when not given", () => {
    const [c] = setCondition([], { type: "A", status: "True", reason: "Ok", message: "" }, t0);
    expect(c && "observedGeneration" in c).toBe(false);
  });
});

describe("getCondition and isTrue", () => {
  const list = setCondition(setCondition([], deployed("True"), t0), { ...deployed("False"), type: "Admitted" }, t0);

  it("finds a condition by type", () => {
    expect(getCondition(list, "Admitted")?.status).toBe("False");
    expect(getCondition(list, "Missing")).toBeUndefined();
  });

  it("is true only for a condition with status True", () => {
    expect(isTrue(list, "Deployed")).toBe(true);
    expect(isTrue(list, "Admitted")).toBe(false);
    expect(isTrue(list, "Missing")).toBe(false);
    expect(isTrue(setCondition([], deployed("Unknown"), t0), "Deployed")).toBe(false);
  });
});

describe("summarize", () => {
  const types = ["Admitted", "Deployed", "Available"];
  const set = (list: Condition[], type: string, status: ConditionInput["status"], reason: string, message = "") =>
    setCondition(list, { type, status, reason, message, observedGeneration: 3 }, t0);

  it("is True with reason Ready when every listed type is True", () => {
    let list = set([], "Admitted", "True", "Admitted");
    list = set(list, "Deployed", "True", "Deployed");
    list = set(list, "Available", "True", "MinimumReplicasAvailable");
    list = set(list, "Unrelated", "False", "Whatever");
    const ready = summarize(list, { types, observedGeneration: 3 }, t1);
    expect(ready).toMatchObject({ type: "Ready", status: "True", reason: "Ready", observedGeneration: 3 });
    expect(ready.lastTransitionTime).toBe("2025-03-01T10:05:00Z");
  });

  it("is False with the first False condition's reason and its type before the message", () => {
    let list = set([], "Admitted", "True", "Admitted");
    list = set(list, "Deployed", "Unknown", "Reconciling", "applying");
    list = set(list, "Available", "False", "ImagePullFailed", "image registry.example/x:1 not found");
    const ready = summarize(list, { types, observedGeneration: 3 }, t1);
    expect(ready).toMatchObject({
      status: "False",
      reason: "ImagePullFailed",
      message: "Available: image registry.example/x:1 not found",
    });
  });

  it("reports the first False in the order of types, not of the list", () => {
    let list = set([], "Available", "False", "NoEndpoints");
    list = set(list, "Deployed", "False", "InvalidSpec");
    expect(summarize(list, { types }, t1).reason).toBe("InvalidSpec");
  });

  it("is Unknown with the first Unknown condition's reason when none is False", () => {
    let list = set([], "Admitted", "True", "Admitted");
    list = set(list, "Deployed", "Unknown", "Progressing", "2 of 3 replicas updated");
    const ready = summarize(list, { types, observedGeneration: 3 }, t1);
    expect(ready).toMatchObject({
      status: "Unknown",
      reason: "Progressing",
      message: "Deployed: 2 of 3 replicas updated",
    });
  });

  it("is Unknown, Reconciling, waiting for the first missing condition", () => {
    const list = set([], "Admitted", "True", "Admitted");
    const ready = summarize(list, { types, observedGeneration: 3 }, t1);
    expect(ready).toMatchObject({ status: "Unknown", reason: "Reconciling", message: "waiting for Deployed" });
  });

  it("keeps the transition time of the Ready already in the list while its status holds", () => {
    let list = set([], "Admitted", "Unknown", "Reconciling");
    list = setCondition(list, summarize(list, { types }, t0), t0);
    list = set(list, "Admitted", "False", "Rejected");
    list = set(list, "Admitted", "Unknown", "Reconciling");
    const ready = summarize(list, { types }, t1);
    expect(ready.status).toBe("Unknown");
    expect(ready.lastTransitionTime).toBe("2025-03-01T10:00:00Z");

    const allTrue = types.reduce((l, type) => set(l, type, "True", "Ok"), list);
    expect(summarize(allTrue, { types }, t1).lastTransitionTime).toBe("2025-03-01T10:05:00Z");
  });
});

describe("conditionsEqual", () => {
  const base = setCondition(setCondition([], deployed("True"), t0), { ...deployed("False"), type: "A" }, t0);

  it("is true for equal lists, including copies", () => {
    expect(conditionsEqual(base, base)).toBe(true);
    expect(conditionsEqual(base, structuredClone(base))).toBe(true);
    expect(conditionsEqual([], [])).toBe(true);
  });

  it("notices a change in any field, in length and in order", () => {
    const changed = (patch: Partial<Condition>) => [{ ...(base[0] as Condition), ...patch }, base[1] as Condition];
    expect(conditionsEqual(base, changed({ status: "False" }))).toBe(false);
    expect(conditionsEqual(base, changed({ reason: "Other" }))).toBe(false);
    expect(conditionsEqual(base, changed({ message: "other" }))).toBe(false);
    expect(conditionsEqual(base, changed({ lastTransitionTime: "2025-03-01T10:00:01Z" }))).toBe(false);
    expect(conditionsEqual(base, changed({ observedGeneration: 4 }))).toBe(false);
    expect(conditionsEqual(base, changed({ type: "Other" }))).toBe(false);
    expect(conditionsEqual(base, base.slice(0, 1))).toBe(false);
    expect(conditionsEqual(base, [...base].reverse())).toBe(false);
  });

  it("treats an absent observedGeneration as equal to an undefined one", () => {
    const [withoutKey] = setCondition([], { type: "A", status: "True", reason: "Ok", message: "" }, t0);
    const withUndefined = { ...(withoutKey as Condition), observedGeneration: undefined };
    expect(conditionsEqual([withoutKey as Condition], [withUndefined])).toBe(true);
  });
});

describe("an unchanged resync", () => {
  /** What a reconciler does each pass: set every condition, then Ready from them. */
  const reconcile = (stored: readonly Condition[], deploymentReady: boolean, now: Date) => {
    let list = setCondition(
      stored,
      { type: "Admitted", status: "True", reason: "Admitted", message: "", observedGeneration: 7 },
      now,
    );
    list = setCondition(
      list,
      deploymentReady
        ? { type: "Deployed", status: "True", reason: "Deployed", message: "", observedGeneration: 7 }
        : { type: "Deployed", status: "Unknown", reason: "Progressing", message: "rolling out", observedGeneration: 7 },
      now,
    );
    return setCondition(list, summarize(list, { types: ["Admitted", "Deployed"], observedGeneration: 7 }, now), now);
  };

  it("yields a list deep-equal to the stored one, so no status write is needed", () => {
    const first = reconcile([], true, t0);
    // What the API server hands back: a JSON round trip.
    const stored = JSON.parse(JSON.stringify(first)) as Condition[];
    const second = reconcile(stored, true, t1);
    expect(second).toEqual(first);
    expect(conditionsEqual(stored, second)).toBe(true);
  });

  it("differs once something changed, and only the flipped conditions get a new time", () => {
    const first = reconcile([], false, t0);
    const second = reconcile(first, true, t1);
    expect(conditionsEqual(first, second)).toBe(false);
    expect(second.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ["Admitted", "True", "2025-03-01T10:00:00Z"],
      ["Deployed", "True", "2025-03-01T10:05:00Z"],
      ["Ready", "True", "2025-03-01T10:05:00Z"],
    ]);
  });
});
