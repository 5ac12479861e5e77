// AIBuildingBlock: a certified entry of the national catalog. Cluster-scoped.
import { z } from "zod";
import { urlProblem } from "../url.ts";
import {
  API_VERSION,
  anyScalar,
  conditions,
  date,
  dnsLabel,
  listMap,
  objectMeta,
  observedGeneration,
  resourceRequirements,
  semver,
  stringSet,
  withRules,
} from "./common.ts";
import type { KindDefinition } from "./kind-definition.ts";
import { rolloutStrategy } from "./rollout-strategy.ts";

export const IMAGE_DIGEST_PATTERN =
  "^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+@sha256:[a-f0-9]{64}$";
export const IMAGE_DIGEST_RULE = `self.matches('${IMAGE_DIGEST_PATTERN}')`;

export const blockCategory = z
  .enum([
    "intake",
    "anonymisation",
    "transcription",
    "legal-support",
    "explainability",
    "translation",
    "classification",
    "other",
  ])
  .describe("What kind of work the block does.");

export const parameterType = z
  .enum(["string", "integer", "boolean", "enum", "duration", "url"])
  .describe(
    "The value type: string, integer, boolean, enum (one of allowedValues), duration (for example 30s, 5m, 2h) or url (an absolute https URL without credentials).",
  );

/**
 * Whether a parameter value fits its definition's type. CEL cannot check this: a field that takes
 * any scalar has no type in a structural schema, so CEL rules cannot see it. The zod schema (used
 * by the admission webhook and the reconciler) checks it instead.
 */
export function valueMatchesType(type: z.infer<typeof parameterType>, value: unknown): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    default:
      return typeof value === "string";
  }
}

export const PARAMETER_NAME_PATTERN = /^[a-z][a-zA-Z0-9]*$/;

/**
 * Names every JavaScript object has (constructor, toString, …) that fit a parameter name: as
 * parameter names they break lookups. A CEL rule refuses them, so that the API server does.
 */
export const RESERVED_PARAMETER_NAMES: readonly string[] = Object.getOwnPropertyNames(Object.prototype)
  .filter((n) => PARAMETER_NAME_PATTERN.test(n))
  .sort();
/** Go's duration syntax without a sign: a default is never negative. */
const NON_NEGATIVE_DURATION = /^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/;

export const parameterDefinition = withRules(
  z
    .object({
      name: z
        .string()
        .min(1)
        .max(63)
        .regex(PARAMETER_NAME_PATTERN)
        .describe("The parameter's name in lowerCamelCase, as a municipality sets it in a BlockActivation."),
      type: parameterType,
      description: z
        .string()
        .min(1)
        .max(1024)
        .describe("What the parameter changes, for the municipality's information manager."),
      required: z.boolean().default(false).describe("Whether every activation must set this parameter."),
      default: anyScalar("The value used when an activation does not set the parameter; must match type.").optional(),
      minimum: z.number().int().optional().describe("For integer parameters: the smallest allowed value."),
      maximum: z.number().int().optional().describe("For integer parameters: the largest allowed value."),
      maxLength: z
        .number()
        .int()
        .min(1)
        .max(65536)
        .optional()
        .describe("For string parameters: the longest allowed value."),
      allowedValues: stringSet(
        64,
        253,
        "For enum parameters: the values a municipality may choose from.",
        "An allowed value.",
      )
        .min(1)
        .optional(),
    })
    .describe("A parameter that a municipality may set on its activation: the local 20%.")
    // The default takes any scalar, so the CRD cannot type it and CEL cannot see it: these checks
    // are zod's alone, and the admission webhook (validate-block-spec.ts) applies them.
    .superRefine((def, ctx) => {
      if (def.default === undefined) return;
      if (!valueMatchesType(def.type, def.default)) {
        ctx.addIssue({
          code: "custom",
          path: ["default"],
          message: `default must be of type ${def.type}`,
        });
      } else if (def.type === "enum" && def.allowedValues && !def.allowedValues.includes(String(def.default))) {
        ctx.addIssue({
          code: "custom",
          path: ["default"],
          message: `default must be one of allowedValues (${def.allowedValues.join(", ")})`,
        });
      } else if (
        def.type === "integer" &&
        ((def.minimum !== undefined && Number(def.default) < def.minimum) ||
          (def.maximum !== undefined && Number(def.default) > def.maximum))
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["default"],
          message: `default ${def.default} is outside ${def.minimum ?? "-∞"} to ${def.maximum ?? "∞"}`,
        });
      } else if (def.type === "string" && def.maxLength !== undefined && String(def.default).length > def.maxLength) {
        ctx.addIssue({
          code: "custom",
          path: ["default"],
          message: `default is longer than maxLength ${def.maxLength}`,
        });
      } else if (def.type === "url" && urlProblem(String(def.default))) {
        ctx.addIssue({
          code: "custom",
          path: ["default"],
          message: `default "${def.default}" ${urlProblem(String(def.default))}`,
        });
      } else if (def.type === "duration" && !NON_NEGATIVE_DURATION.test(String(def.default))) {
        ctx.addIssue({
          code: "custom",
          path: ["default"],
          message: `default "${def.default}" is not a duration of zero or more, such as 30s, 5m or 2h`,
        });
      }
    }),
  [
    {
      rule: `!(self.name in [${RESERVED_PARAMETER_NAMES.map((n) => `'${n}'`).join(", ")}])`,
      message: `${RESERVED_PARAMETER_NAMES.join(", ")} are names every JavaScript object has: choose another parameter name`,
      messageExpression: `'"' + self.name + '" is a name every JavaScript object has: choose another parameter name'`,
      fieldPath: ".name",
      holds: (def) => !RESERVED_PARAMETER_NAMES.includes(def.name),
      messageOf: (def) => `"${def.name}" is a name every JavaScript object has: choose another parameter name`,
    },
    {
      rule: "self.type != 'enum' || has(self.allowedValues)",
      message: "allowedValues is required when type is enum",
      fieldPath: ".allowedValues",
      reason: "FieldValueRequired",
      holds: (def) => def.type !== "enum" || def.allowedValues !== undefined,
    },
    {
      rule: "!has(self.allowedValues) || self.type == 'enum'",
      message: "allowedValues is only for type enum",
      fieldPath: ".allowedValues",
      reason: "FieldValueForbidden",
      holds: (def) => def.allowedValues === undefined || def.type === "enum",
    },
    {
      rule: "(!has(self.minimum) && !has(self.maximum)) || self.type == 'integer'",
      message: "minimum and maximum are only for type integer",
      reason: "FieldValueForbidden",
      holds: (def) => (def.minimum === undefined && def.maximum === undefined) || def.type === "integer",
    },
    {
      rule: "!has(self.minimum) || !has(self.maximum) || self.minimum <= self.maximum",
      message: "minimum must not be greater than maximum",
      fieldPath: ".minimum",
      holds: (def) => def.minimum === undefined || def.maximum === undefined || def.minimum <= def.maximum,
    },
    {
      rule: "!has(self.maxLength) || self.type == 'string'",
      message: "maxLength is only for type string",
      fieldPath: ".maxLength",
      reason: "FieldValueForbidden",
      holds: (def) => def.maxLength === undefined || def.type === "string",
    },
  ],
);

export const channel = z
  .enum(["stable", "candidate"])
  .describe("Release channel: stable for general use, candidate for early adopters.");

/** Semver ignores build metadata when it orders versions: 1.4.0+x would be 1.4.0 with another image. */
const BUILD_METADATA_MESSAGE =
  "a published version has no build metadata (+...): semver orders 1.4.0+x as 1.4.0, so it would replace that version's image; publish a new patch version such as 1.4.1 instead";

export const processingActivity = z
  .object({
    id: dnsLabel(
      "The activity's id, as the block writes it in each record's dpl.core.processing_activity_id, for example intake-analyse.",
    ),
    description: z
      .string()
      .min(1)
      .max(1024)
      .describe("What the block does with whose data in this activity, for the municipality's privacy officer."),
    personalData: z
      .boolean()
      .default(true)
      .describe(
        "Whether this activity processes residents' personal data (default true). If so, every activation maps it to an entry of the municipality's processing register, and its records go to the municipality's Logboek.",
      ),
  })
  .describe("A processing of data that the block performs and logs (Logboek Dataverwerkingen).");

export const blockVersion = z
  .object({
    version: withRules(
      semver("The version, in semantic versioning without a leading v and without build metadata, for example 1.4.0."),
      [{ rule: "!self.contains('+')", message: BUILD_METADATA_MESSAGE, holds: (v) => !v.includes("+") }],
    ),
    image: withRules(z.string().min(1).max(512), [
      {
        rule: IMAGE_DIGEST_RULE,
        message:
          "must be pinned by digest, for example registry.example.eu/team/block@sha256:<64 lower-case hex characters>; tags are not accepted",
        holds: (image) => new RegExp(IMAGE_DIGEST_PATTERN).test(image),
      },
    ]).describe("The container image, pinned by digest: registry/repository@sha256:<64 hex characters>."),
    channel: channel.default("stable"),
    releaseDate: date("The day this version was released (YYYY-MM-DD)."),
    deprecated: z
      .boolean()
      .optional()
      .describe("Set by the collective when municipalities should move off this version; activations on it say so."),
    endOfLife: date(
      "The last day this version is supported (YYYY-MM-DD). After it and spec.endOfLifeNoticeDays, activations still on it, Manual ones included, are moved to the newest version through the fleet rollout.",
    ).optional(),
    processingActivities: listMap(
      processingActivity,
      "id",
      32,
      "The processing activities this version performs; its logging sidecar forwards only records of these, mapped to the municipality's register.",
    ).optional(),
    releaseNotes: z
      .string()
      .min(1)
      .max(8192)
      .describe(
        "What changed, written for a municipality's information manager who decides whether to approve the update.",
      ),
  })
  .describe("One published version of the block.");

export const supplier = z
  .object({
    name: z.string().min(1).max(253).describe("The supplier's legal name."),
    country: z
      .string()
      .max(2)
      .regex(/^[A-Z]{2}$/)
      .describe(
        "The supplier's country as an ISO 3166-1 alpha-2 code, for example NL. The operator accepts EU and EEA countries only.",
      ),
  })
  .describe("Who builds and supports the block.");

export const riskClass = z
  .enum(["minimal", "limited", "high"])
  .describe("The block's risk class under the EU AI Act: minimal, limited or high.");

export const certification = z
  .object({
    riskClass,
    dpiaReference: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe("Reference to the data protection impact assessment (DPIA); required for high-risk blocks."),
    certifiedBy: z.string().min(1).max(253).describe("The body that certified the block."),
    validUntil: date("The last day the certification is valid (YYYY-MM-DD). New versions are not rolled out after it."),
  })
  .describe("The block's certification.");

export const blockRuntime = z
  .object({
    port: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .default(8080)
      .describe("The port the block's container listens on (1024-65535)."),
    resources: resourceRequirements.optional(),
  })
  .describe("How the block runs, unless an activation overrides it.");

export const aiBuildingBlockSpec = withRules(
  z
    .object({
      displayName: z.string().min(1).max(100).describe("The block's name in the catalog."),
      description: z.string().min(1).max(4096).describe("What the block does, for whom, and on which data."),
      category: blockCategory,
      supplier,
      certification,
      parameters: listMap(
        parameterDefinition,
        "name",
        64,
        "The parameters a municipality may set. Everything else is fixed by the collective.",
      ).optional(),
      versions: listMap(
        blockVersion,
        "version",
        128,
        "Published versions, oldest first. A published version's image never changes.",
      ).min(1),
      runtime: blockRuntime.optional(),
      rollout: rolloutStrategy.optional(),
      endOfLifeNoticeDays: z
        .number()
        .int()
        .min(0)
        .max(365)
        .default(30)
        .describe(
          "Days after a version's endOfLife before activations still on it are moved, Manual ones included (0-365, default 30).",
        ),
    })
    .describe("The desired state of a catalog entry."),
  [
    {
      rule: "self.certification.riskClass != 'high' || has(self.certification.dpiaReference)",
      message: "a high-risk block needs spec.certification.dpiaReference (the DPIA that covers it)",
      fieldPath: ".certification.dpiaReference",
      reason: "FieldValueRequired",
      holds: (spec) => spec.certification.riskClass !== "high" || spec.certification.dpiaReference !== undefined,
    },
  ],
);

export const aiBuildingBlockStatus = z
  .object({
    observedGeneration,
    latestVersions: z
      .object({
        stable: z.string().max(64).optional().describe("The newest version on the stable channel."),
        candidate: z.string().max(64).optional().describe("The newest version on the candidate channel."),
      })
      .optional()
      .describe("The newest version per channel."),
    activations: z.number().int().min(0).optional().describe("How many BlockActivations use this block."),
    withdrawnVersions: listMap(
      z
        .object({
          version: z.string().max(64).describe("The withdrawn version."),
          reason: z
            .string()
            .max(64)
            .describe("Why: FailureThreshold (a ring failed its health gates), AnalysisNoGo or Aborted."),
          message: z.string().max(1024).describe("What the fleet rollout found, from its status."),
        })
        .describe("A version that its fleet rollout withdrew."),
      "version",
      128,
      "Versions withdrawn by their fleet rollout: no activation is moved to them and none is offered them. Delete the version's BlockRollout to roll it out again.",
    ).optional(),
    conditions: conditions.optional(),
  })
  .describe("The observed state of the catalog entry, written by the operator.");

export const aiBuildingBlock = z
  .object({
    apiVersion: z.literal(API_VERSION).describe("aihub.gemeenten.nl/v1alpha1"),
    kind: z.literal("AIBuildingBlock").describe("AIBuildingBlock"),
    metadata: objectMeta,
    spec: aiBuildingBlockSpec,
    status: aiBuildingBlockStatus.optional(),
  })
  .describe(
    "A certified AI building block in the national catalog: who supplies it, how it is certified, " +
      "which parameters a municipality may set, and its published versions.",
  );

export type AIBuildingBlock = z.infer<typeof aiBuildingBlock>;
export type AIBuildingBlockSpec = z.infer<typeof aiBuildingBlockSpec>;
export type ParameterDefinition = z.infer<typeof parameterDefinition>;

export const aiBuildingBlockKind: KindDefinition = {
  kind: "AIBuildingBlock",
  plural: "aibuildingblocks",
  singular: "aibuildingblock",
  shortNames: ["aibb"],
  scope: "Cluster",
  schema: aiBuildingBlock,
  printerColumns: [
    { name: "Category", type: "string", jsonPath: ".spec.category" },
    { name: "Supplier", type: "string", jsonPath: ".spec.supplier.name" },
    { name: "Risk", type: "string", jsonPath: ".spec.certification.riskClass" },
    {
      name: "Stable",
      type: "string",
      jsonPath: ".status.latestVersions.stable",
    },
    {
      name: "Certified",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Certified")].status',
    },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
