// The API server as one signed-in user sees it: the project's RestClient with only the cluster's
// URL and CA from the kubeconfig (or the pod), and the user's own bearer token. The kubeconfig's
// credentials are dropped here, so nothing the portal does can use any identity but the user's:
// RBAC stays the only authority. It satisfies the kubectl plugin's Api, so the portal runs the
// plugin's own approve and rollout commands.
import { type ClusterAccess, loadClusterAccess } from "../../operator/src/kube/kubeconfig.ts";
import { RestClient } from "../../operator/src/kube/rest-client.ts";
import type { Api } from "../../plugin/src/api.ts";
import type { SessionUser } from "./session-store.ts";

export interface ClusterEndpoint {
  server: string;
  tls: { ca?: string; rejectUnauthorized?: boolean };
}

/** The API server's URL and CA from a kubeconfig (or in-cluster), without any of its credentials. */
export function clusterEndpoint(kubeconfig?: string): ClusterEndpoint {
  const access = loadClusterAccess(kubeconfig);
  return {
    server: access.server,
    tls: {
      ...(access.tls.ca && { ca: access.tls.ca }),
      ...(access.tls.rejectUnauthorized === false && { rejectUnauthorized: false }),
    },
  };
}

export interface UserApi extends Api {
  readonly client: RestClient;
  create<T>(path: string, body: unknown): Promise<T>;
}

const HEADERS = { "user-agent": "aihub-portal" };

/** A client that authenticates every request with `authorization` (the user's token, or the public identity's). */
export function userApi(endpoint: ClusterEndpoint, authorization: () => string, maxSockets = 4): UserApi {
  const access: ClusterAccess = { server: endpoint.server, tls: endpoint.tls, authorization, source: "portal user" };
  const client = new RestClient(access, maxSockets);
  return {
    client,
    contextNamespace: undefined,
    get: (path) => client.request("GET", path, { headers: HEADERS }),
    list: async <T>(path: string, query?: Record<string, string>) =>
      (await client.request<{ items?: T[] }>("GET", path, { headers: HEADERS, ...(query && { query }) })).items ?? [],
    mergePatch: (path, body) =>
      client.request("PATCH", path, { body, contentType: "application/merge-patch+json", headers: HEADERS }),
    create: (path, body) => client.request("POST", path, { body, headers: HEADERS }),
    close: () => client.close(),
  };
}

interface SelfSubjectReview {
  status?: { userInfo?: { username?: string; groups?: string[] } };
}

/** Who a token belongs to, as the API server authenticates it (a SelfSubjectReview); rejects with its ApiError (401). */
export async function whoAmI(api: UserApi): Promise<SessionUser> {
  const review = await api.create<SelfSubjectReview>("/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "SelfSubjectReview",
  });
  const info = review.status?.userInfo;
  return { username: info?.username ?? "", groups: info?.groups ?? [] };
}
