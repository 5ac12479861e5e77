// Writing status through the status subresource: a PUT of the object's metadata and the whole
// new status, as computed (each kind's status has one writer, the operator's controller of it).
// The resourceVersion the status was computed from goes with it, so a status computed from a
// stale object never overwrites a newer one silently: the API server answers 409, and the writer
// reads the object again and retries, with the status computed again from what it read where the
// writer says how (`recompute`).
//
// A PUT, not a merge patch: the API server need not encode the stored object as JSON, merge and
// decode it again, which made a merge patch of an activation's status about a fifth dearer for
// it (ADR 16, twenty-third pass). The spec is left out: the status subresource takes nothing but
// the status from the body and keeps the stored spec. The metadata is the object's as read (the
// labels, annotations, owners and finalizers of that very resourceVersion), so that the API
// server's managed fields see nothing else change, and every other manager keeps what it owns.
import { isConflict } from "./api-error.ts";
import { jsonEqual } from "./json-equal.ts";
import type { KubeObject } from "./object.ts";
import type { ObjectRef, ResourcePaths } from "./resource-paths.ts";
import type { RestClient } from "./rest-client.ts";
import type { NotesWrites } from "./watch-cache.ts";

export interface StatusWriteResult {
  written: boolean;
  conflicts: number;
  /** The status the object had before (after a conflict: as read again), and the one written. */
  previous?: unknown;
  sent?: unknown;
}

export interface StatusWriteOptions {
  /** Attempts in all, the first included; default 5. */
  maxAttempts?: number;
  /**
   * The status for the object as read again after a 409 Conflict. A status that carries what the
   * old one said (a condition's lastTransitionTime) must be computed from the newest status: the
   * cache may not have had the writer's own last write yet, and resending what was computed from
   * it would change only those times (a second write for nothing, seen for a quarter of new
   * activations). When the object's generation moved, nothing is written: its spec changed, and
   * the reconcile that change queues writes the status for it.
   */
  recompute?: (fresh: KubeObject) => unknown;
  /**
   * The cache `obj` was read from: the object as the API server answered the write is noted in it
   * (WatchCache.noteWrite), so that a reconcile before the cache's watch brings the write starts
   * from it, and its own status write does not meet a 409 Conflict and a read.
   */
  cache?: NotesWrites;
}

/**
 * Sets `status` on `obj` (as read from the cache or the API server, with its resourceVersion). Sends nothing when the status is already
 * equal. On 409 Conflict, reads the object again and retries with its resourceVersion (and the
 * status computed again, options.recompute), up to options.maxAttempts times in all.
 */
export async function writeStatus(
  client: RestClient,
  paths: ResourcePaths,
  obj: KubeObject & ObjectRef,
  status: unknown,
  options: StatusWriteOptions = {},
): Promise<StatusWriteResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  // Compare what would be sent (JSON drops undefined fields) with what the API server has.
  let current = obj.status;
  if (jsonEqual(status, current)) return { written: false, conflicts: 0 };
  let wire = toWire(status);
  const path = `${await paths.pathOf(obj)}/status`;
  let sentWith: KubeObject & ObjectRef = obj;
  let conflicts = 0;
  for (;;) {
    try {
      const answer = await client.request<KubeObject | undefined>("PUT", path, {
        body: statusBody(sentWith, wire),
      });
      const replaced = sentWith.metadata.resourceVersion;
      if (answer?.metadata && replaced) options.cache?.noteWrite(answer, replaced);
      return { written: true, conflicts, previous: current, sent: wire };
    } catch (err) {
      if (!isConflict(err) || conflicts + 1 >= maxAttempts) throw err;
      conflicts++;
      const fresh = await client.request<KubeObject>("GET", await paths.pathOf(obj));
      if (options.recompute) {
        if (fresh.metadata.generation !== obj.metadata.generation) return { written: false, conflicts };
        wire = toWire(options.recompute(fresh));
      }
      if (jsonEqual(wire, fresh.status)) return { written: false, conflicts };
      sentWith = { ...fresh, apiVersion: obj.apiVersion, kind: obj.kind };
      current = fresh.status;
    }
  }
}

const toWire = (status: unknown) => JSON.parse(JSON.stringify(status)) as unknown;

/**
 * The body of a status PUT: the object's kind and metadata as read (its resourceVersion the
 * precondition), without its managed fields (the API server keeps its own for a subresource) and
 * without its spec (the status subresource keeps the stored one), and the new status.
 */
export function statusBody(obj: KubeObject & ObjectRef, status: unknown): KubeObject {
  const { managedFields: _, ...metadata } = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata, status };
}
