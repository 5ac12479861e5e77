// Admission of a catalog entry, on create and on update: the same zod schema the reconcilers
// parse it with. What the CRD cannot check (a parameter default of the wrong type, outside its
// bounds or a negative duration; a parameter named like a property of every JavaScript object)
// would otherwise be accepted by the API server and then stop every activation of the block.
import type { z } from "zod";
import { aiBuildingBlockSpec } from "../api/v1alpha1/index.ts";
import { certificationTooLong } from "../controllers/catalog/certification.ts";
import type { Decision } from "./admission-review.ts";

/** A zod issue's path as kubectl names fields: spec.parameters[0].default. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, key) => (typeof key === "number" ? `${at}[${key}]` : `${at}.${String(key)}`), root);
}

export function issuesOf(error: z.ZodError, root: string): string[] {
  return error.issues.map((i) => `${fieldPath(root, i.path)}: ${i.message}`);
}

/** `today`: a certification may run at most MAX_CERTIFICATION_YEARS from it. */
export function validateBlockSpec(spec: unknown, today: Date): Decision {
  const parsed = aiBuildingBlockSpec.safeParse(spec);
  if (!parsed.success) return { allowed: false, message: issuesOf(parsed.error, "spec").join("; ") };
  const tooLong = certificationTooLong(parsed.data.certification.validUntil, today);
  return tooLong ? { allowed: false, message: tooLong } : { allowed: true };
}
