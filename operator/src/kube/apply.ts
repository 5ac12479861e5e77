// Server-side apply of plain objects, one field manager per caller.
import { type KubernetesObject, type KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";

/** Applies `object` with server-side apply; `force` takes over fields other managers own. */
export async function serverSideApply<T extends KubernetesObject>(
  api: KubernetesObjectApi,
  object: T,
  fieldManager: string,
  force = true,
): Promise<T> {
  return api.patch(object, undefined, undefined, fieldManager, force, PatchStrategy.ServerSideApply);
}
