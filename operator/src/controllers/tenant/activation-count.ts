// The count of activations in a tenant's quota, written by the operator. kube-controller-manager
// counts a custom resource in a quota only from its first full resync after it discovered the
// kind (every 5 minutes by default), and until then the API server refuses every activation as
// "status unknown for quota". Once kube-controller-manager has counted all the rest, the operator
// writes the count of activations itself, as the API server's quota admission does on each
// create; kube-controller-manager keeps that figure until it counts them itself.

import { isConflict } from "../../kube/api-error.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import { ACTIVATION_COUNT, QUOTA_NAME } from "./quota.ts";

/** How soon a count of activations that met a newer quota is written again (seedActivationCount). */
export const COUNT_AGAIN_MS = 1000;

/**
 * Writes the number of activations in the namespace of `live` (the tenant's quota, as cached) into
 * the quota's status. The write is conditional on the quota's resourceVersion, so a figure is
 * never written over a newer one. False when the quota had changed (409, kube-controller-manager
 * counting the rest at the same moment): no failure, the tenant waits for its count and the count
 * is written again shortly (COUNT_AGAIN_MS).
 */
export async function seedActivationCount(client: RestClient, live: KubeObject): Promise<boolean> {
  const ns = live.metadata.namespace ?? "";
  const list = await client.request<{ items: unknown[] }>(
    "GET",
    `/apis/aihub.gemeenten.nl/v1alpha1/namespaces/${ns}/blockactivations`,
  );
  return client
    .request("PATCH", `/api/v1/namespaces/${ns}/resourcequotas/${QUOTA_NAME}/status`, {
      body: {
        metadata: { resourceVersion: live.metadata.resourceVersion },
        status: { used: { [ACTIVATION_COUNT]: String(list.items.length) } },
      },
      contentType: "application/merge-patch+json",
    })
    .then(
      () => true,
      (err) => (isConflict(err) ? false : Promise.reject(err)),
    );
}
