// Server-side apply with one field manager per controller, and no write when the live object
// (from the watch cache) already matches what would be applied.
//
// "Matches" is two checks. The live object must have every desired field (isSubset), which
// catches drift: someone edited or removed what the operator set. And it must carry the hash of
// the configuration last applied (an annotation), which catches a field the operator no longer
// renders: a subset check alone would find the smaller desired object inside the live one and
// never send the apply that lets server-side apply remove the field.
import { createHash } from "node:crypto";
import { isConflict, isNotFound } from "./api-error.ts";
import { CREATED_ANNOTATION, upgradedManagedFields } from "./created-fields.ts";
import { type ManagedFieldsEntry, removeForeignFields } from "./foreign-fields.ts";
import type { KubeObject } from "./object.ts";
import type { ObjectRef, ResourcePaths } from "./resource-paths.ts";
import type { RestClient } from "./rest-client.ts";
import { isSubset } from "./subset.ts";
import type { NotesWrites } from "./watch-cache.ts";

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
      // A field the schema does not have (a typo in a renderer) fails loudly instead of being dropped.
      fieldValidation: "Strict",
      dryRun: options.dryRun ? "All" : undefined,
    },
  });
}

export interface ApplyResult<T> {
  object: T;
  /** False when the live object already matched and no request was sent (neither a removal nor an apply). */
  written: boolean;
  /**
   * Set by a create: whether the answer has every field as sent, so that the next apply would
   * find it as desired (the API server changed no value, no admission plugin added to a list).
   */
  createdAsSent?: boolean;
}

export const APPLIED_HASH_ANNOTATION = "aihub.gemeenten.nl/applied-config-hash";

/**
 * `desired` with the hash of its own configuration (without this annotation) as an annotation.
 * The hash is of JSON.stringify, so key order counts: the renderers build objects in a fixed
 * order, and a sorted form cost six times as much CPU (about 4 s over a fleet's convergence)
 * to save an apply that only a change of rendering code would cause.
 */
export function withAppliedHash<T extends KubeObject>(desired: T): T {
  const { [APPLIED_HASH_ANNOTATION]: _, ...annotations } = desired.metadata.annotations ?? {};
  const unstamped = {
    ...desired,
    metadata: { ...desired.metadata, annotations: Object.keys(annotations).length ? annotations : undefined },
  };
  const hash = createHash("sha256").update(JSON.stringify(unstamped)).digest("base64url").slice(0, 27);
  return {
    ...desired,
    metadata: { ...desired.metadata, annotations: { ...annotations, [APPLIED_HASH_ANNOTATION]: hash } },
  };
}

/** Applies desired state for one controller (one field manager). */
export class Applier {
  private readonly client: RestClient;
  private readonly paths: ResourcePaths;
  readonly fieldManager: string;

  /** The form in which the cache keeps objects (WatchCache's `transform`), to compare like with like. */
  private readonly compact: (obj: KubeObject) => KubeObject;

  constructor(
    client: RestClient,
    paths: ResourcePaths,
    fieldManager: string,
    compact: (obj: KubeObject) => KubeObject = (o) => o,
  ) {
    this.client = client;
    this.paths = paths;
    this.fieldManager = fieldManager;
    this.compact = compact;
  }

  /**
   * Applies `desired` unless `live` (the cached object, if any) already has every field of it
   * and the hash of this very configuration. Pass the cached object, never one read for the
   * occasion: the point is to send no request. An object this manager created (CREATED_ANNOTATION
   * on `live`, or options.created when it was read instead) has its fields upgraded first.
   */
  async apply<T extends KubeObject & ObjectRef>(
    desired: T,
    live: KubeObject | undefined,
    options: { created?: boolean } = {},
  ): Promise<ApplyResult<T>> {
    // What others added that this manager does not render goes first (the cache keeps their
    // managedFields entries, foreign-fields.ts); a forced apply would leave it in place.
    const removals = removeForeignFields(live, desired, [this.fieldManager]);
    if (removals.length > 0) {
      await this.client.request("PATCH", await this.paths.pathOf(desired), {
        body: removals,
        contentType: "application/json-patch+json",
        query: { fieldManager: this.fieldManager },
      });
    }
    const stamped = withAppliedHash(desired);
    if (live && isSubset(this.compact(stamped), live)) return { object: live as T, written: removals.length > 0 };
    if (options.created || live?.metadata.annotations?.[CREATED_ANNOTATION]) await this.upgradeCreated(desired);
    const object = await serverSideApply(this.client, this.paths, stamped, { fieldManager: this.fieldManager });
    return { object, written: true };
  }

  /**
   * Creates `desired` (a POST, marked with CREATED_ANNOTATION, created-fields.ts) where no object of
   * its name exists; undefined on a 409, which the caller then judges and applies to: mostly one of
   * its name exists, but the quota admission also answers 409 when it could not write the
   * namespace's quota (other creates changed it meanwhile), and then nothing was created; the read
   * in createOrRead finds nothing, and the caller's apply creates it.
   */
  async create<T extends KubeObject & ObjectRef>(desired: T): Promise<ApplyResult<T> | undefined> {
    const stamped = withAppliedHash(desired);
    const marked = {
      ...stamped,
      metadata: { ...stamped.metadata, annotations: { ...stamped.metadata.annotations, [CREATED_ANNOTATION]: "true" } },
    };
    try {
      const object = await this.client.request<T>("POST", await this.paths.collectionPathOf(marked), {
        body: marked,
        query: { fieldManager: this.fieldManager, fieldValidation: "Strict" },
      });
      return { object, written: true, createdAsSent: isSubset(this.compact(stamped), this.compact(object)) };
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }

  /**
   * For an object not in the caller's cache: creates it (create above) and notes the answer in
   * `cache`, so that the next reconcile reads it back instead of creating it again; where
   * something of its name exists, reads that (undefined if it went meanwhile) for the caller to
   * judge before applying, with `marked` when this manager created it (its first apply upgrades it). From the API server's
   * watch cache (resourceVersion 0), not a quorum read of etcd: the answer is as fresh as the
   * apply that follows can rely on anyway.
   */
  async createOrRead<T extends KubeObject & ObjectRef>(
    desired: T,
    cache: NotesWrites | undefined,
  ): Promise<{ created: ApplyResult<T> } | { found: KubeObject | undefined; marked: boolean }> {
    const created = await this.create(desired);
    if (created) {
      cache?.noteWrite(created.object, "");
      return { created };
    }
    const found = await this.client
      .request<KubeObject>("GET", await this.paths.pathOf(desired), { query: { resourceVersion: "0" } })
      .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
    return { found, marked: found?.metadata.annotations?.[CREATED_ANNOTATION] !== undefined };
  }

  /**
   * Before the first apply to an object this manager created: its fields, recorded under an Update
   * entry, become its Apply entry's (created-fields.ts), conditional on the resourceVersion read.
   * Read and written again on 409 (a controller writing the object's status meanwhile), up to
   * five times in all.
   */
  private async upgradeCreated(desired: KubeObject & ObjectRef): Promise<void> {
    const path = await this.paths.pathOf(desired);
    for (let attempt = 1; ; attempt++) {
      const live = await this.client.request<KubeObject>("GET", path);
      const managedFields = upgradedManagedFields(
        (live.metadata.managedFields ?? []) as ManagedFieldsEntry[],
        this.fieldManager,
      );
      if (!managedFields) return;
      try {
        await this.client.request("PATCH", path, {
          body: { metadata: { resourceVersion: live.metadata.resourceVersion, managedFields } },
          contentType: "application/merge-patch+json",
          query: { fieldManager: this.fieldManager },
        });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 5) throw err;
      }
    }
  }
}
