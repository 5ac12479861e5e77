// A child that the operator creates with a POST (cheaper for the API server than a server-side
// apply: about half its CPU, bench/create-vs-apply.ts) has its fields recorded under an Update
// entry of the field manager, server defaults included. A later apply by the same manager would
// not remove a field that the rendering no longer has, since an Update entry's fields are not the
// applier's. So the object carries CREATED_ANNOTATION until its first apply, and before that
// apply the Update entry becomes (or joins) the manager's Apply entry: what kubectl does when it
// moves an object from client-side to server-side apply. The apply that follows, without the
// annotation, removes it.
import type { ManagedFieldsEntry } from "./foreign-fields.ts";

export const CREATED_ANNOTATION = "aihub.gemeenten.nl/created-not-yet-applied";

type FieldSet = Record<string, unknown>;

/** The union of two field sets (fieldsV1: nested objects of f:, k:, v: and "." keys, {} at the leaves). */
export function unionFields(a: FieldSet = {}, b: FieldSet = {}): FieldSet {
  const out: FieldSet = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    out[key] =
      mine && typeof mine === "object" && value && typeof value === "object"
        ? unionFields(mine as FieldSet, value as FieldSet)
        : (mine ?? value);
  }
  return out;
}

/**
 * `entries` with `manager`'s Update entries on the object itself (not a subresource) folded into
 * its Apply entry (made from the first of them when it has none), or undefined when it has no such
 * Update entry. Other managers' entries are kept as they are, in their order.
 */
export function upgradedManagedFields(
  entries: readonly ManagedFieldsEntry[],
  manager: string,
): ManagedFieldsEntry[] | undefined {
  const isUpdate = (e: ManagedFieldsEntry) => e.manager === manager && e.operation === "Update" && !e.subresource;
  const updates = entries.filter(isUpdate);
  if (updates.length === 0) return undefined;
  const apply = entries.find((e) => e.manager === manager && e.operation === "Apply" && !e.subresource);
  const fields = [...updates, ...(apply ? [apply] : [])].reduce<FieldSet>((all, e) => unionFields(all, e.fieldsV1), {});
  const upgraded = { ...(apply ?? updates[0]), operation: "Apply", fieldsV1: fields };
  const out: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (e === apply || e === updates[0]) {
      if (!out.includes(upgraded)) out.push(upgraded);
    } else if (!isUpdate(e)) out.push(e);
  }
  return out;
}
