// Adding and removing a finalizer with a JSON patch that tests the current list first, so
// that a concurrent change of the finalizers by someone else is never overwritten.
import type { KubeObject } from "./object.ts";
import type { ObjectRef, ResourcePaths } from "./resource-paths.ts";
import type { RestClient } from "./rest-client.ts";
import type { NotesWrites } from "./watch-cache.ts";

export const hasFinalizer = (obj: KubeObject, finalizer: string) =>
  obj.metadata.finalizers?.includes(finalizer) ?? false;

async function patchFinalizers(
  client: RestClient,
  paths: ResourcePaths,
  obj: KubeObject & ObjectRef,
  next: string[],
): Promise<KubeObject> {
  const current = obj.metadata.finalizers;
  const ops = current
    ? [
        { op: "test", path: "/metadata/finalizers", value: current },
        { op: "replace", path: "/metadata/finalizers", value: next },
      ]
    : [{ op: "add", path: "/metadata/finalizers", value: next }];
  return client.request<KubeObject>("PATCH", await paths.pathOf(obj), {
    body: ops,
    contentType: "application/json-patch+json",
  });
}

/**
 * Adds `finalizer` unless present; returns the object as the API server has it (or as given).
 * With `cache` (the one `obj` was read from), the answer is noted in it (WatchCache.noteWrite), so
 * that a reconcile before the cache's watch brings it does not add the finalizer again.
 */
export async function addFinalizer(
  client: RestClient,
  paths: ResourcePaths,
  obj: KubeObject & ObjectRef,
  finalizer: string,
  cache?: NotesWrites,
): Promise<KubeObject> {
  if (hasFinalizer(obj, finalizer)) return obj;
  const answer = await patchFinalizers(client, paths, obj, [...(obj.metadata.finalizers ?? []), finalizer]);
  const replaced = obj.metadata.resourceVersion;
  if (cache && replaced && answer?.metadata) cache.noteWrite(answer, replaced);
  return answer;
}

/** Removes `finalizer` if present. */
export async function removeFinalizer(
  client: RestClient,
  paths: ResourcePaths,
  obj: KubeObject & ObjectRef,
  finalizer: string,
): Promise<KubeObject> {
  if (!hasFinalizer(obj, finalizer)) return obj;
  return patchFinalizers(
    client,
    paths,
    obj,
    (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer),
  );
}
