// The operator never takes an object that it did not make for this activation: server-side
// apply with force would take every field of a same-named object (a policy a cluster admin
// placed, an object another controller owns) and make the activation its controlling owner.
import type { KubeObject } from "../../kube/object.ts";

/** A child that exists and is not this activation's: what it is and whose. */
export class ChildConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChildConflict";
  }
}

const controllerOf = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller);

/**
 * Why `live` may not be written as `desired`, or undefined when it may: absent, controlled by the
 * activation that `desired` names as its controller, or by an earlier activation of the same name
 * (deleted and created again before the garbage collector removed its children; they are taken
 * over rather than deleted and made again).
 */
export function childConflict(
  desired: KubeObject & { kind: string },
  live: KubeObject | undefined,
): string | undefined {
  if (!live) return undefined;
  const ours = controllerOf(desired);
  const theirs = controllerOf(live);
  if (ours && theirs && (theirs.uid === ours.uid || (theirs.kind === ours.kind && theirs.name === ours.name)))
    return undefined;
  const what = `${desired.kind} ${live.metadata.name} in namespace ${live.metadata.namespace}`;
  const whose = theirs ? `is controlled by ${theirs.kind} ${theirs.name}` : "was not made by aihub for this activation";
  return (
    `${what} already exists and ${whose}; it was left untouched. ` +
    "Remove that object, or create the activation under another name."
  );
}
