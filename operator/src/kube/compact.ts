// What a watch cache keeps of a long ConfigMap value: its digest. An activation's ConfigMap holds
// the logging sidecar's configuration (about 4.5 kB); at 342 municipalities the cache held 7.7 MB
// of these strings only to compare them with the next rendering. The cache keeps
// "sha256:<digest>" instead, and the applier compares what it would apply in the same form
// (Applier's `compact`), so a changed or edited value is still seen as drift. Pure.
import { createHash } from "node:crypto";
import type { KubeObject } from "./object.ts";

/** Values at least this long are kept as their digest; shorter ones cost less than a digest. */
export const COMPACT_MIN_LENGTH = 256;
const PREFIX = "aihub-sha256:";

const digest = (value: string) => `${PREFIX}${createHash("sha256").update(value).digest("base64url")}`;

/**
 * `obj` with each long string in `data` replaced by its digest; the object itself when it has
 * none (a new object otherwise: cached objects are never changed in place).
 */
export function compactConfigMapData<T extends KubeObject>(obj: T): T {
  const data = (obj as { data?: Record<string, unknown> }).data;
  if (!data || typeof data !== "object") return obj;
  let compacted: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "string" || value.length < COMPACT_MIN_LENGTH || value.startsWith(PREFIX)) continue;
    compacted ??= { ...data };
    compacted[key] = digest(value);
  }
  return compacted ? { ...obj, data: compacted } : obj;
}

/**
 * What the activation's caches keep of a child and what its applier compares: a ConfigMap with
 * its long values as digests, any other kind unchanged. One function for both, so the cache and
 * the applier cannot disagree on which kinds are compacted.
 */
export function compactChild<T extends KubeObject>(obj: T): T {
  return obj.kind === "ConfigMap" ? compactConfigMapData(obj) : obj;
}
