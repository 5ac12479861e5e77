// Server-side apply of plain objects, one field manager per caller.
import type { ObjectRef, ResourcePaths } from "./resource-paths.ts";
import type { RestClient } from "./rest-client.ts";

export interface ApplyOptions {
  fieldManager: string;
  /** Take over fields that other managers own (what a controller wants for its children). */
  force?: boolean;
  dryRun?: boolean;
}

/** Applies `object` (with apiVersion, kind, metadata.name) by server-side apply. */
export async function serverSideApply<T extends ObjectRef>(
  client: RestClient,
  paths: ResourcePaths,
  object: T,
  options: ApplyOptions,
): Promise<T> {
  return client.request<T>("PATCH", await paths.pathOf(object), {
    body: object,
    contentType: "application/apply-patch+yaml",
    query: {
      fieldManager: options.fieldManager,
      force: options.force ?? true,
      dryRun: options.dryRun ? "All" : undefined,
    },
  });
}
