// How a new version of a block travels through the fleet: ring by ring (canary, early, general,
// from each tenant's spec.rolloutRing), a few activations at a time, each healthy within a
// deadline and for a bake time, with a number of failures a ring may have before the rollout
// halts and rolls back. The defaults are safe for 342 municipalities.
import { z } from "zod";
import { DURATION_PATTERN } from "../duration.ts";
import { listMap } from "./common.ts";
import { rolloutRing } from "./municipal-tenant.ts";

/** A count (5) or a share of the ring (10%). */
export const COUNT_OR_PERCENT_PATTERN = "^([0-9]{1,4}|(100|[1-9]?[0-9])%)$";

const countOrPercent = (description: string) =>
  z.string().max(5).regex(new RegExp(COUNT_OR_PERCENT_PATTERN)).describe(description);

const duration = (description: string) => z.string().max(32).regex(new RegExp(DURATION_PATTERN)).describe(description);

export const RING_ORDER = ["canary", "early", "general"] as const;
export type RingName = (typeof RING_ORDER)[number];

/**
 * https:// and no white space. The white space is spelled out: the API server checks the pattern
 * with Go's RE2, where \s is ASCII white space only, and zod with JavaScript, where \s also
 * matches Unicode spaces (a no-break space, for one), so that zod refused URLs the API server took.
 */
export const ANALYSIS_URL_PATTERN = "^https://[^\\t\\n\\v\\f\\r ]+$";

export const ringOverride = z
  .object({
    name: rolloutRing.describe("The ring these settings are for: canary, early or general."),
    maxConcurrent: countOrPercent("How many activations of this ring update at once.").optional(),
    bakeTime: duration(
      "How long every updated activation of this ring stays healthy before the next ring starts.",
    ).optional(),
    maxFailures: countOrPercent("How many activations of this ring may fail before the rollout halts.").optional(),
  })
  .describe("Settings for one ring that differ from the strategy's own.");

export const analysisHook = z
  .object({
    url: z
      .string()
      .max(2048)
      .regex(new RegExp(ANALYSIS_URL_PATTERN))
      .describe(
        "An HTTPS endpoint asked before each ring after canary starts: a POST with the rollout, the ring that finished and its figures. Any 2xx answer is go; any other answer is no-go and rolls the version back.",
      ),
    caBundle: z
      .string()
      .max(16384)
      .optional()
      .describe("PEM certificates that sign the endpoint's certificate, when a public CA does not."),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(10)
      .describe("How long to wait for an answer (1-60 s); no answer is retried, not taken as no-go."),
  })
  .describe("An analysis hook that says go or no-go for the next ring (like Flagger's confirm-promotion webhook).");

export const rolloutStrategy = z
  .object({
    maxConcurrent: countOrPercent(
      "How many activations in a ring update at once: a count (5) or a share of the ring (10%, at least one). Default 10%.",
    ).default("10%"),
    bakeTime: duration(
      "How long every updated activation must stay healthy before the next ring starts, for example 15m. Default 15m.",
    ).default("15m"),
    progressDeadline: duration(
      "How long an activation may take to become healthy on the new version before it counts as failed. Default 10m.",
    ).default("10m"),
    maxFailures: countOrPercent(
      "How many activations of a ring may fail (a count, or a share of the ring) before the rollout halts and rolls back. Default 0.",
    ).default("0"),
    rings: listMap(ringOverride, "name", 3, "Settings per ring that differ from the ones above.").optional(),
    analysis: analysisHook.optional(),
  })
  .describe(
    "How new versions of this block reach the fleet: ring by ring (canary, early, general, from each tenant's spec.rolloutRing), with health gates and automatic rollback.",
  );

export type RolloutStrategy = z.infer<typeof rolloutStrategy>;

/** The settings that apply to one ring: the ring's overrides, else the strategy's own. */
export function ringSettings(strategy: RolloutStrategy, ring: RingName) {
  const o = strategy.rings?.find((r) => r.name === ring);
  return {
    maxConcurrent: o?.maxConcurrent ?? strategy.maxConcurrent,
    bakeTime: o?.bakeTime ?? strategy.bakeTime,
    maxFailures: o?.maxFailures ?? strategy.maxFailures,
  };
}

/** A count or percentage of `total`: percentages round up for concurrency (at least one), down for failures. */
export function countOf(value: string, total: number, round: "up" | "down"): number {
  if (!value.endsWith("%")) return Number(value);
  const share = (Number(value.slice(0, -1)) / 100) * total;
  return round === "up" ? Math.max(1, Math.ceil(share)) : Math.floor(share);
}
