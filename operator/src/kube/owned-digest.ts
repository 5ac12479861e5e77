// What a watch cache keeps of a child that only the operator writes: its metadata, its status and
// one digest of the fields the operator owns, instead of the whole body. Server-side apply records
// in the operator's managedFields entry exactly which fields its last apply set; the values of
// those fields, read from the live object, are what the applier would compare with its next
// rendering. At 342 municipalities the cached StatefulSets held 7.1 MB in 162,000 heap objects
// (95 per StatefulSet), most of them the pod template and the defaults the API server adds.
//
// A field that someone else changed leaves the operator's entry (its new manager owns it), so its
// value drops out of the digest and the digest no longer matches: drift is still seen.
//
// An atomic list or map (a StatefulSet's volumeClaimTemplates, a container's args) is owned whole,
// with the defaults the API server put inside it. Such a value is kept as it is, beside the digest,
// and compared as a subset, as before; the digest holds a marker in its place. An object
// with another manager's entry (kept for drift repair, foreign-fields.ts) or a field set the walk
// does not understand is kept whole, as before. Pure.
import { createHash } from "node:crypto";
import type { ManagedFieldsEntry } from "./foreign-fields.ts";
import type { KubeObject } from "./object.ts";

/** Where a cached object carries the digest of the fields its owner set. */
export const OWNED_DIGEST = "aihub.gemeenten.nl/owned-digest";
/** Where it carries the atomic values among them, as [path in the body, value] pairs. */
export const OWNED_ATOMICS = "aihub.gemeenten.nl/owned-atomics";
/** What the digest holds in place of an atomic value. */
const ATOMIC = "<aihub-atomic>";

export type AtomicValue = [path: (string | number)[], value: unknown];

/** Top-level fields that are kept as they are, not digested. */
const KEPT = new Set(["apiVersion", "kind", "metadata", "status"]);

type Json = unknown;
type Fields = Record<string, unknown>;

const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Thrown inside the walk for a field set it does not understand; the object is then kept whole. */
class Unprojectable extends Error {}

/** The entries of `fields` other than ".", which marks the node itself as owned. */
const childrenOf = (fields: Json): [string, Json][] =>
  isObject(fields) ? Object.entries(fields).filter(([k]) => k !== ".") : [];

const isComposite = (v: Json) => (Array.isArray(v) ? v.length > 0 : isObject(v) && Object.keys(v).length > 0);

/**
 * `live` restricted to the fields in a managedFields field set (fieldsV1), with each atomic
 * composite value replaced by a marker and collected in `atomics` with its path.
 */
export function projectFields(
  live: Json,
  fields: Json,
  atomics: AtomicValue[] = [],
  path: (string | number)[] = [],
): Json {
  const children = childrenOf(fields);
  // A leaf: a scalar, an atomic list or map, or an empty struct. Owned whole.
  if (children.length === 0) {
    if (!isComposite(live)) return live;
    atomics.push([path, live]);
    return ATOMIC;
  }
  if (Array.isArray(live)) {
    const out: Json[] = [];
    for (const element of live) {
      const match = children.find(([key]) => elementMatches(key, element));
      if (match) out.push(projectFields(element, match[1], atomics, [...path, out.length]));
    }
    if (out.length !== children.length) throw new Unprojectable("a list element the field set names is missing");
    return out;
  }
  if (!isObject(live)) throw new Unprojectable("a field set with children on a scalar");
  const out: Record<string, Json> = {};
  for (const [key, sub] of children) {
    if (!key.startsWith("f:")) throw new Unprojectable(`field set key ${key} outside a list`);
    const name = key.slice(2);
    if (name in live) out[name] = projectFields(live[name], sub, atomics, [...path, name]);
  }
  return out;
}

/** `value` with the value at `path` replaced (copies along the path); undefined when the path is absent. */
function replaceAt(value: Json, path: (string | number)[], by: Json): Json | undefined {
  const [step, ...rest] = path;
  if (step === undefined) return by;
  if (typeof step === "number" ? !Array.isArray(value) || step >= value.length : !isObject(value) || !(step in value))
    return undefined;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, Json>;
  const inner = replaceAt(copy[step], rest, by);
  if (inner === undefined) return undefined;
  copy[step] = inner;
  return copy;
}

const valueAt = (value: Json, path: (string | number)[]): Json =>
  path.reduce<Json>(
    (v, step) => (v !== null && typeof v === "object" ? (v as Record<string, Json>)[step] : undefined),
    value,
  );

/**
 * Whether `desired` (what the applier would apply) has the body that a cached object kept by
 * withOwnedDigest was owned with: each atomic value of the cache holds the desired one as a
 * subset, and the rest has the same digest.
 */
export function bodyMatches(desired: KubeObject, kept: KubeObject, isSubset: (d: Json, l: Json) => boolean): boolean {
  let body: Json = bodyOf(desired);
  for (const [path, value] of (kept[OWNED_ATOMICS] as AtomicValue[] | undefined) ?? []) {
    const wanted = valueAt(body, path);
    if (wanted === undefined || !isSubset(wanted, value)) return false;
    body = replaceAt(body, path, ATOMIC);
    if (body === undefined) return false;
  }
  return digestOf(body) === kept[OWNED_DIGEST];
}

function bodyOf(obj: KubeObject): Record<string, Json> {
  const body: Record<string, Json> = {};
  for (const [k, v] of Object.entries(obj)) if (!KEPT.has(k)) body[k] = v;
  return body;
}

const digestOf = (body: Json) => createHash("sha256").update(canonicalJson(body)).digest("base64url");

/** Whether a list element is the one a `k:{...}` or `v:...` key names. */
function elementMatches(key: string, element: Json): boolean {
  let parsed: Json;
  try {
    parsed = JSON.parse(key.slice(2));
  } catch {
    throw new Unprojectable(`unreadable field set key ${key}`);
  }
  if (key.startsWith("k:")) {
    return isObject(parsed) && isObject(element) && Object.entries(parsed).every(([k, v]) => element[k] === v);
  }
  if (key.startsWith("v:")) return canonicalJson(element) === canonicalJson(parsed);
  throw new Unprojectable(`field set key ${key}`); // i:<index> and anything newer: not guessed at
}

/** JSON with object keys sorted at every level and undefined members left out. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * `obj` (with its managedFields) as a cache keeps it when `managers` alone set its body: its
 * metadata without managedFields, its status, what `retain` picks of the rest, the digest of the
 * owned fields' values (OWNED_DIGEST) and the atomic values among them (OWNED_ATOMICS). Undefined when it cannot be kept that way: no entry of
 * `managers`, another manager's entry outside metadata and status, or a field set not understood.
 */
export function withOwnedDigest<T extends KubeObject>(
  obj: T,
  managers: readonly string[],
  retain?: (obj: T) => Record<string, unknown> | undefined,
): T | undefined {
  const entries = (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const ours: Fields[] = [];
  for (const e of entries) {
    if (e.subresource) continue;
    const { "f:metadata": _, "f:status": __, ...body } = e.fieldsV1 ?? {};
    if (e.manager && managers.includes(e.manager)) ours.push(body);
    else if (Object.keys(body).length > 0) return undefined; // someone else set body fields
  }
  if (ours.length !== 1) return undefined; // none, or an Apply and an Update entry: keep it whole
  const { managedFields: _, ...metadata } = obj.metadata;
  let owned: Json;
  const atomics: AtomicValue[] = [];
  try {
    owned = projectFields(bodyOf(obj), ours[0], atomics);
  } catch (err) {
    if (err instanceof Unprojectable) return undefined;
    throw err;
  }
  const kept: Record<string, unknown> = { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
  if (obj.status !== undefined) kept.status = obj.status;
  Object.assign(kept, retain?.(obj));
  kept[OWNED_DIGEST] = digestOf(owned);
  if (atomics.length > 0) kept[OWNED_ATOMICS] = atomics;
  return kept as T;
}
