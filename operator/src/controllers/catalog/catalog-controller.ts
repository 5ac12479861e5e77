// The catalog controller: keeps each AIBuildingBlock's status in step: newest version per
// channel, how many activations use it, Certified (certification valid today, EU/EEA supplier,
// images from an allowed registry, versions in order) and Ready.
import { safeParseOnce } from "../../api/parse-once.ts";
import { compareSemver } from "../../api/semver.ts";
import {
  type AIBuildingBlock,
  aiBuildingBlockSpec,
  type BlockRolloutStatus,
  type Condition,
} from "../../api/v1alpha1/index.ts";
import type { EventRecorder } from "../../kube/events.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ObjectRef, ResourcePaths } from "../../kube/resource-paths.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import { writeStatus } from "../../kube/status.ts";
import type { WatchCache } from "../../kube/watch-cache.ts";
import type { Reconciler } from "../../runtime/reconcile.ts";
import { issuesOf } from "../../webhook/validate-block-spec.ts";
import { BY_BLOCK } from "../activation/activation-controller.ts";
import { ROLLOUTS_BY_BLOCK } from "../rollout/fleet-view.ts";
import { isWithdrawn } from "../rollout/rollout-plan.ts";
import { catalogStatus, invalidCatalogStatus, onlyCountDiffers } from "./catalog-status.ts";
import { type CatalogPolicy, catalogGates } from "./certification.ts";

export const CATALOG_CONTROLLER = "aibuildingblock";
export const CATALOG_PATH = "/apis/aihub.gemeenten.nl/v1alpha1/aibuildingblocks";

export function catalogReconciler(deps: {
  client: RestClient;
  paths: ResourcePaths;
  events: EventRecorder;
  blocks: WatchCache<KubeObject>;
  activations: WatchCache<KubeObject>;
  rollouts: WatchCache<KubeObject>;
  policy: CatalogPolicy;
  now?: () => Date;
  /**
   * A change of the activation count alone is written at most this often per block (default
   * 5 s): while a fleet switches a block on, the count changes with every activation, and each
   * write was one more request for the API server and an event for every watcher of the catalog.
   */
  countEveryMs?: number;
}): Reconciler {
  const now = deps.now ?? (() => new Date());
  const countEveryMs = deps.countEveryMs ?? 5000;
  const lastWritten = new Map<string, number>();
  return async (key, ctx) => {
    const cached = deps.blocks.get(key);
    if (!cached) {
      lastWritten.delete(key);
      return undefined; // deleted: nothing of ours to clean up
    }
    const parsed = safeParseOnce(aiBuildingBlockSpec, cached.spec);
    if (!parsed.success) {
      // Accepted by the API server (before the webhook checked blocks, or without it), refused by
      // the schema: say so in status, and let every other block be reconciled.
      const ref = { ...cached, apiVersion: "aihub.gemeenten.nl/v1alpha1", kind: "AIBuildingBlock" } as KubeObject &
        ObjectRef;
      const message = `the catalog entry is invalid, so no version of it is rolled out: ${issuesOf(parsed.error, "spec").join("; ")}`;
      const written = await writeStatus(deps.client, deps.paths, ref, invalidCatalogStatus(cached, message, now()), {
        cache: deps.blocks,
      });
      ctx.log.warn({ reason: "InvalidSpec" }, message);
      // Once per change of what is wrong, as the status says it (not on every resync).
      if (written.written) {
        await deps.events
          .record({ regarding: ref, type: "Warning", reason: "InvalidSpec", action: "Reconcile", note: message })
          .catch((err) => ctx.log.warn({ err: String(err) }, "could not record an event"));
      }
      return undefined;
    }
    const block = {
      ...cached,
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "AIBuildingBlock",
      spec: parsed.data,
    } as KubeObject & AIBuildingBlock & { apiVersion: string; kind: string };
    const today = now();
    const status = catalogStatus(block, today, {
      gate: catalogGates(block, deps.policy, today),
      activations: deps.activations.byIndex(BY_BLOCK, key).length,
      withdrawn: withdrawnVersions(deps.rollouts.byIndex(ROLLOUTS_BY_BLOCK, key)),
    });
    if (block.status && onlyCountDiffers(block.status, status)) {
      const wait = (lastWritten.get(key) ?? 0) + countEveryMs - Date.now();
      if (wait > 0) return { requeueAfterMs: wait };
    }
    const result = await writeStatus(deps.client, deps.paths, block, status, { cache: deps.blocks });
    if (result.written) {
      lastWritten.set(key, Date.now());
      ctx.log.info({ latest: status.latestVersions }, "catalog status updated");
    }
    return undefined;
  };
}

/** The versions whose rollout halted or was aborted, with the rollout's own words. */
export function withdrawnVersions(rollouts: KubeObject[]) {
  return rollouts
    .map((r) => ({
      version: String((r.spec as { version?: string }).version ?? ""),
      status: (r.status ?? {}) as { phase?: BlockRolloutStatus["phase"]; conditions?: Condition[] },
    }))
    .filter((r) => isWithdrawn(r.status.phase))
    .map((r) => {
      const c = r.status.conditions?.find((x) => x.type === "Progressing");
      const ready = r.status.conditions?.find((x) => x.type === "Ready");
      const reason = ready?.reason ?? "FailureThreshold";
      return { version: r.version, reason, message: (c?.message ?? "withdrawn by its fleet rollout").slice(0, 1024) };
    })
    .sort((a, b) => compareSemver(a.version, b.version));
}
