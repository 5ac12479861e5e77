import { describe, expect, it } from "vitest";
import { isSubset } from "./subset.ts";

describe("isSubset", () => {
  const live = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "a", namespace: "n", uid: "u1", labels: { app: "x", extra: "y" }, managedFields: [{}] },
    data: { k: "v" },
    spec: { ports: [{ port: 80, protocol: "TCP" }] },
  };

  it("is true when every desired field has the same value live, whatever else is there", () => {
    expect(isSubset({ metadata: { name: "a", labels: { app: "x" } }, data: { k: "v" } }, live)).toBe(true);
    expect(isSubset({ spec: { ports: [{ port: 80 }] } }, live)).toBe(true);
  });

  it("is false when a value differs, is missing, or a list has another length", () => {
    expect(isSubset({ data: { k: "w" } }, live)).toBe(false);
    expect(isSubset({ data: { other: "v" } }, live)).toBe(false);
    expect(isSubset({ spec: { ports: [{ port: 80 }, { port: 81 }] } }, live)).toBe(false);
    expect(isSubset({ spec: { ports: [] } }, live)).toBe(false);
  });

  it("tells lists, objects and scalars apart", () => {
    expect(isSubset([1], { 0: 1 })).toBe(false);
    expect(isSubset({ 0: 1 }, [1])).toBe(false);
    expect(isSubset("1", 1)).toBe(false);
    expect(isSubset(null, null)).toBe(true);
    expect(isSubset({ a: null }, { a: 0 })).toBe(false);
  });
});
