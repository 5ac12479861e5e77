import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseOnce, safeParseOnce } from "./parse-once.ts";

const schema = z.object({ name: z.string(), tags: z.array(z.string()).default([]) });

describe("parseOnce", () => {
  it("parses a spec object once and hands out the same frozen result after", () => {
    const spec = { name: "a" };
    const first = parseOnce(schema, spec);
    expect(first).toEqual({ name: "a", tags: [] });
    expect(parseOnce(schema, spec)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.tags)).toBe(true);
    expect(() => first.tags.push("x")).toThrow(TypeError);
  });

  it("parses another object with the same content again, and a changed cache object is a new one", () => {
    expect(parseOnce(schema, { name: "a" })).not.toBe(parseOnce(schema, { name: "a" }));
  });

  it("keeps a failure too, and per schema", () => {
    const bad = { name: 1 };
    const r = safeParseOnce(schema, bad);
    expect(r.success).toBe(false);
    expect(safeParseOnce(schema, bad)).toBe(r);
    expect(() => parseOnce(schema, bad)).toThrow(/name/);
    expect(safeParseOnce(z.object({ name: z.number() }), bad).success).toBe(true);
  });

  it("parses values that cannot key a memo every time", () => {
    expect(safeParseOnce(schema, undefined).success).toBe(false);
    expect(safeParseOnce(z.string(), "x")).toEqual({ success: true, data: "x" });
  });
});
