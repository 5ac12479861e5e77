import { describe, expect, it } from "vitest";
import { INTERN_MAX_LENGTH, StringPool } from "./intern.ts";

// Which instance a string is cannot be observed from JavaScript (strings compare by value); what
// the pool saves is measured by the fleet benchmark's heap snapshot. These tests check what the
// pool holds.
const fresh = (s: string) => JSON.parse(JSON.stringify(s)) as string;

describe("StringPool", () => {
  it("holds one entry for a value however often it comes, and returns an equal string", () => {
    const pool = new StringPool(8);
    for (let i = 0; i < 5; i++) expect(pool.intern(fresh("juridische-ondersteuning"))).toBe("juridische-ondersteuning");
    expect(pool.size).toBe(1);
  });

  it("stays bounded: two generations of its capacity, and keeps what recurs", () => {
    const pool = new StringPool(4);
    pool.intern("aihub");
    for (let i = 0; i < 100; i++) {
      pool.intern(`uid-${i}`);
      // A value seen again in every generation moves with it.
      if (i % 3 === 0) pool.intern("aihub");
    }
    expect(pool.size).toBeLessThanOrEqual(8);
    const before = pool.size;
    pool.intern("aihub");
    expect(pool.size).toBe(before);
  });

  it("leaves long strings alone", () => {
    const pool = new StringPool(4);
    pool.intern("x".repeat(INTERN_MAX_LENGTH + 1));
    expect(pool.size).toBe(0);
  });

  it("replaces the string values of a parsed object in place, keeping it equal, and skips unique keys", () => {
    const pool = new StringPool();
    const text = JSON.stringify({
      metadata: { name: "a", namespace: "utrecht", uid: "u-1", resourceVersion: "7", labels: { block: "b" } },
      spec: { containers: [{ name: "b", image: "img", ports: [80, "http"] }], selector: { block: "b" } },
      flag: true,
      nothing: null,
    });
    const obj = JSON.parse(text);
    const copy = JSON.parse(text);
    expect(pool.internAll(obj)).toBe(obj);
    expect(obj).toEqual(copy);
    // "a", "utrecht", "b", "img", "http" pooled once each ("b" occurs three times); uid and
    // resourceVersion not at all.
    expect(pool.size).toBe(5);
    pool.internAll(copy);
    expect(pool.size).toBe(5);
  });
});
