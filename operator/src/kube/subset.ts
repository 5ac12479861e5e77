// "Does the live object already say everything the desired object says?" If so, a
// server-side apply would change nothing, and the write is skipped: an unchanged resync of
// the fleet sends zero writes. Fields the API server adds (defaults, status, managedFields)
// are ignored because only the desired object's fields are compared.
//
// Desired objects must use the API server's canonical forms (for example quantities such as
// "1" rather than "1000m"), or every resync sees a difference and writes.

export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === live) return true;
  if (desired === null || typeof desired !== "object") return false;
  if (live === null || typeof live !== "object") return false;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || desired.length !== live.length) return false;
    return desired.every((d, i) => isSubset(d, live[i]));
  }
  if (Array.isArray(live)) return false;
  const l = live as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([k, v]) => v === undefined || isSubset(v, l[k]));
}
