// BlockActivation: one catalog block switched on for one municipality, in its namespace.
import { z } from "zod";
import { channel } from "./ai-building-block.ts";
import {
  API_VERSION,
  conditions,
  date,
  dnsLabel,
  listMap,
  objectMeta,
  observedGeneration,
  registerEntryId,
  resourceRequirements,
  semver,
  withRules,
} from "./common.ts";
import type { KindDefinition } from "./kind-definition.ts";

export const updatePolicy = z
  .enum(["Automatic", "Manual"])
  .describe(
    "Automatic follows the channel as new versions are published (the default). Manual stays on approvedVersion " +
      "and reports newer versions in status.availableUpdate until a person approves one.",
  );

export const humanInTheLoop = withRules(
  z
    .object({
      required: z
        .boolean()
        .default(false)
        .describe("Whether a person must confirm the block's outcomes before they take effect."),
      reviewerGroup: z
        .string()
        .min(1)
        .max(253)
        .optional()
        .describe("The group of civil servants who review outcomes; required when required is true."),
      samplePercentage: z
        .number()
        .int()
        .min(0)
        .max(100)
        .optional()
        .describe("The share of outcomes (0-100) that a person reviews, when not every outcome needs review."),
    })
    .describe("How people oversee the block's outcomes (EU AI Act, article 14)."),
  [
    {
      rule: "!self.required || has(self.reviewerGroup)",
      message: "reviewerGroup is required when required is true: name the group that reviews outcomes",
      fieldPath: ".reviewerGroup",
      reason: "FieldValueRequired",
      holds: (h) => !h.required || h.reviewerGroup !== undefined,
    },
  ],
);

/** At most this many parameters: the CRD's maxProperties. */
export const MAX_ACTIVATION_PARAMETERS = 64;

/**
 * An activation's parameter values. The CRD cannot type them (a value is a string, an integer or
 * a boolean, and a structural schema has no unions) and CEL cannot see them, so the API server
 * stores any key and any JSON value. The reconciler must parse every stored activation, so zod
 * takes what the API server takes; the values are checked against the block's definitions
 * (parameters.ts): the webhook refuses, the reconciler reports ParametersValid False.
 * The object is passed on as stored, not rebuilt: zod's records drop a key named __proto__ (so
 * that it cannot replace the prototype), which would hide it from that check.
 */
export const parameterValues = z
  .unknown()
  .superRefine((v, ctx) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      ctx.addIssue({ code: "custom", message: "Invalid input: expected an object of parameter values" });
    } else if (Object.keys(v).length > MAX_ACTIVATION_PARAMETERS) {
      ctx.addIssue({ code: "custom", message: `Too big: expected at most ${MAX_ACTIVATION_PARAMETERS} parameters` });
    }
  })
  .describe(
    "Local settings, by parameter name, as defined in the block's spec.parameters. Checked against the block's definitions on admission.",
  )
  .meta({
    type: "object",
    maxProperties: MAX_ACTIVATION_PARAMETERS,
    additionalProperties: {
      description: "A parameter value: a string, integer or boolean.",
      "x-kubernetes-preserve-unknown-fields": true,
    },
  }) as unknown as z.ZodType<Record<string, unknown>>;

export const processingActivityMapping = z
  .object({
    activity: dnsLabel("A processing activity of the block's version (its spec.versions[].processingActivities[].id)."),
    registerEntry: registerEntryId(
      "The entry of the municipality's processing register it is (MunicipalTenant spec.logboek.processingRegister[].id).",
    ),
  })
  .describe("Which entry of the municipality's processing register a processing activity of the block is.");

export const blockActivationSpec = withRules(
  z
    .object({
      block: dnsLabel("The name of the AIBuildingBlock in the national catalog. Immutable.").meta({
        "x-kubernetes-validations": [
          {
            rule: "self == oldSelf",
            message: "block is immutable: create a new BlockActivation for another block",
          },
        ],
      }),
      channel: channel
        .optional()
        .describe("Follow the newest version on this channel: stable or candidate. Not together with version."),
      version: semver("Pin this exact version instead of following a channel. Not together with channel.").optional(),
      updatePolicy: updatePolicy.default("Automatic"),
      approvedVersion: semver(
        "With updatePolicy Manual: the version a person approved. The activation runs it until another is approved.",
      ).optional(),
      declinedVersion: semver(
        "With updatePolicy Manual: a version a person declined. It is no longer offered in status.availableUpdate; a newer version is.",
      ).optional(),
      parameters: parameterValues.optional(),
      humanInTheLoop: humanInTheLoop.optional(),
      processingActivities: listMap(
        processingActivityMapping,
        "activity",
        32,
        "For each processing activity of the block that processes personal data: the entry of the municipality's processing register it is. Required for those activities; the logging sidecar writes the entry's id into every record.",
      ).optional(),
      replicas: z
        .number()
        .int()
        .min(0)
        .max(20)
        .default(1)
        .describe("How many replicas to run (0-20); 0 pauses the block."),
      resources: resourceRequirements.optional().describe("Override the block's default compute resources."),
    })
    .describe("The desired state of one block for one municipality."),
  [
    {
      rule: "!(has(self.channel) && has(self.version))",
      message: "set spec.channel to follow a channel or spec.version to pin a version, not both",
      reason: "FieldValueForbidden",
      holds: (spec) => !(spec.channel !== undefined && spec.version !== undefined),
    },
    {
      rule: "self.updatePolicy != 'Manual' || has(self.approvedVersion)",
      message: "updatePolicy Manual needs spec.approvedVersion: the version a person approved",
      fieldPath: ".approvedVersion",
      reason: "FieldValueRequired",
      holds: (spec) => spec.updatePolicy !== "Manual" || spec.approvedVersion !== undefined,
    },
    {
      rule: "!has(self.declinedVersion) || self.updatePolicy == 'Manual'",
      message: "spec.declinedVersion is only used with updatePolicy Manual",
      fieldPath: ".declinedVersion",
      reason: "FieldValueForbidden",
      holds: (spec) => spec.declinedVersion === undefined || spec.updatePolicy === "Manual",
    },
    {
      rule: "!has(self.approvedVersion) || self.updatePolicy == 'Manual'",
      message: "spec.approvedVersion is only used with updatePolicy Manual",
      fieldPath: ".approvedVersion",
      reason: "FieldValueForbidden",
      holds: (spec) => spec.approvedVersion === undefined || spec.updatePolicy === "Manual",
    },
    {
      rule: "!has(self.version) || self.updatePolicy != 'Manual'",
      message: "a pinned spec.version needs no approval: remove updatePolicy Manual, or follow a channel instead",
      fieldPath: ".updatePolicy",
      reason: "FieldValueForbidden",
      holds: (spec) => spec.version === undefined || spec.updatePolicy !== "Manual",
    },
  ],
);

export const availableUpdate = z
  .object({
    version: z.string().max(64).describe("The newer version that awaits approval."),
    releaseDate: date("The day it was released.").optional(),
    releaseNotes: z.string().max(8192).optional().describe("What changed, from the catalog."),
    fleet: z
      .string()
      .max(256)
      .optional()
      .describe(
        "How the version is doing in its fleet rollout, for example: rolling out in ring early; healthy in 17 activation(s) of ring canary.",
      ),
  })
  .describe("A newer version on the activation's channel that has not been approved yet.");

export const approvalRecord = z
  .object({
    version: z.string().max(64).describe("The version approved or declined."),
    decision: z
      .enum(["Approved", "Declined"])
      .optional()
      .describe("Approved (spec.approvedVersion; also when absent) or Declined (spec.declinedVersion)."),
    user: z.string().max(253).describe("Who decided, as the API server authenticated the request."),
    approvedAt: z.iso.datetime().describe("When the decision was recorded."),
    releaseNotes: z.string().max(2048).describe("The release notes of that version as the catalog had them then."),
  })
  .describe("One decision on an update, recorded by the operator's admission webhook from the request.");

export const blockActivationStatus = z
  .object({
    observedGeneration,
    currentVersion: z.string().max(64).optional().describe("The version that runs now."),
    image: z.string().max(512).optional().describe("The image (by digest) that runs now."),
    availableUpdate: availableUpdate.optional(),
    lastHealthyVersion: z
      .string()
      .max(64)
      .optional()
      .describe("The last version that ran with every replica available; a fleet rollout rolls back to it."),
    approvals: z
      .array(approvalRecord)
      .max(10)
      .optional()
      .describe(
        "The last ten decisions on updates (spec.approvedVersion, spec.declinedVersion), oldest first. Only the operator writes them.",
      )
      .meta({ "x-kubernetes-list-type": "atomic" }),
    conditions: conditions.optional(),
  })
  .describe("The observed state of the activation, written by the operator.");

export const blockActivation = z
  .object({
    apiVersion: z.literal(API_VERSION).describe("aihub.gemeenten.nl/v1alpha1"),
    kind: z.literal("BlockActivation").describe("BlockActivation"),
    metadata: objectMeta,
    spec: blockActivationSpec,
    status: blockActivationStatus.optional(),
  })
  .describe(
    "A catalog block switched on in a municipality's namespace, with the municipality's local parameters " +
      "and its choice of automatic or approved updates.",
  );

export type BlockActivation = z.infer<typeof blockActivation>;
export type BlockActivationSpec = z.infer<typeof blockActivationSpec>;

const NAME_PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
const NAME_MESSAGE =
  "an activation's name names its StatefulSet, Service and NetworkPolicy: use lower-case letters, digits and '-', start with a letter, at most 63 characters, for example bezwaar-intake";
const RESERVED_PREFIX_MESSAGE =
  "names starting with aihub- are reserved for what the operator makes for the tenant (its network policies, quota and roles): choose another name";

/**
 * What is wrong with `name` as an activation's name, by the rules the API server enforces on
 * create (nameSchema below); for activations created before those rules existed.
 */
export function activationNameProblem(name: string): string | undefined {
  if (name.length > 63 || !new RegExp(NAME_PATTERN).test(name)) return NAME_MESSAGE;
  if (name.startsWith("aihub-")) return RESERVED_PREFIX_MESSAGE;
  return undefined;
}

export const blockActivationKind: KindDefinition = {
  kind: "BlockActivation",
  plural: "blockactivations",
  singular: "blockactivation",
  shortNames: ["ba"],
  scope: "Namespaced",
  schema: blockActivation,
  // The name becomes the names of the block's StatefulSet, Service, NetworkPolicy and budget.
  nameSchema: {
    maxLength: 63,
    rules: [
      { rule: `self.matches('${NAME_PATTERN}')`, message: NAME_MESSAGE },
      { rule: "!self.startsWith('aihub-')", message: RESERVED_PREFIX_MESSAGE },
    ],
  },
  printerColumns: [
    { name: "Block", type: "string", jsonPath: ".spec.block" },
    { name: "Version", type: "string", jsonPath: ".status.currentVersion" },
    { name: "Policy", type: "string", jsonPath: ".spec.updatePolicy" },
    {
      name: "Update",
      type: "string",
      jsonPath: ".status.availableUpdate.version",
    },
    {
      name: "Ready",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
