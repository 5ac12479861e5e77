// The catalog controller: keeps each AIBuildingBlock's status (newest version per channel,
// Ready) in step with its spec. Certification checks and activation counts join it in the
// catalog-and-activations issue.
import type { AIBuildingBlock } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ResourcePaths } from "../../kube/resource-paths.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import { writeStatus } from "../../kube/status.ts";
import type { WatchCache } from "../../kube/watch-cache.ts";
import type { Reconciler } from "../../runtime/reconcile.ts";
import { catalogStatus } from "./catalog-status.ts";

export const CATALOG_CONTROLLER = "aibuildingblock";
export const CATALOG_PATH = "/apis/aihub.gemeenten.nl/v1alpha1/aibuildingblocks";

export function catalogReconciler(deps: {
  client: RestClient;
  paths: ResourcePaths;
  blocks: WatchCache<KubeObject>;
  now?: () => Date;
}): Reconciler {
  const now = deps.now ?? (() => new Date());
  return async (key, ctx) => {
    const cached = deps.blocks.get(key);
    if (!cached) return undefined; // deleted: nothing of ours to clean up
    const block = { apiVersion: "aihub.gemeenten.nl/v1alpha1", kind: "AIBuildingBlock", ...cached } as KubeObject &
      AIBuildingBlock & { apiVersion: string; kind: string };
    const status = catalogStatus(block, now());
    const result = await writeStatus(deps.client, deps.paths, block, status);
    if (result.written) ctx.log.info({ latest: status.latestVersions }, "catalog status updated");
    return undefined;
  };
}
