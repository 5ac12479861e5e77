// Whether a value, sent as JSON, would equal a value read as JSON: what `isDeepStrictEqual(
// JSON.parse(JSON.stringify(sent)), read)` says, without the round trip. Every reconcile compares
// the status it computed with the one the object has, and nearly always they are equal: the round
// trip and node's general deep equality were a noticeable part of a reconcile that wrote nothing
// (ADR 16). `read` is JSON as parsed (no undefined, no functions, no class instances).

/** What JSON.stringify writes for `v` (toJSON applied); undefined where it writes nothing. */
function asJson(v: unknown): unknown {
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function")
    return (v as { toJSON(): unknown }).toJSON();
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") return undefined;
  return v;
}

export function jsonEqual(sent: unknown, read: unknown): boolean {
  const v = asJson(sent);
  if (v === null || typeof v !== "object") return v === read;
  if (read === null || typeof read !== "object") return false;
  if (Array.isArray(v)) {
    if (!Array.isArray(read) || v.length !== read.length) return false;
    // In an array, what JSON cannot say is written as null.
    for (let i = 0; i < v.length; i++) if (!jsonEqual(asJson(v[i]) ?? null, read[i])) return false;
    return true;
  }
  if (Array.isArray(read)) return false;
  const r = read as Record<string, unknown>;
  let keys = 0;
  for (const k of Object.keys(v)) {
    const value = asJson((v as Record<string, unknown>)[k]);
    if (value === undefined) continue;
    keys++;
    if (!Object.hasOwn(r, k) || !jsonEqual(value, r[k])) return false;
  }
  return keys === Object.keys(r).length;
}
