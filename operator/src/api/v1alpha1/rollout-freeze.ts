// RolloutFreeze: a fleet-wide window (elections, year-end closing) in which no rollout advances a
// ring or moves an activation. Cluster-scoped; one object per window, so that `kubectl get
// rolloutfreezes` is the calendar. Times are local times in Europe/Amsterdam.
import { z } from "zod";
import { API_VERSION, conditions, objectMeta, observedGeneration, withRules } from "./common.ts";
import type { KindDefinition } from "./kind-definition.ts";

export const LOCAL_DATETIME_PATTERN =
  "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]$";

const localDateTime = (description: string) =>
  z.string().max(16).regex(new RegExp(LOCAL_DATETIME_PATTERN)).describe(description);

export const rolloutFreezeSpec = withRules(
  z
    .object({
      start: localDateTime("When the freeze begins, as local time in Europe/Amsterdam: YYYY-MM-DDTHH:MM."),
      end: localDateTime("When the freeze ends (exclusive), as local time in Europe/Amsterdam: YYYY-MM-DDTHH:MM."),
      reason: z
        .string()
        .min(1)
        .max(256)
        .describe("Why nothing may change, for the people who see a held rollout, for example: municipal elections."),
    })
    .describe("A window in which no fleet rollout moves anything."),
  [
    {
      rule: "self.start < self.end",
      message: "end must be after start",
      fieldPath: ".end",
      holds: (spec) => spec.start < spec.end,
    },
  ],
);

export const rolloutFreezeStatus = z
  .object({
    observedGeneration,
    conditions: conditions.optional(),
  })
  .describe("Whether the freeze is in force now (condition Active), written by the operator.");

export const rolloutFreeze = z
  .object({
    apiVersion: z.literal(API_VERSION).describe("aihub.gemeenten.nl/v1alpha1"),
    kind: z.literal("RolloutFreeze").describe("RolloutFreeze"),
    metadata: objectMeta,
    spec: rolloutFreezeSpec,
    status: rolloutFreezeStatus.optional(),
  })
  .describe(
    "A fleet-wide freeze window: while it lasts, no BlockRollout starts a ring or moves an activation. " +
      "Activations already moving are still watched, and rollbacks still happen.",
  );

export type RolloutFreeze = z.infer<typeof rolloutFreeze>;

export const rolloutFreezeKind: KindDefinition = {
  kind: "RolloutFreeze",
  plural: "rolloutfreezes",
  singular: "rolloutfreeze",
  shortNames: ["rfz"],
  scope: "Cluster",
  schema: rolloutFreeze,
  printerColumns: [
    { name: "Start", type: "string", jsonPath: ".spec.start" },
    { name: "End", type: "string", jsonPath: ".spec.end" },
    { name: "Active", type: "string", jsonPath: '.status.conditions[?(@.type=="Active")].status' },
    { name: "Reason", type: "string", jsonPath: ".spec.reason" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
