// /metrics over HTTPS against the real API server: a bearer token is checked with a TokenReview and
// its holder with a SubjectAccessReview, as controller-runtime's secure metrics do. Tokens are
// real ServiceAccount tokens (TokenRequest), one granted `get` on /metrics, one not.
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createCertificateAuthority } from "../../operator/src/pki/certificates.ts";
import { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import { startSecureMetricsServer } from "../../operator/src/runtime/secure-metrics.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";

const NS = "e2e-metrics";
let admin: CountingClient;
let server: Awaited<ReturnType<typeof startSecureMetricsServer>>;
let ca: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  admin = await countingClient({ file: inject("kubeconfig") });
  const post = (path: string, body: unknown) =>
    admin.client.request<{ status?: { token?: string } }>("POST", path, { body });
  await post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  for (const name of ["prometheus", "stranger"]) {
    await post(`/api/v1/namespaces/${NS}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name },
    });
    const t = await post(`/api/v1/namespaces/${NS}/serviceaccounts/${name}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 600 },
    });
    tokens[name] = t.status?.token ?? "";
  }
  await post("/apis/rbac.authorization.k8s.io/v1/clusterroles", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "e2e-metrics-reader" },
    rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
  });
  await post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "e2e-metrics-reader" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "e2e-metrics-reader" },
    subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: NS }],
  });
  const authority = await createCertificateAuthority("e2e-metrics-ca");
  ca = authority.certificate;
  const metrics = new OperatorMetrics();
  metrics.reconcileTotal.inc({ controller: "e2e", result: "success" });
  server = await startSecureMetricsServer({
    host: "127.0.0.1",
    port: 0,
    registry: metrics.registry,
    client: admin.client,
    tls: await authority.issue({ commonName: "metrics", ipAddresses: ["127.0.0.1"], usage: "server" }),
  });
});

afterAll(async () => {
  server?.close();
  await admin?.client.request("DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/e2e-metrics-reader");
  await admin?.client.request("DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles/e2e-metrics-reader");
  await admin?.client.request("DELETE", `/api/v1/namespaces/${NS}`);
  admin?.client.close();
});

/** GET /metrics over TLS, trusting only the server's CA; the status code and the body. */
function scrape(token?: string, path = "/metrics"): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        ca,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("secure metrics", () => {
  it("serve the metrics to a ServiceAccount granted get on /metrics", async () => {
    const ok = await scrape(tokens.prometheus);
    expect(ok.code).toBe(200);
    expect(ok.body).toContain('controller_runtime_reconcile_total{controller="e2e",result="success"} 1');
  });

  it("refuse a request without a token, or with one the API server does not know (401)", async () => {
    expect(await scrape()).toMatchObject({ code: 401, body: expect.stringContaining("a bearer token is required") });
    expect(await scrape("not-a-token")).toMatchObject({
      code: 401,
      body: expect.stringContaining("the bearer token is not valid"),
    });
  });

  it("refuse a valid token of someone not allowed, naming them and the grant (403)", async () => {
    const denied = await scrape(tokens.stranger);
    expect(denied.code).toBe(403);
    expect(denied.body).toContain(`system:serviceaccount:${NS}:stranger may not get /metrics`);
    expect(denied.body).not.toContain("controller_runtime");
  });

  it("serve nothing else", async () => {
    expect((await scrape(tokens.prometheus, "/healthz")).code).toBe(404);
  });
});
