// The portal's part of the Helm chart: off by default (only the public reader ClusterRole, which
// grants nothing unbound), and when enabled a Deployment, Service, ServiceAccount and binding that
// the real API server takes. The binding gives the portal's ServiceAccount exactly the public
// page's reads: the API server's own SubjectAccessReviews say what it may and may not do.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { applyManifests, installCrds, waitUntil } from "../support/cluster.ts";

let cp: ControlPlane;
let admin: CountingClient;

const template = (...set: string[]) => {
  const out = spawnSync(
    "helm",
    ["template", "aihub", "charts/aihub", "--namespace", "aihub-system", ...set.flatMap((s) => ["--set", s])],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (out.status !== 0) throw new Error(out.stderr);
  return parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
};

const portalObjects = (objects: KubeObject[]) =>
  objects.filter(
    (o) =>
      o.metadata?.name?.startsWith("aihub-portal") || o.metadata?.labels?.["app.kubernetes.io/name"] === "aihub-portal",
  );

beforeAll(async () => {
  cp = await ControlPlane.start({ nodes: 1 });
  admin = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(admin);
}, 120_000);

afterAll(async () => {
  admin?.client.close();
  await cp?.stop();
});

describe("the portal in the Helm chart", () => {
  it("is off by default: only the public reader ClusterRole, which grants nothing until bound", () => {
    expect(portalObjects(template()).map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      "ClusterRole/aihub-portal-public-reader",
    ]);
  });

  it("renders its ServiceAccount, binding, Deployment and Service, which the API server takes and schedules", async () => {
    const objects = portalObjects(template("portal.enabled=true", "portal.baseUrl=https://portal.gemeenten.nl"));
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual([
      "ClusterRole/aihub-portal-public-reader",
      "ClusterRoleBinding/aihub-portal-public-reader",
      "Deployment/aihub-portal",
      "Service/aihub-portal",
      "ServiceAccount/aihub-portal",
    ]);
    const deployment = objects.find((o) => o.kind === "Deployment") as KubeObject & {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.args).toEqual([
      "--listen=:8080",
      "--base-url=https://portal.gemeenten.nl",
      "--public-token-file=/var/run/secrets/kubernetes.io/serviceaccount/token",
      "--session-ttl=8h",
      "--max-sessions=5000",
      "--max-watches=2000",
    ]);
    await applyManifests(admin, [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "aihub-system" } },
      ...objects,
    ]);
    await waitUntil("the portal's pod on a node", async () => {
      const pods = await admin.client.request<{ items: { spec: { nodeName?: string } }[] }>(
        "GET",
        "/api/v1/namespaces/aihub-system/pods?labelSelector=app.kubernetes.io%2Fname%3Daihub-portal",
      );
      return pods.items.some((p) => p.spec.nodeName) ? true : undefined;
    });

    // What the portal's own identity may do, as the API server's authorizer answers.
    const may = async (verb: string, resource: string, group: string, namespace?: string) => {
      const review = await admin.client.request<{ status: { allowed: boolean } }>(
        "POST",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        {
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: {
              user: "system:serviceaccount:aihub-system:aihub-portal",
              groups: ["system:serviceaccounts", "system:serviceaccounts:aihub-system", "system:authenticated"],
              resourceAttributes: { verb, resource, group, ...(namespace && { namespace }) },
            },
          },
        },
      );
      return review.status.allowed;
    };
    const G = "aihub.gemeenten.nl";
    for (const [verb, resource] of [
      ["list", "municipaltenants"],
      ["watch", "blockactivations"],
      ["get", "aibuildingblocks"],
    ] as const)
      expect(await may(verb, resource, G), `${verb} ${resource}`).toBe(true);
    for (const [verb, resource, group, ns] of [
      ["patch", "blockactivations", G, "utrecht"],
      ["create", "blockactivations", G, "utrecht"],
      ["list", "blockrollouts", G, undefined],
      ["get", "secrets", "", "utrecht"],
      ["list", "resourcequotas", "", "utrecht"],
      ["update", "municipaltenants", G, undefined],
    ] as const)
      expect(await may(verb, resource, group, ns), `${verb} ${resource}`).toBe(false);
  }, 60_000);
});
