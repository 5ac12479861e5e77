// Drift that a subset check cannot see: fields the operator does not render, added by someone
// else (a `command` on the logging sidecar, `nodeName`, tolerations, another subject in a
// RoleBinding). Server-side apply records who set each field (metadata.managedFields); what
// another manager set outside metadata, that the operator does not render, is removed with a JSON
// patch. What both set is taken back by the forced apply itself.

import type { KubeObject } from "./object.ts";

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

/** Fields that people and tools legitimately add to what the operator renders. */
const ALLOWED: readonly string[][] = [
  // `kubectl rollout restart` restarts pods through this annotation.
  ["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"],
];

/**
 * The entries worth keeping in a cache: another manager's, on the object itself (not status or
 * scale), touching more than metadata. Usually none, so the cache stays as small as before.
 */
export function foreignEntry(entry: ManagedFieldsEntry, ours: readonly string[]): boolean {
  if (!entry.manager || ours.includes(entry.manager) || entry.subresource) return false;
  return Object.keys(entry.fieldsV1 ?? {}).some((k) => k !== "f:metadata");
}

const pointer = (path: (string | number)[]) =>
  `/${path.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The index in `list` of the element whose fields match `keys` (a `k:{...}` entry). */
function indexByKeys(list: Json, keys: Record<string, Json>): number {
  if (!Array.isArray(list)) return -1;
  return list.findIndex((el) => isObject(el) && Object.entries(keys).every(([k, v]) => el[k] === v));
}

function indexByValue(list: Json, value: Json): number {
  return Array.isArray(list) ? list.findIndex((el) => JSON.stringify(el) === JSON.stringify(value)) : -1;
}

/**
 * Walks one manager's field set alongside the live and the desired object; collects the paths
 * of the live object that this manager set and `desired` does not have.
 */
function walk(
  fields: Record<string, unknown>,
  live: Json,
  desired: Json,
  path: (string | number)[],
  out: (string | number)[][],
): void {
  for (const [key, sub] of Object.entries(fields)) {
    if (key === ".") continue;
    const children = isObject(sub) ? sub : {};
    let liveChild: Json;
    let desiredChild: Json;
    let step: string | number;
    if (key.startsWith("f:")) {
      step = key.slice(2);
      liveChild = isObject(live) ? live[step] : undefined;
      desiredChild = isObject(desired) ? desired[step] : undefined;
    } else if (key.startsWith("k:") || key.startsWith("v:")) {
      let parsed: Json;
      try {
        parsed = JSON.parse(key.slice(2));
      } catch {
        continue;
      }
      const find = key.startsWith("k:")
        ? (list: Json) => (isObject(parsed) ? indexByKeys(list, parsed) : -1)
        : (list: Json) => indexByValue(list, parsed);
      step = find(live);
      if (step < 0) continue;
      liveChild = (live as Json[])[step];
      const d = find(desired);
      desiredChild = d < 0 ? undefined : (desired as Json[])[d];
    } else {
      continue; // i:<index> and anything newer: not guessed at
    }
    if (liveChild === undefined) continue;
    const at = [...path, step];
    if (desiredChild === undefined) {
      const allowed = ALLOWED.filter((a) => a.length >= at.length && at.every((p, i) => p === a[i]));
      // On the way to an allowed field (annotations, for restartedAt): look inside instead.
      if (allowed.some((a) => a.length > at.length) && Object.keys(children).length > 0)
        walk(children, liveChild, undefined, at, out);
      else if (allowed.length === 0) out.push(at);
      continue;
    }
    if (Object.keys(children).length > 0) walk(children, liveChild, desiredChild, at, out);
  }
}

/**
 * JSON patch operations that remove what other managers added to `live` outside metadata and
 * status and `desired` does not have; empty when there is nothing. Guarded by the live
 * resourceVersion, so that nothing is removed from a newer object than the one judged.
 */
export function removeForeignFields(
  live: KubeObject | undefined,
  desired: KubeObject,
  ours: readonly string[],
): { op: string; path: string; value?: unknown }[] {
  const entries = (live?.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const paths: (string | number)[][] = [];
  for (const entry of entries.filter((e) => foreignEntry(e, ours))) {
    const { "f:metadata": _, "f:status": __, ...fields } = entry.fieldsV1 ?? {};
    walk(fields, live, desired, [], paths);
  }
  if (!live || paths.length === 0) return [];
  // Deepest and last first, so that removing one element never shifts the index of another.
  const unique = [...new Map(paths.map((p) => [pointer(p), p])).values()].filter(
    (p, _, all) => !all.some((q) => q.length < p.length && q.every((s, i) => s === p[i])),
  );
  unique.sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      if (typeof x === "number" && typeof y === "number") return y - x;
      return String(x) < String(y) ? -1 : 1;
    }
    return b.length - a.length;
  });
  return [
    { op: "test", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion },
    ...unique.map((p) => ({ op: "remove", path: pointer(p) })),
  ];
}
