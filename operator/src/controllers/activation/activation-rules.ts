// The rules on an activation's configuration that the webhook and the reconciler both enforce.
// Written once: the webhook refuses an activation that breaks one, and the reconciler refuses to
// render one that got past it (created while the webhook was down, or a block that changed
// since). Each rule answers "ok, or the field, a reason and a message" (cert-manager's
// policies.Chain); the webhook prefixes the message with the field, the reconciler puts the
// reason and message in a condition. A test feeds both callers the same inputs.
import { type ParameterValue, validateParameters } from "../../api/parameters.ts";
import type { AIBuildingBlock, BlockActivationSpec } from "../../api/v1alpha1/index.ts";

export type RuleFailure = { ok: false; field: string; reason: string; message: string };
export type RuleResult = { ok: true } | RuleFailure;

type Spec = Pick<BlockActivationSpec, "parameters" | "humanInTheLoop">;

const blockName = (block: AIBuildingBlock) => block.metadata.name ?? "";

/** The parameter values, with defaults, against the block's definitions. */
export function parametersRule(
  block: AIBuildingBlock,
  spec: Spec,
): { ok: true; values: Record<string, ParameterValue> } | RuleFailure {
  const params = validateParameters(block.spec.parameters ?? [], spec.parameters, blockName(block));
  if (params.ok) return params;
  return {
    ok: false,
    field: "spec.parameters",
    reason: "InvalidParameters",
    message: params.errors.map((e) => e.message).join("; "),
  };
}

/** A high-risk block (EU AI Act) runs only with a person reviewing its outcomes. */
export function humanOversightRule(block: AIBuildingBlock, spec: Spec): RuleResult {
  if (block.spec.certification.riskClass !== "high" || spec.humanInTheLoop?.required) return { ok: true };
  return {
    ok: false,
    field: "spec.humanInTheLoop.required",
    reason: "HumanOversightRequired",
    message:
      `block ${blockName(block)} is high-risk under the AI Act, so a person must review its outcomes: ` +
      "set spec.humanInTheLoop.required: true and spec.humanInTheLoop.reviewerGroup",
  };
}

/**
 * Every configuration rule, in the order the reconciler reports them: the parameter values to
 * render (when valid) and each rule that failed. The webhook reports every failure; the
 * reconciler's ParametersValid condition reports the first.
 */
export function configurationRules(
  block: AIBuildingBlock,
  spec: Spec,
): { values?: Record<string, ParameterValue>; failures: RuleFailure[] } {
  const params = parametersRule(block, spec);
  const results = [params, humanOversightRule(block, spec)];
  return {
    ...(params.ok && { values: params.values }),
    failures: results.filter((r): r is RuleFailure => !r.ok),
  };
}
