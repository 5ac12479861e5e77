// Conditions as the Kubernetes API conventions describe them. lastTransitionTime moves only when
// the status flips, so recomputing unchanged conditions yields a deep-equal list and the
// operator can skip the status write on a resync where nothing changed.
import type { Condition } from "../api/v1alpha1/common.ts";
import { rfc3339 } from "../kube/time.ts";

export type ConditionStatus = Condition["status"];

/** A condition as a reconciler computes it; lastTransitionTime is the list's business. */
export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  /** One CamelCase word, for example `Reconciling`. */
  reason: string;
  message: string;
  observedGeneration?: number;
}

export const READY = "Ready";

/**
 * Returns a new list with `input` set. An existing condition of that type keeps its place
 * (the list stays in insertion order); a new one goes last. lastTransitionTime stays as it was
 * when the status did not change, even if reason or message did, and becomes `now` when it did.
 */
export function setCondition(list: readonly Condition[], input: ConditionInput, now: Date): Condition[] {
  const index = list.findIndex((c) => c.type === input.type);
  const previous = list[index];
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime: previous && previous.status === input.status ? previous.lastTransitionTime : rfc3339(now),
  };
  // Left out rather than set to undefined, so that the result equals what JSON round-trips to.
  if (input.observedGeneration !== undefined) next.observedGeneration = input.observedGeneration;
  return index === -1 ? [...list, next] : list.map((c, i) => (i === index ? next : c));
}

export function getCondition(list: readonly Condition[], type: string): Condition | undefined {
  return list.find((c) => c.type === type);
}

export function isTrue(list: readonly Condition[], type: string): boolean {
  return getCondition(list, type)?.status === "True";
}

export interface SummaryOptions {
  /** The condition types Ready depends on, in the order to report them. */
  types: readonly string[];
  observedGeneration?: number;
}

/**
 * The Ready condition that sums up `types`: False with the first False condition's reason when any
 * is False, else Unknown with the first Unknown or missing one's reason, else True. A Ready already
 * in `list` lends its lastTransitionTime when the status is unchanged.
 */
export function summarize(list: readonly Condition[], options: SummaryOptions, now: Date): Condition {
  const ready = setCondition(
    list,
    { ...readiness(list, options.types), type: READY, observedGeneration: options.observedGeneration },
    now,
  );
  return getCondition(ready, READY) as Condition;
}

function readiness(list: readonly Condition[], types: readonly string[]): Omit<ConditionInput, "type"> {
  const found = types.map((type) => ({ type, condition: getCondition(list, type) }));
  const failed = found.find(({ condition }) => condition?.status === "False");
  if (failed?.condition) {
    return { status: "False", reason: failed.condition.reason, message: prefixed(failed.type, failed.condition) };
  }
  const pending = found.find(({ condition }) => condition?.status !== "True");
  if (pending) {
    return pending.condition
      ? { status: "Unknown", reason: pending.condition.reason, message: prefixed(pending.type, pending.condition) }
      : { status: "Unknown", reason: "Reconciling", message: `waiting for ${pending.type}` };
  }
  return { status: "True", reason: READY, message: types.length > 0 ? `${types.join(", ")}: True` : "" };
}

const prefixed = (type: string, condition: Condition) => (condition.message ? `${type}: ${condition.message}` : type);

/**
 * True when both lists hold the same conditions, field by field and in the same order. An absent
 * observedGeneration equals an undefined one, as JSON cannot tell them apart.
 */
export function conditionsEqual(a: readonly Condition[], b: readonly Condition[]): boolean {
  return a.length === b.length && a.every((c, i) => conditionEqual(c, b[i]));
}

function conditionEqual(a: Condition, b: Condition | undefined): boolean {
  return (
    b !== undefined &&
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime &&
    a.observedGeneration === b.observedGeneration
  );
}
