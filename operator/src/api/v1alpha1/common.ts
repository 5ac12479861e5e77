// Building blocks shared by the three aihub kinds: conditions, object metadata, quantities.
// Every field carries a description: it is what `kubectl explain` shows.
import { z } from "zod";
import { MAX_QUANTITY, QUANTITY_PATTERN, quantityWithinLimit } from "../quantity.ts";

export const GROUP = "aihub.gemeenten.nl";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A semantic version without a leading "v" (semver.org 2.0.0). */
export const SEMVER_PATTERN =
  "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$";

export const semver = (description: string) =>
  z.string().max(64).regex(new RegExp(SEMVER_PATTERN)).describe(description);

export { QUANTITY_PATTERN };

const quantityPattern = new RegExp(QUANTITY_PATTERN);

/**
 * A Kubernetes resource quantity such as `500m`, `2`, `4Gi`, at most 2^63-1: Kubernetes does not
 * store larger ones faithfully ("1000E" comes back as "1" from a quota or a container's resources).
 */
export const quantity = (description: string) =>
  withRules(z.string().max(32).regex(quantityPattern), [
    {
      rule: `!isQuantity(self) || quantity(self).compareTo(quantity('${MAX_QUANTITY}')) <= 0`,
      message: `must be at most ${MAX_QUANTITY} (2^63-1, or 8Ei), the largest quantity Kubernetes stores`,
      // What the pattern refuses is refused once, by the pattern.
      holds: (q) => !quantityPattern.test(q) || quantityWithinLimit(q),
    },
  ]).describe(description);

/** A DNS-1123 label: lower case letters, digits and '-', at most 63 characters. */
export const DNS_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

export const dnsLabel = (description: string) =>
  z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN)).describe(description);

/**
 * The id of an entry in a municipality's processing register (GDPR article 30), as the
 * municipality numbers them, for example VWR-2024-017.
 */
export const REGISTER_ENTRY_PATTERN = "^[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?$";

export const registerEntryId = (description: string) =>
  z.string().min(1).max(63).regex(new RegExp(REGISTER_ENTRY_PATTERN)).describe(description);

/**
 * A calendar date, `YYYY-MM-DD`. The CRD says `type: string, format: date`, but the API server's
 * schema validation lets any list through a string field that has a format (kube-openapi treats
 * a list there as bytes and checks neither type nor format), so `releaseDate: [1, 2]` was stored
 * and the reconciler could not parse the block. A CEL rule on the field makes the API server
 * convert the value to a date first, which a list fails; on a date it always holds.
 */
export const date = (description: string) =>
  withRules(z.iso.date(), [
    { rule: "self == self", message: "must be a date (a string YYYY-MM-DD), not a list", holds: () => true },
  ]).describe(description);

/**
 * A list that the API server treats as a map keyed by `key`: duplicates are rejected and
 * server-side apply merges entries by key.
 */
export const listMap = <T extends z.ZodType>(item: T, key: string, maxItems: number, description: string) =>
  z
    .array(item)
    .max(maxItems)
    .superRefine((items, ctx) => {
      const at = uniqueItems(items.map((i) => (i as Record<string, unknown>)[key]));
      if (at !== undefined) {
        ctx.addIssue({ code: "custom", path: [at], message: `Duplicate value: ${key} must be unique` });
      }
    })
    .describe(description)
    .meta({
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": [key],
    });

/** A list whose items are unique (a set, for server-side apply): the API server refuses duplicates. */
export const setOf = <T extends z.ZodType>(item: T, maxItems: number, description: string) =>
  z
    .array(item)
    .max(maxItems)
    .superRefine((items, ctx) => {
      const at = uniqueItems(items);
      if (at !== undefined) ctx.addIssue({ code: "custom", path: [at], message: "Duplicate value" });
    })
    .describe(description)
    .meta({ "x-kubernetes-list-type": "set" });

/** A list of unique strings (a set, for server-side apply). */
export const stringSet = (maxItems: number, maxLength: number, description: string, itemDescription: string) =>
  setOf(z.string().min(1).max(maxLength).describe(itemDescription), maxItems, description);

/** A CEL validation rule, rendered as `x-kubernetes-validations` in the CRD. */
export interface CelRule {
  rule: string;
  message: string;
  /** A CEL expression for the message, which can name the value; message is the fallback. */
  messageExpression?: string;
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/**
 * A CEL rule with its twin in JavaScript, which the zod schema checks: the reconcilers parse with
 * zod, so an object the rule refuses must not parse either (the differential fuzz, `make fuzz`,
 * holds the two to the same answers). A transition rule compares with the stored object
 * (oldSelf), which one object does not have: it has no twin.
 */
export type CheckedRule<T> = CelRule &
  ({ holds: (self: T) => boolean; messageOf?: (self: T) => string } | { transition: true });

/**
 * Attaches CEL rules to a schema; the API server evaluates them on create and update, zod their
 * twins (on the parsed value, with defaults applied, as the API server defaults before it
 * validates).
 */
export const withRules = <T extends z.ZodType>(schema: T, rules: CheckedRule<z.output<T>>[]): T =>
  schema
    .superRefine((self, ctx) => {
      for (const r of rules) {
        if ("holds" in r && !r.holds(self as z.output<T>)) {
          const message = r.messageOf?.(self as z.output<T>) ?? r.message;
          ctx.addIssue({ code: "custom", message, path: pathOf(r.fieldPath) });
        }
      }
    })
    .meta({
      "x-kubernetes-validations": rules.map(({ rule, message, messageExpression, fieldPath, reason }) => ({
        rule,
        message,
        ...(messageExpression && { messageExpression }),
        ...(fieldPath && { fieldPath }),
        ...(reason && { reason }),
      })),
    }) as T;

/** A CEL rule's fieldPath (.certification.dpiaReference) as a zod issue path. */
const pathOf = (fieldPath: string | undefined) => (fieldPath ? fieldPath.split(".").filter(Boolean) : []);

/** The CEL twin of x-kubernetes-list-type set: the API server refuses a duplicate item. */
export const uniqueItems = (items: readonly unknown[]): number | undefined => {
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    const key = JSON.stringify(item);
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return undefined;
};

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
