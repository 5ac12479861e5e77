// Admission of a BlockActivation: the checks that need another object (does the block exist,
// is the version published, are the parameters valid for this block, does a high-risk block get
// human oversight). The reconciler uses the same functions, so both always agree.
import { validateParameters } from "../api/parameters.ts";
import { type AIBuildingBlock, type BlockActivation, blockActivationSpec } from "../api/v1alpha1/index.ts";
import { resolveVersion } from "../controllers/activation/version-resolution.ts";
import type { Decision } from "./admission-review.ts";

export function validateActivation(activation: BlockActivation, block: AIBuildingBlock | undefined): Decision {
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
  const params = validateParameters(block.spec.parameters ?? [], spec.parameters, block.metadata.name);
  if (!params.ok) problems.push(...params.errors.map((e) => `spec.parameters: ${e.message}`));
  if (block.spec.certification.riskClass === "high" && !spec.humanInTheLoop?.required) {
    problems.push(
      `spec.humanInTheLoop.required: block ${block.metadata.name} is high-risk under the AI Act, so a person must review its outcomes: set spec.humanInTheLoop.required: true and spec.humanInTheLoop.reviewerGroup`,
    );
  }
  return problems.length ? { allowed: false, message: problems.join("; ") } : { allowed: true };
}
