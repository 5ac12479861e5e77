// Which activations a rollout concerns, and how the rollout sees each: its ring, the version it
// runs, whether it is healthy, and whether its municipality accepts an update now. Pure.
import { safeParseOnce } from "../../api/parse-once.ts";
import { compareSemver } from "../../api/semver.ts";
import {
  type AIBuildingBlock,
  type BlockActivation,
  blockActivationSpec,
  type MunicipalTenant,
  type RingName,
} from "../../api/v1alpha1/index.ts";
import { versionLifecycle } from "../activation/version-lifecycle.ts";
import type { RolloutTarget } from "./rollout-plan.ts";
import { inMaintenanceWindow } from "./windows.ts";

type Channel = "stable" | "candidate";

/**
 * Whether an activation on `spec` follows the rollout of `version` on `channel` automatically:
 * Automatic, not pinned, on that channel, or on candidate when the version is stable and the
 * candidate channel has nothing newer (it falls back to stable, as latestVersions does).
 */
export function followsRollout(
  spec: BlockActivation["spec"],
  rollout: { channel: Channel; version: string },
  block: AIBuildingBlock,
): boolean {
  if (spec.updatePolicy === "Manual" || spec.version) return false;
  const channel = spec.channel ?? "stable";
  if (channel === rollout.channel) return true;
  if (channel !== "candidate" || rollout.channel !== "stable") return false;
  return !block.spec.versions.some(
    (v) => (v.channel ?? "stable") === "candidate" && compareSemver(v.version, rollout.version) > 0,
  );
}

interface ActivationLike {
  metadata: { name?: string; namespace?: string; generation?: number };
  spec?: unknown;
  status?: unknown;
}

/** How the rollout sees one activation, or undefined when it does not follow the rollout. */
export function rolloutTarget(
  activation: ActivationLike,
  tenant: Pick<MunicipalTenant, "spec"> | undefined,
  rollout: { channel: Channel; version: string },
  block: AIBuildingBlock,
  now: Date,
): RolloutTarget | undefined {
  const parsed = safeParseOnce(blockActivationSpec, activation.spec);
  if (!parsed.success) return undefined;
  const status = (activation.status ?? {}) as NonNullable<BlockActivation["status"]>;
  // A Manual activation whose approved version is past its end of life and notice moves like an Automatic one.
  const approved = parsed.data.approvedVersion;
  const expired =
    parsed.data.updatePolicy === "Manual" &&
    !parsed.data.version &&
    approved !== undefined &&
    versionLifecycle(block, approved, now).state === "Expired";
  const spec = expired ? { ...parsed.data, updatePolicy: "Automatic" as const } : parsed.data;
  if (!followsRollout(spec, rollout, block)) return undefined;
  const ready = status.conditions?.find((c) => c.type === "Ready");
  const current = status.observedGeneration === activation.metadata.generation;
  const isReady = current && ready?.status === "True" && ready.observedGeneration === activation.metadata.generation;
  return {
    key: `${activation.metadata.namespace}/${activation.metadata.name}`,
    ring: (tenant?.spec.rolloutRing ?? "general") as RingName,
    ...(status.currentVersion && { running: status.currentVersion }),
    ready: isReady,
    ...(isReady && ready?.lastTransitionTime && { readySince: ready.lastTransitionTime }),
    ...(status.lastHealthyVersion && { lastHealthyVersion: status.lastHealthyVersion }),
    ...(!isReady && ready?.message && { notReadyMessage: ready.message }),
    inWindow: inMaintenanceWindow(tenant?.spec.maintenanceWindows, now),
  };
}
