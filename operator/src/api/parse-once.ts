// The zod parse of a cached object's spec, once per spec object. A watch cache replaces an object
// on every change and never modifies one, so a spec parsed once stays parsed for as long as the
// cache holds it: the memo is keyed by the spec object itself (a WeakMap, gone with the object).
// Every reconcile of an activation parsed its block's spec (with all versions and parameters)
// and its tenant's, and every rollout reconcile all of a block's activations: at 342
// municipalities that was a tenth of the operator's CPU while the fleet converged (ADR 16).
// The result is frozen, so that a caller that changed it would fail at once instead of
// changing what the next reconcile reads.
import type { z } from "zod";

const memos = new WeakMap<z.ZodType, WeakMap<object, z.ZodSafeParseResult<unknown>>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** `schema.safeParse(value)`, from the memo when this very object was parsed before; the data frozen. */
export function safeParseOnce<T extends z.ZodType>(schema: T, value: unknown): z.ZodSafeParseResult<z.output<T>> {
  if (!value || typeof value !== "object") return schema.safeParse(value);
  let memo = memos.get(schema);
  if (!memo) {
    memo = new WeakMap();
    memos.set(schema, memo);
  }
  let result = memo.get(value);
  if (!result) {
    result = schema.safeParse(value);
    if (result.success) deepFreeze(result.data);
    memo.set(value, result);
  }
  return result as z.ZodSafeParseResult<z.output<T>>;
}

/** `schema.parse(value)`, from the memo as safeParseOnce; throws the parse's error. */
export function parseOnce<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = safeParseOnce(schema, value);
  if (!result.success) throw result.error;
  return result.data;
}
