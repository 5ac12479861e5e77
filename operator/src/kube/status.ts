// Writing status through the status subresource. The patch carries the resourceVersion the
// status was computed from, so a status computed from a stale object never overwrites a newer
// one silently: the API server answers 409, and the writer reads the object again and retries.
import { isDeepStrictEqual } from "node:util";
import { isConflict } from "./api-error.ts";
import type { KubeObject } from "./object.ts";
import type { ObjectRef, ResourcePaths } from "./resource-paths.ts";
import type { RestClient } from "./rest-client.ts";

export interface StatusWriteResult {
  written: boolean;
  conflicts: number;
}

/**
 * Sets `status` on `obj` (as read from the cache). Sends nothing when the status is already
 * equal. On 409 Conflict, reads the object again and retries with its resourceVersion, up to
 * `maxAttempts` times.
 */
export async function writeStatus(
  client: RestClient,
  paths: ResourcePaths,
  obj: KubeObject & ObjectRef,
  status: unknown,
  maxAttempts = 5,
): Promise<StatusWriteResult> {
  // Compare what would be sent (JSON drops undefined fields) with what the API server has.
  const wire = JSON.parse(JSON.stringify(status)) as unknown;
  if (isDeepStrictEqual(obj.status, wire)) return { written: false, conflicts: 0 };
  const path = `${await paths.pathOf(obj)}/status`;
  let resourceVersion = obj.metadata.resourceVersion;
  let current = obj.status;
  let conflicts = 0;
  for (;;) {
    try {
      await client.request("PATCH", path, {
        body: { metadata: { resourceVersion }, status: withRemovals(wire, current) },
        contentType: "application/merge-patch+json",
      });
      return { written: true, conflicts };
    } catch (err) {
      if (!isConflict(err) || conflicts + 1 >= maxAttempts) throw err;
      conflicts++;
      const fresh = await client.request<KubeObject>("GET", await paths.pathOf(obj));
      if (isDeepStrictEqual(fresh.status, wire)) return { written: false, conflicts };
      resourceVersion = fresh.metadata.resourceVersion;
      current = fresh.status;
    }
  }
}

/** A merge patch keeps fields it does not mention: top-level status fields we no longer set are sent as null. */
function withRemovals(desired: unknown, current: unknown): unknown {
  if (!current || typeof current !== "object" || !desired || typeof desired !== "object") return desired;
  const patch: Record<string, unknown> = { ...(desired as Record<string, unknown>) };
  for (const key of Object.keys(current)) if (!(key in patch)) patch[key] = null;
  return patch;
}
