// Admission of a BlockActivation: the checks that need another object (does the block exist,
// is the version published, are the parameters valid for this block, does a high-risk block get
// human oversight). The configuration rules are the reconciler's own (activation-rules.ts), so
// the webhook and the reconciler always agree.
import {
  type AIBuildingBlock,
  type BlockActivation,
  blockActivationSpec,
  type MunicipalTenant,
  municipalTenantSpec,
} from "../api/v1alpha1/index.ts";
import { configurationRules } from "../controllers/activation/activation-rules.ts";
import { resolveVersion } from "../controllers/activation/version-resolution.ts";
import type { Decision } from "./admission-review.ts";

/** `tenant`: the tenant of the activation's namespace, when there is one (its processing register). */
export function validateActivation(
  activation: BlockActivation,
  block: AIBuildingBlock | undefined,
  tenant?: MunicipalTenant,
): Decision {
  const spec = blockActivationSpec.parse(activation.spec);
  if (!block) {
    return {
      allowed: false,
      message: `spec.block: block "${spec.block}" is not in the national catalog; kubectl get aibuildingblocks lists the blocks you can activate`,
    };
  }
  const problems: string[] = [];
  const resolved = resolveVersion({ ...activation, spec }, block);
  if (!resolved.ok) {
    const field = spec.version
      ? "spec.version"
      : spec.updatePolicy === "Manual"
        ? "spec.approvedVersion"
        : "spec.channel";
    problems.push(`${field}: ${resolved.message}`);
  }
  // A tenant the reconciler cannot read either is the tenant controller's to report.
  const tenantSpec = tenant && municipalTenantSpec.safeParse(tenant.spec);
  const parsedTenant = tenantSpec?.success ? ({ ...tenant, spec: tenantSpec.data } as MunicipalTenant) : undefined;
  const runs = resolved.ok ? { version: resolved.version, tenant: parsedTenant } : undefined;
  problems.push(...configurationRules(block, spec, runs).failures.map((f) => `${f.field}: ${f.message}`));
  return problems.length ? { allowed: false, message: problems.join("; ") } : { allowed: true };
}
