// Building blocks shared by the three aihub kinds: conditions, object metadata, quantities.
// Every field carries a description: it is what `kubectl explain` shows.
import { z } from "zod";

export const GROUP = "aihub.gemeenten.nl";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A semantic version without a leading "v" (semver.org 2.0.0). */
export const SEMVER_PATTERN =
  "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$";

export const semver = (description: string) =>
  z.string().max(64).regex(new RegExp(SEMVER_PATTERN)).describe(description);

/** A Kubernetes resource quantity such as `500m`, `2`, `4Gi`. */
export const QUANTITY_PATTERN = "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

export const quantity = (description: string) =>
  z.string().max(32).regex(new RegExp(QUANTITY_PATTERN)).describe(description);

/** A DNS-1123 label: lower case letters, digits and '-', at most 63 characters. */
export const DNS_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

export const dnsLabel = (description: string) =>
  z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN)).describe(description);

/** A calendar date, `YYYY-MM-DD`. */
export const date = (description: string) => z.iso.date().describe(description);

/**
 * A list that the API server treats as a map keyed by `key`: duplicates are rejected and
 * server-side apply merges entries by key.
 */
export const listMap = <T extends z.ZodType>(item: T, key: string, maxItems: number, description: string) =>
  z
    .array(item)
    .max(maxItems)
    .describe(description)
    .meta({
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": [key],
    });

/** A list of unique strings (a set, for server-side apply). */
export const stringSet = (maxItems: number, maxLength: number, description: string, itemDescription: string) =>
  z
    .array(z.string().min(1).max(maxLength).describe(itemDescription))
    .max(maxItems)
    .describe(description)
    .meta({ "x-kubernetes-list-type": "set" });

/** A CEL validation rule, rendered as `x-kubernetes-validations` in the CRD. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** Attaches CEL rules to a schema; the API server evaluates them on create and update. */
export const withRules = <T extends z.ZodType>(schema: T, rules: CelRule[]): T =>
  schema.meta({ "x-kubernetes-validations": rules }) as T;

export const conditionStatus = z
  .enum(["True", "False", "Unknown"])
  .describe("Status of the condition: True, False or Unknown.");

/** A condition as in metav1.Condition, the shape every Kubernetes API uses. */
export const condition = z
  .object({
    type: z.string().min(1).max(316).describe("Type of the condition in CamelCase, for example Ready."),
    status: conditionStatus,
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("The metadata.generation this condition was computed from."),
    lastTransitionTime: z.iso
      .datetime()
      .describe("When the condition last changed from one status to another (RFC 3339)."),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe("A one-word CamelCase reason for the condition's last transition."),
    message: z
      .string()
      .max(32768)
      .describe("A human-readable message with details of the transition; says what to do when action is needed."),
  })
  .describe("One aspect of the object's current state, following Kubernetes API conventions.");

export type Condition = z.infer<typeof condition>;

export const conditions = listMap(
  condition,
  "type",
  16,
  "The latest observations of the object's state. Ready summarises the others.",
);

export const observedGeneration = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe("The metadata.generation that the operator last acted on.");

/** What every aihub object carries at the top. Only name and namespace are checked here. */
export const objectMeta = z
  .looseObject({
    name: z.string().max(253).optional(),
    namespace: z.string().max(63).optional(),
    generation: z.number().int().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .describe("Standard object metadata.");

/** The resources (requests and limits) a container gets. */
export const resourceList = z
  .object({
    cpu: quantity("CPU, in cores or millicores, for example 500m.").optional(),
    memory: quantity("Memory, in bytes with a suffix, for example 512Mi.").optional(),
  })
  .describe("CPU and memory.");

export const resourceRequirements = z
  .object({
    requests: resourceList.optional().describe("What the scheduler reserves for each replica."),
    limits: resourceList.optional().describe("The most each replica may use."),
  })
  .describe("Compute resources for each replica.");

/** Any scalar: stored as given (the API server checks no type), checked by CEL rules, the webhook and the reconciler. */
export const anyScalar = (description: string) =>
  z
    .union([z.string().max(1024), z.number(), z.boolean()])
    .describe(description)
    .meta({
      "x-kubernetes-preserve-unknown-fields": true,
    });
