import { describe, expect, test } from "vitest";
import type { KubeObject } from "./object.ts";
import { ownStatusWrite, withOwnStatus } from "./status.ts";

const cached = (resourceVersion: string, status?: unknown): KubeObject => ({
  metadata: { name: "transcriptie", namespace: "utrecht", resourceVersion, generation: 3, labels: { a: "b" } },
  spec: { block: "transcriptie" },
  ...(status === undefined ? {} : { status }),
});

const own = { replaced: "100", resourceVersion: "105", status: { observedGeneration: 3, conditions: [] } };

describe("one's own status write until the cache has it", () => {
  test("the cache still holds the version the write replaced: its status and resourceVersion, the rest as cached", () => {
    const before = cached("100", { observedGeneration: 2 });
    const { object, current } = withOwnStatus(before, own);
    expect(current).toBe(true);
    expect(object).toEqual({ ...before, metadata: { ...before.metadata, resourceVersion: "105" }, status: own.status });
    // The cached object itself is not changed.
    expect(before.metadata.resourceVersion).toBe("100");
    expect(before.status).toEqual({ observedGeneration: 2 });
  });

  test("the cache holds the write, or anything later or other: the cache as it is, and the write is forgotten", () => {
    for (const rv of ["105", "107", "99"]) {
      const later = cached(rv, { observedGeneration: 3 });
      expect(withOwnStatus(later, own)).toEqual({ object: later, current: false });
    }
    expect(withOwnStatus(undefined, own)).toEqual({ object: undefined, current: false });
  });

  test("only a write the API server answered with a resourceVersion is kept", () => {
    const answer = { resourceVersion: "105", status: own.status };
    expect(ownStatusWrite({ written: true, conflicts: 0, replaced: "100", answer })).toEqual(own);
    expect(ownStatusWrite({ written: false, conflicts: 1 })).toBeUndefined();
    expect(ownStatusWrite({ written: true, conflicts: 0, replaced: "100", answer: {} })).toBeUndefined();
    expect(ownStatusWrite({ written: true, conflicts: 0, answer })).toBeUndefined();
  });
});
