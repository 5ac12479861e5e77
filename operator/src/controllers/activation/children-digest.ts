// Whether an activation's children can be left as they are without rendering them again. A
// reconcile that rendered them and found every one as rendered (no apply, no removal, no prune)
// records a digest of what that outcome depended on; the next reconcile with the same digest
// skips the rendering and the comparison, the operator's largest cost per reconcile (cdk8s's
// synthesis, the hash of each child; ADR 16). Most reconciles of a converging fleet are such:
// a StatefulSet's status moved, the activation's own status was written, or a resync.
//
// What the rendering and the apply depend on: the activation, its block and its tenant (their
// specs: generation, bumped by every change of a spec, not of a status), the version and image
// it targets, whether it is stopped, and each child that it owns as cached (its identity and
// content: the generation where a controller writes its status, else the resourceVersion; its
// labels, annotations, owners and others' managed fields, which no generation counts). Pure.
import { createHash } from "node:crypto";
import type { KubeObject } from "../../kube/object.ts";

/** Kinds whose status others write often, and whose generation counts every change of their spec. */
const STATUS_WRITTEN_BY_OTHERS: ReadonlySet<string> = new Set(["StatefulSet", "Deployment", "PodDisruptionBudget"]);

export interface ChildrenInputs {
  activation: KubeObject;
  block: KubeObject;
  tenant: KubeObject;
  target: { version: string; image: string };
  stopped: boolean;
  /** Every child the activation owns, as cached, with its kind. */
  children: readonly { kind: string; object: KubeObject }[];
}

const specOf = (o: KubeObject) =>
  o.metadata.generation === undefined ? undefined : `${o.metadata.uid ?? ""}@${o.metadata.generation}`;

/**
 * One child as a digest sees it: its identity and what counts changes of its content. Without
 * `version`, its resourceVersion, which every change of the object moves, metadata included.
 * With `version` (its generation, where others write its status often; the quota's shape), also
 * what that version does not count: labels, annotations, owners, finalizers, deletion and others'
 * managed fields. Shared with the tenant's digest (tenant-digest.ts).
 */
export function childPart(kind: string, o: KubeObject, version?: string): string {
  const m = o.metadata;
  const id = `${kind}/${m.namespace ?? ""}/${m.name}/${m.uid}`;
  if (version === undefined) return `${id}/rv${m.resourceVersion}`;
  const meta = JSON.stringify([
    m.labels,
    m.annotations,
    m.ownerReferences,
    m.finalizers,
    m.deletionTimestamp,
    m.managedFields,
  ]);
  return `${id}/${version}/${meta}`;
}

const childOf = (kind: string, o: KubeObject): string =>
  childPart(
    kind,
    o,
    STATUS_WRITTEN_BY_OTHERS.has(kind) && o.metadata.generation !== undefined ? `g${o.metadata.generation}` : undefined,
  );

/**
 * The sha256 of `parts` joined by newlines. One string and one call into the hash: feeding it
 * part by part cost a call each, most of a reconcile that skipped the rendering (ADR 16).
 */
export function digestOf(parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\n")).digest("base64url");
}

/**
 * The digest of what the children's rendering and apply depend on; undefined when an input has no
 * generation (so that a change could not be told), and the children are rendered every time.
 */
export function childrenDigest(i: ChildrenInputs): string | undefined {
  const specs = [i.activation, i.block, i.tenant].map(specOf);
  if (specs.some((s) => s === undefined)) return undefined;
  const children = i.children.map((c) => childOf(c.kind, c.object)).sort();
  return digestOf([...specs, i.target.version, i.target.image, String(i.stopped), ...children] as string[]);
}
