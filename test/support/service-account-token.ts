// A ServiceAccount's token from the TokenRequest API, for an identity of a test, a benchmark or
// `make portal` that a browser form or a process can carry (a client certificate it cannot).
import type { RestClient } from "../../operator/src/kube/rest-client.ts";

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
