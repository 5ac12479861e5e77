// Admission of changes to a catalog entry: a published version is immutable (its image and
// digest never change), and a version that an activation runs or pins cannot be removed.
import type { AIBuildingBlock } from "../api/v1alpha1/index.ts";
import type { Decision } from "./admission-review.ts";

export interface VersionUse {
  /** namespace/name of the activation. */
  activation: string;
  version: string;
}

export function validateBlockUpdate(
  oldBlock: AIBuildingBlock,
  newBlock: AIBuildingBlock,
  uses: VersionUse[],
): Decision {
  const problems: string[] = [];
  const next = new Map(newBlock.spec.versions.map((v) => [v.version, v]));
  for (const [i, v] of oldBlock.spec.versions.entries()) {
    const now = next.get(v.version);
    if (!now) {
      const users = uses.filter((u) => u.version === v.version).map((u) => u.activation);
      if (users.length) {
        problems.push(
          `spec.versions[${i}]: version ${v.version} cannot be removed: ${users.join(", ")} ${users.length === 1 ? "runs or pins" : "run or pin"} it; move them to another version first`,
        );
      }
    } else if (now.image !== v.image) {
      problems.push(
        `spec.versions: the image of published version ${v.version} cannot change (was ${v.image}); publish a new version instead`,
      );
    }
  }
  return problems.length ? { allowed: false, message: problems.join("; ") } : { allowed: true };
}

export function validateBlockDelete(block: AIBuildingBlock, uses: VersionUse[]): Decision {
  const users = [...new Set(uses.map((u) => u.activation))];
  return users.length
    ? {
        allowed: false,
        message: `block ${block.metadata.name} cannot be deleted while it is activated by ${users.join(", ")}; delete those BlockActivations first`,
      }
    : { allowed: true };
}

export interface ParameterUse {
  /** namespace/name of the activation. */
  activation: string;
  parameters: string[];
}

/** A parameter an activation still sets cannot leave the block's definitions: the activation would stop. */
export function removedParametersInUse(
  oldBlock: AIBuildingBlock,
  newBlock: AIBuildingBlock,
  uses: ParameterUse[],
): Decision {
  const kept = new Set((newBlock.spec.parameters ?? []).map((p) => p.name));
  const removed = (oldBlock.spec.parameters ?? []).map((p) => p.name).filter((n) => !kept.has(n));
  const problems = removed.flatMap((name) => {
    const users = uses.filter((u) => u.parameters.includes(name)).map((u) => u.activation);
    return users.length
      ? [
          `spec.parameters: parameter ${name} cannot be removed: ${users.join(", ")} set${users.length === 1 ? "s" : ""} it; remove it from those activations first`,
        ]
      : [];
  });
  return problems.length ? { allowed: false, message: problems.join("; ") } : { allowed: true };
}
