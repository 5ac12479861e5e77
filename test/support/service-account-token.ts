// A ServiceAccount's token from the TokenRequest API, for an identity of a test, a benchmark or
// `make portal` that a browser form or a process can carry (a client certificate it cannot).
import type { KubeObject } from "../../operator/src/kube/object.ts";
import type { RestClient } from "../../operator/src/kube/rest-client.ts";
import { applyManifests, type Cluster } from "./cluster.ts";

export async function serviceAccountToken(
  client: RestClient,
  namespace: string,
  name: string,
  expirationSeconds = 3600,
): Promise<string> {
  const answer = await client.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`,
    { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds } } },
  );
  return answer.status.token;
}

/**
 * The portal's public identity, as the chart makes it: a ServiceAccount bound by `binding` to the
 * ClusterRole aihub-portal-public-reader (in the namespace, made when missing); returns its token.
 */
export async function publicReaderToken(
  admin: Cluster,
  namespace: string,
  name: string,
  binding: string,
): Promise<string> {
  await applyManifests(admin, [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: binding },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "aihub-portal-public-reader" },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    } as KubeObject,
  ]);
  return serviceAccountToken(admin.client, namespace, name);
}
