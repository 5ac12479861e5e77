import { describe, expect, it } from "vitest";
import { sameSpec } from "./kept.ts";
import type { KubeObject } from "./object.ts";

const obj = (meta: Partial<KubeObject["metadata"]>, rest: Record<string, unknown> = { spec: { replicas: 1 } }) =>
  ({ metadata: { name: "a", uid: "u1", generation: 1, resourceVersion: "1", ...meta }, ...rest }) as KubeObject;

describe("sameSpec", () => {
  it("holds for the same object at the same generation", () => {
    expect(sameSpec(obj({}), obj({ resourceVersion: "2" }, { spec: { replicas: 1 }, status: { ready: 1 } }))).toBe(
      true,
    );
  });

  it("does not hold for a new generation, another object, no generation, no spec or nothing before", () => {
    expect(sameSpec(obj({}), obj({ generation: 2 }))).toBe(false);
    expect(sameSpec(obj({}), obj({ uid: "u2" }))).toBe(false);
    expect(sameSpec(obj({ generation: undefined }), obj({ generation: undefined }))).toBe(false);
    expect(sameSpec(obj({ uid: undefined }), obj({ uid: undefined }))).toBe(false);
    expect(sameSpec(obj({}, { data: {} }), obj({}, { data: {} }))).toBe(false);
    expect(sameSpec(undefined, obj({}))).toBe(false);
  });
});
