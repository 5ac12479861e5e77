// The few requests the plugin makes, through the project's own REST client (operator/src/kube),
// with the user's kubeconfig and context, so that the API server judges every request by the
// user's own identity and RBAC.
import { loadClusterAccess } from "../../operator/src/kube/kubeconfig.ts";
import { RestClient } from "../../operator/src/kube/rest-client.ts";

export const GROUP_PATH = "/apis/aihub.gemeenten.nl/v1alpha1";

export interface Api {
  /** The namespace of the kubeconfig's context, if it names one. */
  readonly contextNamespace: string | undefined;
  get<T>(path: string): Promise<T>;
  list<T>(path: string, query?: Record<string, string>): Promise<T[]>;
  mergePatch<T>(path: string, body: unknown): Promise<T>;
  close(): void;
}

const HEADERS = { "user-agent": "kubectl-aihub" };

export function connect(o: { kubeconfig?: string; context?: string }): Api {
  const access = loadClusterAccess(o.kubeconfig, o.context);
  const client = new RestClient(access, 4);
  return {
    contextNamespace: access.namespace,
    get: (path) => client.request("GET", path, { headers: HEADERS }),
    list: async <T>(path: string, query?: Record<string, string>) =>
      (await client.request<{ items?: T[] }>("GET", path, { headers: HEADERS, ...(query && { query }) })).items ?? [],
    mergePatch: (path, body) =>
      client.request("PATCH", path, { body, contentType: "application/merge-patch+json", headers: HEADERS }),
    close: () => client.close(),
  };
}
