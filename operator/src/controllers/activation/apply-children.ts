// The phase that renders an activation's target and applies it (activation-phases.ts runs it
// after keepWhatRuns): the children digest that lets a reconcile skip the synthesis, the one or
// two round trips of applies, the prune, and what a new activation's answers say.

import { renderActivation, WORKLOAD_KIND } from "../../../../cdk/src/activation/activation-chart.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ObjectRef } from "../../kube/resource-paths.ts";
import { changeEvents } from "./activation-events.ts";
import { activationInput } from "./activation-input.ts";
import type { Phase } from "./activation-phases.ts";
import { references, verdict } from "./activation-scope.ts";
import { latestWorkload } from "./activation-status.ts";
import { ChildConflict } from "./child-ownership.ts";
import { type ChildrenInputs, childrenDigest } from "./children-digest.ts";

type Obj = KubeObject & ObjectRef;

/** How often an activation looks again at a same-named object that is not its own. */
export const CHILD_CONFLICT_RETRY_MS = 10_000;

/**
 * Renders the target and applies it in two round trips: what the pods rely on (parameters,
 * network policies, service, disruption budget) all at once, then the StatefulSet, whose pods find
 * their ConfigMap and policies in place. A fleet's reconciles wait on the API server's latency, not
 * its capacity, when each applies one object after another. Then children no longer rendered go,
 * the Deployment of an activation from before ADR 14 among them, once its StatefulSet exists.
 *
 * An activation that has no child yet gets all of them in one round trip: no pod can run with an
 * older configuration (there is none), the tenant's default-deny policy holds until the
 * activation's own policy exists, and a pod that comes before its ConfigMap waits for the mount.
 * Created together, the creates in one namespace are counted in its quota together (the API
 * server's quota admission writes the quota's status once for those that arrive together).
 */
export const applyChildren: Phase = async (scope, env) => {
  const { block, tenant } = references(scope);
  const target = scope.target;
  if (!target) throw new Error("applyChildren ran without a target: keepWhatRuns must run before it");
  // Found as rendered with these very inputs before: nothing to render, compare or apply.
  const key = `${scope.namespace}/${scope.name}`;
  const digestWith = (children: ChildrenInputs["children"]) =>
    childrenDigest({
      activation: scope.activation,
      block,
      tenant,
      target,
      stopped: scope.stopped !== undefined,
      children,
    });
  // Every child the activation owns, as cached: the digest's input, and none for a new activation.
  const owned = env.owned?.(scope.activation);
  const digest = env.inSync && owned ? digestWith(owned) : undefined;
  if (digest !== undefined && env.inSync?.get(key) === digest) {
    env.skippedRender?.();
    scope.rendered = target;
    scope.workload = env.child(WORKLOAD_KIND, scope.namespace, scope.name);
    scope.events.push(...changeEvents(scope));
    return "continue";
  }
  env.inSync?.delete(key);
  const activation = scope.stopped
    ? { ...scope.activation, spec: { ...scope.activation.spec, replicas: 0 } }
    : scope.activation;
  const input = activationInput(activation, block, tenant, target, scope.parameterValues ?? {});
  const desired = renderActivation(input, env.render) as Obj[];
  let applied: KubeObject | undefined;
  let written = false;
  let allCreatedAsSent = true;
  const apply = async (obj: Obj) => {
    const result = await env.apply(obj);
    written ||= result.written;
    allCreatedAsSent &&= result.createdAsSent === true;
    return result.object;
  };
  const isNew = !scope.workload && owned?.length === 0;
  try {
    const isWorkload = (o: Obj) => o.kind === WORKLOAD_KIND;
    const applyWorkload = async (o: Obj) => {
      applied = await apply(o);
    };
    if (isNew) {
      await Promise.all(desired.map((o) => (isWorkload(o) ? applyWorkload(o) : apply(o))));
    } else {
      await Promise.all(desired.filter((o) => !isWorkload(o)).map(apply));
      for (const obj of desired.filter(isWorkload)) await applyWorkload(obj);
    }
  } catch (err) {
    if (!(err instanceof ChildConflict)) throw err;
    scope.verdicts.progressing = verdict("False", "ChildConflict", err.message);
    scope.verdicts.ready = verdict("False", "ChildConflict", err.message);
    // The other object is not watched (it is not labelled as an activation's): look again later.
    scope.requeueAfterMs = CHILD_CONFLICT_RETRY_MS;
    return "stop";
  }
  const pruned = await env.prune(scope.activation, desired);
  // Every child was as rendered: the digest of the inputs says so until one of them changes.
  if (digest !== undefined && !written && pruned === 0) env.inSync?.set(key, digest);
  // A new activation whose children were all created and answered with every field as sent: the
  // answers (in the cache since the writes) are what the next reconcile would find as rendered,
  // so it need not render and compare them again once the watch brings these very versions.
  else if (isNew && allCreatedAsSent && pruned === 0) {
    const created = desired.flatMap((o) => {
      const object = env.child(o.kind, scope.namespace, o.metadata?.name ?? "");
      return object ? [{ kind: o.kind, object }] : [];
    });
    const after = created.length === desired.length ? digestWith(created) : undefined;
    if (after !== undefined) env.inSync?.set(key, after);
  }
  scope.rendered = target;
  // The cache may lack a StatefulSet created a moment ago (the apply's answer has it, so the first
  // status already says it is rolling out), or hold the generation before a new template.
  scope.workload = latestWorkload(env.child(WORKLOAD_KIND, scope.namespace, scope.name), applied);
  scope.events.push(...changeEvents(scope));
  return "continue";
};
