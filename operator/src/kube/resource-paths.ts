// Maps apiVersion + kind to REST paths through API discovery, cached per group version.
import type { RestClient } from "./rest-client.ts";

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

interface APIResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
}

/** The path of a kind across all namespaces (or of a cluster-scoped kind), for watch caches. */
export const allNamespacesPath = (apiVersion: string, plural: string) =>
  apiVersion.includes("/") ? `/apis/${apiVersion}/${plural}` : `/api/${apiVersion}/${plural}`;

export class ResourcePaths {
  private readonly client: RestClient;
  private readonly cache = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(client: RestClient) {
    this.client = client;
  }

  /** The resource behind a kind; asks discovery again once when the kind is unknown (a new CRD). */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let info = (await this.discover(apiVersion)).get(kind);
    if (!info) {
      this.cache.delete(apiVersion);
      info = (await this.discover(apiVersion)).get(kind);
    }
    if (!info) throw new Error(`the API server does not serve kind ${kind} in ${apiVersion}; are the CRDs installed?`);
    return info;
  }

  /** The path of the object itself: .../<plural>/<name>. */
  async pathOf(ref: ObjectRef): Promise<string> {
    const name = ref.metadata?.name;
    if (!name) throw new Error(`${ref.kind} without metadata.name`);
    return `${await this.collectionPathOf(ref)}/${encodeURIComponent(name)}`;
  }

  /** The path of the collection the object belongs to (its namespace's, for namespaced kinds). */
  async collectionPathOf(ref: ObjectRef): Promise<string> {
    const info = await this.resolve(ref.apiVersion, ref.kind);
    const base = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = info.namespaced ? `/namespaces/${encodeURIComponent(ref.metadata?.namespace ?? "default")}` : "";
    return `${base}${ns}/${info.plural}`;
  }

  private discover(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let entry = this.cache.get(apiVersion);
    if (!entry) {
      const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      entry = this.client
        .request<APIResourceList>("GET", base)
        .then(
          (list) =>
            new Map(
              list.resources
                .filter((r) => !r.name.includes("/"))
                .map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }] as const),
            ),
        );
      entry.catch(() => this.cache.delete(apiVersion));
      this.cache.set(apiVersion, entry);
    }
    return entry;
  }
}
