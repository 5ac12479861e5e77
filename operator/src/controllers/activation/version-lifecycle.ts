// Where a version stands in its life: supported, deprecated, past its end of life (with notice),
// or expired (past end of life and the notice period), when even a Manual activation is moved to
// the newest version through the fleet rollout. Pure: the clock is passed in.
import type { AIBuildingBlock } from "../../api/v1alpha1/index.ts";

export type Lifecycle = { state: "Supported" } | { state: "Deprecated" | "EndOfLife" | "Expired"; message: string };

const DAY_MS = 86_400_000;

export function versionLifecycle(block: AIBuildingBlock, version: string, now: Date): Lifecycle {
  const v = block.spec.versions.find((x) => x.version === version);
  if (!v) return { state: "Supported" };
  const notice = block.spec.endOfLifeNoticeDays ?? 30;
  if (v.endOfLife) {
    // The end-of-life day itself is still supported: it ends at the end of that day (UTC).
    const end = Date.parse(`${v.endOfLife}T00:00:00Z`) + DAY_MS;
    const moveAt = end + notice * DAY_MS;
    if (now.getTime() >= moveAt) {
      return {
        state: "Expired",
        message: `version ${version} reached its end of life on ${v.endOfLife} and the ${notice}-day notice has passed: the activation moves to the newest version through the fleet rollout`,
      };
    }
    if (now.getTime() >= end) {
      const day = new Date(moveAt).toISOString().slice(0, 10);
      return {
        state: "EndOfLife",
        message: `version ${version} reached its end of life on ${v.endOfLife}; approve a newer version before ${day}, when it is moved to the newest version`,
      };
    }
  }
  if (v.deprecated || v.endOfLife) {
    return {
      state: "Deprecated",
      message: `version ${version} is deprecated${v.endOfLife ? ` (end of life ${v.endOfLife})` : ""}: move to a newer version`,
    };
  }
  return { state: "Supported" };
}
