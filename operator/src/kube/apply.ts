// Server-side apply with one field manager per controller, and no write when the live object
// (from the watch cache) already matches what would be applied.
import type { KubeObject } from "./object.ts";
import type { ObjectRef, ResourcePaths } from "./resource-paths.ts";
import type { RestClient } from "./rest-client.ts";
import { isSubset } from "./subset.ts";

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

export interface ApplyResult<T> {
  object: T;
  /** False when the live object already matched and no request was sent. */
  written: boolean;
}

/** Applies desired state for one controller (one field manager). */
export class Applier {
  private readonly client: RestClient;
  private readonly paths: ResourcePaths;
  readonly fieldManager: string;

  constructor(client: RestClient, paths: ResourcePaths, fieldManager: string) {
    this.client = client;
    this.paths = paths;
    this.fieldManager = fieldManager;
  }

  /**
   * Applies `desired` unless `live` (the cached object, if any) already has every field of it.
   * Pass the cached object, never one read for the occasion: the point is to send no request.
   */
  async apply<T extends KubeObject & ObjectRef>(desired: T, live: KubeObject | undefined): Promise<ApplyResult<T>> {
    if (live && isSubset(desired, live)) return { object: live as T, written: false };
    const object = await serverSideApply(this.client, this.paths, desired, { fieldManager: this.fieldManager });
    return { object, written: true };
  }
}
