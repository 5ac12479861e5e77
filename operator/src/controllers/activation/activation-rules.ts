// The rules on an activation's configuration that the webhook and the reconciler both enforce.
// Written once: the webhook refuses an activation that breaks one, and the reconciler refuses to
// render one that got past it (created while the webhook was down, or a block that changed
// since). Each rule answers "ok, or the field, a reason and a message" (cert-manager's
// policies.Chain); the webhook prefixes the message with the field, the reconciler puts the
// reason and message in a condition. A test feeds both callers the same inputs.
import { type ParameterValue, validateParameters } from "../../api/parameters.ts";
import type { AIBuildingBlock, BlockActivationSpec, MunicipalTenant } from "../../api/v1alpha1/index.ts";

export type RuleFailure = { ok: false; field: string; reason: string; message: string };
export type RuleResult = { ok: true } | RuleFailure;

type Spec = Pick<BlockActivationSpec, "parameters" | "humanInTheLoop" | "processingActivities">;

const blockName = (block: AIBuildingBlock) => block.metadata.name ?? "";

/** One list for every block without parameters, so that its schema is built once (validateParameters). */
const NO_PARAMETERS: NonNullable<AIBuildingBlock["spec"]["parameters"]> = [];

/** The parameter values, with defaults, against the block's definitions. */
export function parametersRule(
  block: AIBuildingBlock,
  spec: Spec,
): { ok: true; values: Record<string, ParameterValue> } | RuleFailure {
  const params = validateParameters(block.spec.parameters ?? NO_PARAMETERS, spec.parameters, blockName(block));
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
 * Every processing of personal data is logged against an entry of the municipality's processing
 * register (Logboek Dataverwerkingen): the version the activation runs declares its processing
 * activities, and the activation maps each one that processes personal data to a register entry
 * of its tenant, which must have a Logboek. Mappings of activities the version does not have, or
 * to entries the register does not have, are refused as well: a typo would log nothing right.
 */
export function processingRule(
  block: AIBuildingBlock,
  version: string,
  spec: Spec,
  tenant: MunicipalTenant | undefined,
): RuleResult {
  const activities = block.spec.versions.find((v) => v.version === version)?.processingActivities ?? [];
  const mapping = spec.processingActivities ?? [];
  const field = "spec.processingActivities";
  const declared = activities.map((a) => a.id);
  const unknown = mapping.filter((m) => !declared.includes(m.activity)).map((m) => m.activity);
  if (unknown.length)
    return {
      ok: false,
      field,
      reason: "UnknownProcessingActivity",
      message:
        `block ${blockName(block)} version ${version} has no processing activity ${unknown.join(", ")}; ` +
        (declared.length ? `it has: ${declared.join(", ")}` : "it declares none, so map none"),
    };
  const personal = activities.filter((a) => a.personalData !== false);
  if (!personal.length) return { ok: true };
  const tenantName = tenant?.metadata.name ?? "";
  const register = tenant?.spec.logboek?.processingRegister;
  if (tenant && !register)
    return {
      ok: false,
      field,
      reason: "LogboekNotConfigured",
      message:
        `block ${blockName(block)} processes personal data (${personal.map((a) => a.id).join(", ")}), and municipality ` +
        `${tenantName} has no Logboek to account for it: the platform team sets spec.logboek of MunicipalTenant ${tenantName}`,
    };
  const unmapped = personal.filter((a) => !mapping.some((m) => m.activity === a.id));
  if (unmapped.length)
    return {
      ok: false,
      field,
      reason: "ProcessingActivityUnmapped",
      message:
        `block ${blockName(block)} version ${version} processes personal data in ${unmapped
          .map((a) => `${a.id} (${a.description})`)
          .join(", ")}: map each to an entry of the municipality's processing register, ` +
        `for example {activity: ${unmapped[0]?.id}, registerEntry: ${register?.[0]?.id ?? "<entry id>"}}`,
    };
  const entries = (register ?? []).map((e) => e.id);
  const missing = register ? mapping.filter((m) => !entries.includes(m.registerEntry)) : [];
  if (missing.length)
    return {
      ok: false,
      field,
      reason: "UnknownRegisterEntry",
      message:
        `the processing register of ${tenantName} has no entry ${missing.map((m) => m.registerEntry).join(", ")}; ` +
        `it has: ${entries.join(", ")}`,
    };
  return { ok: true };
}

/**
 * Every configuration rule, in the order the reconciler reports them: the parameter values to
 * render (when valid) and each rule that failed. The webhook reports every failure; the
 * reconciler's ParametersValid condition reports the first. The processing activities are
 * checked when the version that runs is known (`version`).
 */
export function configurationRules(
  block: AIBuildingBlock,
  spec: Spec,
  runs?: { version: string; tenant?: MunicipalTenant },
): { values?: Record<string, ParameterValue>; failures: RuleFailure[] } {
  const params = parametersRule(block, spec);
  const results = [
    params,
    humanOversightRule(block, spec),
    ...(runs ? [processingRule(block, runs.version, spec, runs.tenant)] : []),
  ];
  return {
    ...(params.ok && { values: params.values }),
    failures: results.filter((r): r is RuleFailure => !r.ok),
  };
}
