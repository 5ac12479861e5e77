// The Helm chart (charts/aihub) with the helm built from helm.sh/helm/v4: it lints, a bad value is
// refused naming the field, `helm install` into a control plane of its own puts the operator's
// pods onto kwok nodes with everything they rely on, `helm upgrade` changes the CRDs and keeps
// what exists, and `helm uninstall` leaves the CRDs and
// with them the municipalities' tenants.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { waitUntil } from "../support/cluster.ts";

let cp: ControlPlane;
let admin: CountingClient;
const helm = (...args: string[]) => spawnSync("helm", args, { encoding: "utf8", timeout: 120_000 });

beforeAll(async () => {
  cp = await ControlPlane.start({ nodes: 2 });
  admin = await countingClient({ file: cp.kubeconfigPath });
}, 120_000);

afterAll(async () => {
  admin?.client.close();
  await cp?.stop();
});

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
const get = <T = Obj>(path: string) => admin.client.request<T>("GET", path);

describe("the Helm chart", () => {
  it("lints, and refuses a bad value naming the field", () => {
    const lint = helm("lint", "charts/aihub");
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    const bad = helm("template", "aihub", "charts/aihub", "--set", "replicas=0", "--set", "image.digest=latest");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("at '/replicas': minimum: got 0, want 1");
    expect(bad.stderr).toContain("at '/image/digest': 'latest' does not match pattern");
  });

  it("installs the operator onto nodes with its CRDs, policies, roles and webhook configurations", async () => {
    const install = helm(
      "install",
      "aihub",
      "charts/aihub",
      "--namespace",
      "aihub-system",
      "--create-namespace",
      "--kubeconfig",
      cp.kubeconfigPath,
    );
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toContain("kubectl -n aihub-system rollout status deployment/aihub-operator");
    // Two replicas, scheduled onto the kwok nodes (kwok runs no image: the operator itself is
    // tested as a process elsewhere).
    const pods = await waitUntil("two operator pods on nodes", async () => {
      const list = await get<{ items: Obj[] }>(
        "/api/v1/namespaces/aihub-system/pods?labelSelector=app.kubernetes.io%2Fname%3Daihub-operator",
      );
      const placed = list.items.filter((p) => (p.spec as { nodeName?: string }).nodeName);
      return placed.length === 2 ? placed : undefined;
    });
    expect(new Set(pods.map((p) => (p.spec as { nodeName: string }).nodeName)).size).toBeGreaterThanOrEqual(1);
    const crds = await get<{ items: Obj[] }>(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=app.kubernetes.io%2Fpart-of%3Daihub",
    );
    expect(crds.items.map((c) => c.metadata.name).sort()).toEqual([
      "aibuildingblocks.aihub.gemeenten.nl",
      "blockactivations.aihub.gemeenten.nl",
      "blockrollouts.aihub.gemeenten.nl",
      "municipaltenants.aihub.gemeenten.nl",
      "rolloutfreezes.aihub.gemeenten.nl",
    ]);
    for (const path of [
      "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/aihub-tenant-deletion-protection",
      "/apis/rbac.authorization.k8s.io/v1/clusterroles/aihub-tenant-admin",
      "/apis/rbac.authorization.k8s.io/v1/clusterroles/aihub-operator",
      "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/aihub-validation",
      "/apis/policy/v1/namespaces/aihub-system/poddisruptionbudgets/aihub-operator",
      "/apis/networking.k8s.io/v1/namespaces/aihub-system/networkpolicies/aihub-operator",
    ]) {
      await get(path);
    }
  });

  it("upgrades the CRDs with the chart, keeping what exists", async () => {
    await admin.client.request("POST", "/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants", {
      body: {
        apiVersion: "aihub.gemeenten.nl/v1alpha1",
        kind: "MunicipalTenant",
        metadata: { name: "blijft" },
        spec: { municipalityCode: "GM0001", displayName: "Blijft" },
      },
    });
    // The next version of the chart, with a field the tenant CRD did not have.
    const next = mkdtempSync(join(tmpdir(), "aihub-chart-"));
    cpSync("charts/aihub", next, { recursive: true });
    const crd = join(next, "files/crds/aihub.gemeenten.nl_municipaltenants.yaml");
    const field = "                deletionProtection:\n";
    writeFileSync(
      crd,
      readFileSync(crd, "utf8").replace(
        field,
        `                contactEmail:\n                  type: string\n                  maxLength: 254\n                  description: Who to mail.\n${field}`,
      ),
    );
    const upgrade = helm("upgrade", "aihub", next, "--namespace", "aihub-system", "--kubeconfig", cp.kubeconfigPath);
    rmSync(next, { recursive: true });
    expect(upgrade.status, upgrade.stderr).toBe(0);
    type Schema = { properties: Record<string, Schema>; type?: string };
    const schema = await get<{ spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } }>(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/municipaltenants.aihub.gemeenten.nl",
    );
    expect(schema.spec.versions[0]?.schema.openAPIV3Schema.properties.spec?.properties.contactEmail).toMatchObject({
      type: "string",
    });
    await waitUntil("the new field to be served", async () =>
      admin.client
        .request("PATCH", "/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants/blijft", {
          body: { spec: { contactEmail: "ict@blijft.nl" } },
          contentType: "application/merge-patch+json",
          query: { fieldValidation: "Strict" },
        })
        .then(
          () => true,
          () => undefined,
        ),
    );
    expect((await get("/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants/blijft")).spec?.displayName).toBe("Blijft");
  });

  it("uninstalls without deleting the CRDs or the tenants", async () => {
    const uninstall = helm("uninstall", "aihub", "--namespace", "aihub-system", "--kubeconfig", cp.kubeconfigPath);
    expect(uninstall.status, uninstall.stderr).toBe(0);
    await waitUntil("the operator's Deployment to be gone", async () =>
      get("/apis/apps/v1/namespaces/aihub-system/deployments/aihub-operator").then(
        () => undefined,
        () => true,
      ),
    );
    await get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/municipaltenants.aihub.gemeenten.nl");
    expect((await get("/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants/blijft")).metadata.name).toBe("blijft");
    expect(execFileSync("helm", ["list", "-A", "--kubeconfig", cp.kubeconfigPath], { encoding: "utf8" })).not.toContain(
      "aihub",
    );
  });
});
