// The operator with the identity the chart installs it with (templates/operator-rbac.yaml, ADR 11): a
// ServiceAccount token from the TokenRequest API, not the admin's certificate. Tenants,
// activations, the webhook, a fleet rollout and a tenant's deletion all work, and the API server
// refuses it nothing; what it must never do is refused (SubjectAccessReview).
import { execFileSync } from "node:child_process";
import type { Server } from "node:https";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import type { Manager } from "../../operator/src/runtime/manager.ts";
import { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { applyManifests, installCrds, installPolicies, waitUntil } from "../support/cluster.ts";
import { buildTestOperator, stopInProcessOperator } from "../support/in-process-operator.ts";
import { readManifests } from "../support/manifests.ts";
import { serveTestWebhook } from "../support/webhook.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const USER = "system:serviceaccount:aihub-system:aihub-operator";
const GROUPS = ["system:serviceaccounts", "system:serviceaccounts:aihub-system", "system:authenticated"];

let cp: ControlPlane;
let admin: CountingClient;
let operatorClient: CountingClient;
let manager: Manager;
let webhook: Server;
/** Every request the API server refused the operator (401 or 403), as method, path and message. */
const refused: string[] = [];

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
const ready = (o: Obj) =>
  (o.status?.conditions as { type: string; status: string }[] | undefined)?.some(
    (c) => c.type === "Ready" && c.status === "True",
  ) ?? false;

beforeAll(async () => {
  cp = await ControlPlane.start({ nodes: 1 });
  admin = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(admin);
  await installPolicies(admin);
  await admin.client.request("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "aihub-system" } },
  });
  // The operator's ServiceAccount and permissions as the chart renders them.
  const rendered = execFileSync(
    "helm",
    ["template", "aihub", "charts/aihub", "-n", "aihub-system", "--show-only", "templates/operator-rbac.yaml"],
    { encoding: "utf8" },
  );
  const rbac = parseAllDocuments(rendered)
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
  await applyManifests(admin, rbac, { createNamespaces: false });
  // The installer creates the two webhook configurations; the operator fills in and keeps current
  // their webhooks and CA bundle (patch, limited to their names: creating any webhook
  // configuration would let it see every request it chose).
  for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
    const name = kind.startsWith("Validating") ? "aihub-validation" : "aihub-approvals";
    await admin.client.request("POST", `/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}s`, {
      body: { apiVersion: "admissionregistration.k8s.io/v1", kind, metadata: { name } },
    });
  }
  const token = await admin.client.request<{ status: { token: string } }>(
    "POST",
    "/api/v1/namespaces/aihub-system/serviceaccounts/aihub-operator/token",
    { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } } },
  );
  // The admin's kubeconfig with the ServiceAccount's token in place of the admin's certificate.
  const kubeconfig = parse(await import("node:fs").then((fs) => fs.readFileSync(cp.kubeconfigPath, "utf8")));
  for (const u of kubeconfig.users) u.user = { token: token.status.token };
  operatorClient = await countingClient({ yaml: stringify(kubeconfig) });
  operatorClient.client.observe((r) => {
    if (r.code === 401 || r.code === 403) refused.push(`${r.method} ${r.path} ${r.code}`);
  });
  const log = pino({ level: "silent" });
  const op = buildTestOperator({
    client: operatorClient.client,
    log,
    metrics: new OperatorMetrics(),
    identity: "e2e-operator-identity",
  });
  manager = op.manager;
  await manager.start();
  // The certificates in the Secret the replicas share, as installed (its permissions are tested too).
  webhook = await serveTestWebhook(operatorClient.client, op.caches, log, {
    namespace: "aihub-system",
    name: "aihub-webhook-tls",
  });
}, 120_000);

afterAll(() => stopInProcessOperator({ webhook, manager, clients: [operatorClient, admin], cp }));

const get = <T = Obj>(path: string) => admin.client.request<T>("GET", path);

describe("the operator with its ServiceAccount", () => {
  it("reconciles tenants, activations, the webhook, a fleet rollout and a deletion, refused nothing", async () => {
    await applyManifests(admin, readManifests("examples/catalog", "examples/tenants"));
    for (const t of readManifests("examples/tenants")) {
      await waitUntil(`tenant ${t.metadata.name} Ready`, async () =>
        ready(await get(`${API}/municipaltenants/${t.metadata.name}`)) ? true : undefined,
      );
    }
    // Through the webhook (registered by the operator with this identity).
    await applyManifests(admin, readManifests("examples/activations/utrecht-bezwaar-intake.yaml"), {
      createNamespaces: false,
    });
    await waitUntil("utrecht/bezwaar-intake Ready", async () =>
      ready(await get(`${API}/namespaces/utrecht/blockactivations/bezwaar-intake`)) ? true : undefined,
    );
    // A new version on the channel: the publisher creates its fleet rollout, which finishes.
    const block = await get<Obj & { spec: { versions: Record<string, unknown>[] } }>(
      `${API}/aibuildingblocks/bezwaar-intake`,
    );
    const newest = block.spec.versions.at(-1) as Record<string, unknown>;
    await admin.client.request("PATCH", `${API}/aibuildingblocks/bezwaar-intake`, {
      body: {
        spec: {
          rollout: { bakeTime: "0s" },
          versions: [
            ...block.spec.versions,
            {
              ...newest,
              version: "9.0.0",
              channel: "stable",
              image: `registry.gemeenten.nl/aihub/bezwaar-intake@sha256:${"9".repeat(64)}`,
              releaseNotes: "Test release.",
            },
          ],
        },
      },
      contentType: "application/merge-patch+json",
    });
    await waitUntil("utrecht/bezwaar-intake on 9.0.0", async () => {
      const a = await get(`${API}/namespaces/utrecht/blockactivations/bezwaar-intake`);
      return a.status?.currentVersion === "9.0.0" && ready(a) ? true : undefined;
    }).catch(async (err) => {
      const b = await get(`${API}/aibuildingblocks/bezwaar-intake`);
      throw new Error(`${err.message}; refused: ${refused.join(", ")}; block status: ${JSON.stringify(b.status)}`);
    });
    // A tenant without deletion protection is deleted with its namespace (finalizer, namespace).
    await admin.client.request("POST", `${API}/municipaltenants`, {
      body: {
        apiVersion: "aihub.gemeenten.nl/v1alpha1",
        kind: "MunicipalTenant",
        metadata: { name: "opgeheven" },
        spec: { municipalityCode: "GM9999", displayName: "Opgeheven", deletionProtection: false },
      },
    });
    await waitUntil("tenant opgeheven Ready", async () =>
      ready(await get(`${API}/municipaltenants/opgeheven`)) ? true : undefined,
    );
    await admin.client.request("DELETE", `${API}/municipaltenants/opgeheven`);
    await waitUntil(
      "tenant opgeheven and its namespace gone",
      async () => {
        const gone = (path: string) =>
          get(path).then(
            () => false,
            () => true,
          );
        return (await gone(`${API}/municipaltenants/opgeheven`)) && (await gone("/api/v1/namespaces/opgeheven"))
          ? true
          : undefined;
      },
      60_000,
    );
    expect(refused).toEqual([]);
  });

  const review = (attributes: Record<string, unknown>) =>
    admin.client
      .request<{ status: { allowed: boolean } }>("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: { user: USER, groups: GROUPS, ...attributes },
        },
      })
      .then((r) => r.status.allowed);
  const resource = (verb: string, res: string, extra: Record<string, string> = {}) => ({
    resourceAttributes: { verb, resource: res, ...extra },
  });

  it.each([
    ["read a Secret", resource("get", "secrets", { namespace: "kube-system", name: "any" })],
    ["read another Secret in its namespace", resource("get", "secrets", { namespace: "aihub-system", name: "other" })],
    ["list Secrets anywhere", resource("list", "secrets")],
    ["read pods or their logs", resource("get", "pods", { subresource: "log", namespace: "utrecht" })],
    ["create a pod", resource("create", "pods", { namespace: "utrecht" })],
    ["exec into a pod", resource("create", "pods", { subresource: "exec", namespace: "utrecht" })],
    [
      "bind cluster-admin",
      resource("bind", "clusterroles", { group: "rbac.authorization.k8s.io", name: "cluster-admin" }),
    ],
    [
      "escalate a ClusterRole",
      resource("escalate", "clusterroles", { group: "rbac.authorization.k8s.io", name: "aihub-tenant-admin" }),
    ],
    ["create a ClusterRole", resource("create", "clusterroles", { group: "rbac.authorization.k8s.io" })],
    ["impersonate a user", resource("impersonate", "users", { name: "admin" })],
    ["read nodes", resource("get", "nodes", { name: "any" })],
    ["change a CRD", resource("update", "customresourcedefinitions", { group: "apiextensions.k8s.io", name: "any" })],
    [
      "request a token for a ServiceAccount",
      resource("create", "serviceaccounts", { subresource: "token", namespace: "kube-system" }),
    ],
    [
      "change another webhook",
      resource("patch", "validatingwebhookconfigurations", { group: "admissionregistration.k8s.io", name: "other" }),
    ],
    [
      "change the admission policies",
      resource("patch", "validatingadmissionpolicies", { group: "admissionregistration.k8s.io", name: "any" }),
    ],
    [
      "take a Lease outside its namespace",
      resource("update", "leases", { group: "coordination.k8s.io", namespace: "kube-system", name: "any" }),
    ],
    // The logging sidecars' queues: the StatefulSet controller makes the claims; nothing of aihub deletes one.
    ["delete a queue claim", resource("delete", "persistentvolumeclaims", { namespace: "utrecht", name: "any" })],
    [
      "create a Deployment (activations run as StatefulSets)",
      resource("create", "deployments", { group: "apps", namespace: "utrecht" }),
    ],
    [
      "change an activation's spec",
      resource("update", "blockactivations", { group: "aihub.gemeenten.nl", namespace: "utrecht", name: "any" }),
    ],
  ])("may not %s", async (_what, attributes) => {
    expect(await review(attributes)).toBe(false);
  });

  it.each([
    [
      "bind the tenant admins' ClusterRole",
      resource("bind", "clusterroles", { group: "rbac.authorization.k8s.io", name: "aihub-tenant-admin" }),
    ],
    [
      "take its Lease",
      resource("update", "leases", { group: "coordination.k8s.io", namespace: "aihub-system", name: "aihub-operator" }),
    ],
    [
      "patch its own webhook",
      resource("patch", "validatingwebhookconfigurations", {
        group: "admissionregistration.k8s.io",
        name: "aihub-validation",
      }),
    ],
  ])("may %s", async (_what, attributes) => {
    expect(await review(attributes)).toBe(true);
  });
});
