// What a watch cache keeps of an object (watch-cache.ts): its managed fields only where asked,
// and the spec of the version it held before while that spec cannot have changed. Pure.
import type { ManagedFieldsEntry } from "./foreign-fields.ts";
import type { KubeObject } from "./object.ts";

/**
 * What the cache keeps of an object: everything but metadata.managedFields, which is often the
 * largest part of an object, except the entries `keep` asks for (another manager's changes).
 */
export function withoutManagedFields<T extends KubeObject>(obj: T, keep?: (entry: ManagedFieldsEntry) => boolean): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields, ...metadata } = obj.metadata;
  const kept = keep ? (managedFields as ManagedFieldsEntry[]).filter(keep) : [];
  return { ...obj, metadata: kept.length ? { ...metadata, managedFields: kept } : metadata };
}

/**
 * Whether `next` has the very spec of `previous`: the same object (uid) at the same generation,
 * which the API server moves with every change of a spec (of a custom resource: of anything but
 * its metadata and status). A status written by a controller (a StatefulSet's, every few seconds
 * while its pods start; an activation's own) then keeps the spec the cache holds, instead of a
 * copy that was parsed, pooled and kept again, and whatever was computed once per spec object
 * (parse-once.ts) stays computed. Kinds without a generation (ConfigMap, Service) never share.
 */
export function sameSpec(previous: KubeObject | undefined, next: KubeObject): boolean {
  const a = previous?.metadata;
  const b = next.metadata;
  return (
    a !== undefined &&
    a.generation !== undefined &&
    a.generation === b.generation &&
    a.uid !== undefined &&
    a.uid === b.uid &&
    previous?.spec !== undefined &&
    next.spec !== undefined
  );
}
