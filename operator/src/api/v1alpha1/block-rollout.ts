// BlockRollout: one published version of one block on its way through the fleet. Cluster-scoped;
// the operator creates it when a version becomes the newest on a channel, and keeps all of the
// rollout's progress in its status, so that a restarted operator resumes exactly where it stood.
import { z } from "zod";
import { channel } from "./ai-building-block.ts";
import {
  API_VERSION,
  conditions,
  dnsLabel,
  listMap,
  objectMeta,
  observedGeneration,
  semver,
  withRules,
} from "./common.ts";
import type { KindDefinition } from "./kind-definition.ts";
import { rolloutRing } from "./municipal-tenant.ts";
import { rolloutStrategy } from "./rollout-strategy.ts";

export const blockRolloutSpec = withRules(
  z
    .object({
      block: dnsLabel("The AIBuildingBlock whose version this rollout brings to the fleet. Immutable.").meta({
        "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "block is immutable" }],
      }),
      version: semver("The version being rolled out. Immutable.").meta({
        "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "version is immutable" }],
      }),
      channel: channel.describe("The channel the version was published on: stable or candidate."),
      strategy: rolloutStrategy.describe(
        "How this rollout proceeds: copied from the block's spec.rollout when the version was published; may be changed while it runs.",
      ),
      paused: z
        .boolean()
        .default(false)
        .describe(
          "While true, no further activation is moved; health gates and rollbacks still run. Set to false to resume.",
        ),
      abort: z
        .boolean()
        .default(false)
        .describe(
          "Set to true to stop the rollout and move every activation it moved back to its last healthy version; the version is then withdrawn for the fleet. Cannot be undone: publish a newer version instead.",
        ),
    })
    .describe("Which version of which block is rolled out, and how."),
  [
    {
      rule: "!has(oldSelf.abort) || !oldSelf.abort || self.abort",
      message: "an aborted rollout cannot be resumed: publish a newer version of the block instead",
      fieldPath: ".abort",
      reason: "FieldValueForbidden",
      transition: true,
    },
  ],
);

export const rolloutPhase = z
  .enum(["Progressing", "Paused", "RollingBack", "RolledBack", "Succeeded", "Superseded"])
  .describe(
    "Progressing: moving activations ring by ring. Paused: spec.paused. RollingBack: halted, moved activations go back. RolledBack: done going back; the version is withdrawn. Succeeded: every ring is done. Superseded: a newer version took over.",
  );

export const activationRolloutState = z
  .enum(["Updating", "Baking", "Healthy", "Failed", "RollingBack", "RolledBack"])
  .describe(
    "Updating: moved, not yet healthy. Baking: healthy, for less than the bake time. Healthy: baked. Failed: not healthy within the progress deadline, or unhealthy while baking; it goes back to its previous version. RollingBack / RolledBack: going back, and back, after the rollout halted.",
  );

export const rolloutActivation = z
  .object({
    activation: z.string().max(317).describe("The BlockActivation, as namespace/name."),
    ring: rolloutRing.describe("The ring of the activation's tenant."),
    state: activationRolloutState,
    previousVersion: z
      .string()
      .max(64)
      .describe("The last version that was healthy for this activation before it was moved; a rollback returns to it."),
    movedAt: z.iso.datetime().describe("When the rollout moved the activation to the new version."),
    healthySince: z.iso.datetime().optional().describe("Since when the activation is healthy on the new version."),
    message: z.string().max(1024).optional().describe("Why it failed, when it did."),
  })
  .describe("One activation that this rollout moved.");

export const ringStatus = z
  .object({
    name: rolloutRing,
    total: z
      .number()
      .int()
      .min(0)
      .describe("Activations in this ring that follow the version's channel automatically."),
    updated: z.number().int().min(0).describe("Of those, how many run the new version healthily (baked)."),
    failed: z.number().int().min(0).describe("Of those, how many failed their health gate."),
    startedAt: z.iso.datetime().optional().describe("When the first activation of this ring was moved."),
    completedAt: z.iso
      .datetime()
      .optional()
      .describe("When every activation of this ring was healthy for the bake time."),
    analysis: z
      .enum(["Go", "NoGo"])
      .optional()
      .describe("What the strategy's analysis hook answered once this ring was done, before the next ring started."),
  })
  .describe("Progress of one ring.");

export const blockRolloutStatus = z
  .object({
    observedGeneration,
    phase: rolloutPhase.optional(),
    currentRing: rolloutRing.optional().describe("The ring being updated now."),
    progress: z.string().max(32).optional().describe("Updated / total activations, for example 12/30."),
    updated: z.number().int().min(0).optional().describe("Activations healthy on the new version."),
    total: z.number().int().min(0).optional().describe("Activations that follow the version's channel automatically."),
    failed: z.number().int().min(0).optional().describe("Activations that failed their health gate."),
    rings: listMap(ringStatus, "name", 3, "Progress per ring, in rollout order.").optional(),
    activations: listMap(
      rolloutActivation,
      "activation",
      5000,
      "Every activation this rollout moved, with its state and the version it goes back to on a rollback.",
    ).optional(),
    conditions: conditions.optional(),
  })
  .describe("The observed state of the rollout, written by the operator. The rollout's whole memory.");

export const blockRollout = z
  .object({
    apiVersion: z.literal(API_VERSION).describe("aihub.gemeenten.nl/v1alpha1"),
    kind: z.literal("BlockRollout").describe("BlockRollout"),
    metadata: objectMeta,
    spec: blockRolloutSpec,
    status: blockRolloutStatus.optional(),
  })
  .describe(
    "One published version of a catalog block on its way through the fleet: ring by ring, with health gates, " +
      "automatic rollback, pause, resume and abort. Created by the operator when a version is published.",
  );

export type BlockRollout = z.infer<typeof blockRollout>;
export type BlockRolloutStatus = z.infer<typeof blockRolloutStatus>;
export type RolloutActivation = z.infer<typeof rolloutActivation>;
export type RolloutPhase = z.infer<typeof rolloutPhase>;

export const blockRolloutKind: KindDefinition = {
  kind: "BlockRollout",
  plural: "blockrollouts",
  singular: "blockrollout",
  shortNames: ["bro"],
  scope: "Cluster",
  schema: blockRollout,
  printerColumns: [
    { name: "Block", type: "string", jsonPath: ".spec.block" },
    { name: "Version", type: "string", jsonPath: ".spec.version" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Ring", type: "string", jsonPath: ".status.currentRing" },
    { name: "Updated", type: "string", jsonPath: ".status.progress" },
    { name: "Failed", type: "integer", jsonPath: ".status.failed" },
    {
      name: "Message",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Progressing")].message',
      priority: 1,
    },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
