// The chart's cert-manager path (webhook.certificates=cert-manager), on a control plane of its own:
// - the Issuers and Certificates the chart renders are accepted by cert-manager's real CRDs (from
//   its Go module, github.com/cert-manager/cert-manager, deploy/crds), with strict field
//   validation, so a misspelt field would be refused;
// - the operator, with the chart's RBAC for this mode (it may only read the Secret), waits for the
//   certificate, serves with it, leaves the caBundle to the cainjector, and takes up a renewed
//   certificate without a restart, losing no admission request.
// cert-manager's controller and cainjector are not run here (building them is out of proportion):
// the test writes the Secret and the caBundle as they do, with their field managers.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverSideApply } from "../../operator/src/kube/apply.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import type { ObjectRef } from "../../operator/src/kube/resource-paths.ts";
import { type CertificateAuthority, createCertificateAuthority } from "../../operator/src/pki/certificates.ts";
import type { CountingClient } from "../support/clients.ts";
import { waitUntil } from "../support/cluster.ts";
import {
  addEndpoint,
  admit,
  launchReplica,
  type Replica,
  renderChart,
  SYSTEM,
  servedSerial,
  startReplica,
  startWebhookCluster,
  stopWebhookCluster,
  WEBHOOK_SECRET,
  waitTenantReady,
} from "../support/webhook-replicas.ts";

/** cert-manager's Go module, whose source carries its CRDs. */
const CERT_MANAGER_MODULE = "github.com/cert-manager/cert-manager@v1.21.2";
const BY_CERT_MANAGER = ["webhook.certificates=cert-manager"];
const SERVICE_NAME = `aihub-webhook.${SYSTEM}.svc`;

let cluster: Awaited<ReturnType<typeof startWebhookCluster>> | undefined;
let admin: CountingClient;
let kubeconfig: string;
let ca: CertificateAuthority;
const replicas: Replica[] = [];

/** The folder of cert-manager's CRDs in its module, downloaded through the Go module proxy (cached). */
function certManagerCrds(): string {
  const out = execFileSync("go", ["mod", "download", "-json", CERT_MANAGER_MODULE], {
    encoding: "utf8",
    cwd: tmpdir(),
  });
  return join((JSON.parse(out) as { Dir: string }).Dir, "deploy", "crds");
}

const apply = (o: KubeObject, fieldManager = "e2e") =>
  serverSideApply(admin.client, admin.paths, o as KubeObject & ObjectRef, { fieldManager });

/** What cert-manager's issuing controller writes into the Certificate's Secret. */
async function issue(validDays = 90) {
  const serving = await ca.issue({ commonName: SERVICE_NAME, dnsNames: [SERVICE_NAME], usage: "server", validDays });
  await apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: {
        name: "aihub-webhook-tls",
        namespace: SYSTEM,
        annotations: { "cert-manager.io/certificate-name": "aihub-webhook" },
      },
      data: {
        "ca.crt": Buffer.from(ca.certificate).toString("base64"),
        "tls.crt": Buffer.from(serving.certificate).toString("base64"),
        "tls.key": Buffer.from(serving.privateKey).toString("base64"),
      },
    } as unknown as KubeObject,
    "cert-manager-certificates-issuing",
  );
  return new X509Certificate(serving.certificate).serialNumber.toUpperCase();
}

/** What cert-manager's cainjector does for a configuration with cert-manager.io/inject-ca-from. */
async function injectCaBundle() {
  const caBundle = Buffer.from(ca.certificate).toString("base64");
  for (const [kind, name] of [
    ["ValidatingWebhookConfiguration", "aihub-validation"],
    ["MutatingWebhookConfiguration", "aihub-approvals"],
  ] as const) {
    const path = `/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}s/${name}`;
    const current = await admin.client.request<KubeObject & { webhooks?: { name: string }[] }>("GET", path);
    expect(current.metadata.annotations?.["cert-manager.io/inject-ca-from"]).toBe(`${SYSTEM}/aihub-webhook`);
    await apply(
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind,
        metadata: { name },
        webhooks: (current.webhooks ?? []).map((w) => ({ name: w.name, clientConfig: { caBundle } })),
      } as unknown as KubeObject,
      "cert-manager-cainjector",
    );
  }
}

const caBundles = async () => {
  const v = await admin.client.request<{ webhooks?: { clientConfig: { caBundle?: string } }[] }>(
    "GET",
    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/aihub-validation",
  );
  return (v.webhooks ?? []).map((w) => w.clientConfig.caBundle);
};

beforeAll(async () => {
  cluster = await startWebhookCluster(BY_CERT_MANAGER, [certManagerCrds()]);
  ({ admin, kubeconfig } = cluster);
  ca = await createCertificateAuthority("e2e-cert-manager-ca");
}, 180_000);

afterAll(() => stopWebhookCluster(cluster, replicas));

describe("webhook certificates by cert-manager", () => {
  it("renders Issuers and Certificates that cert-manager's CRDs accept, with an issuer of the chart's or the installer's", async () => {
    const own = renderChart(BY_CERT_MANAGER, ["templates/cert-manager.yaml"]);
    expect(own.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "Certificate/aihub-webhook",
      "Certificate/aihub-webhook-ca",
      "Issuer/aihub-selfsigned",
      "Issuer/aihub-webhook-ca",
    ]);
    for (const o of own) await apply(o);
    const theirs = renderChart(
      [
        ...BY_CERT_MANAGER,
        "webhook.certManager.issuerRef.kind=ClusterIssuer",
        "webhook.certManager.issuerRef.name=gemeente-ca",
      ],
      ["templates/cert-manager.yaml"],
    );
    expect(theirs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Certificate/aihub-webhook"]);
    await apply({
      ...theirs[0],
      metadata: { ...theirs[0]?.metadata, name: "aihub-webhook-by-cluster-issuer" },
    } as KubeObject);
    const served = await admin.client.request<{ spec: Record<string, unknown> }>(
      "GET",
      `/apis/cert-manager.io/v1/namespaces/${SYSTEM}/certificates/aihub-webhook`,
    );
    expect(served.spec).toMatchObject({
      secretName: "aihub-webhook-tls",
      dnsNames: [SERVICE_NAME, `${SERVICE_NAME}.cluster.local`],
    });
    // The check has teeth: a misspelt field is refused by the CRD's schema.
    const misspelt = {
      ...own.find((o) => o.metadata.name === "aihub-webhook"),
      metadata: { name: "misspelt", namespace: SYSTEM },
    };
    (misspelt as unknown as { spec: Record<string, unknown> }).spec = {
      secretName: "x",
      dnsName: ["a"],
      issuerRef: { name: "i" },
    };
    await expect(apply(misspelt as KubeObject)).rejects.toThrow(".spec.dnsName: field not declared in schema");
  });

  it("waits for the certificate, serves with it, and leaves the caBundle to the cainjector", async () => {
    const first = launchReplica("replica-a", kubeconfig, [
      "--webhook-certificates=cert-manager",
      "--webhook-certificate-check-seconds=1",
    ]);
    replicas.push(first.replica);
    // It waits, and makes no Secret of its own (its role may only read that one); the tenants do
    // not wait for the certificate.
    await waitTenantReady(admin, "utrecht");
    await waitUntil("the operator to wait for cert-manager", async () =>
      first.replica.lines.some((l) => l.msg === "waiting for cert-manager to issue the webhook's certificate")
        ? true
        : undefined,
    );
    await expect(admin.client.request("GET", WEBHOOK_SECRET)).rejects.toThrow(/not found/i);
    const serial = await issue();
    const a = await first.serving;
    await addEndpoint(admin, a);
    expect(await servedSerial(a)).toBe(serial);
    // The operator filled in its webhooks without a caBundle; the cainjector adds it.
    expect(await caBundles()).toEqual([undefined, undefined]);
    await injectCaBundle();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => admit(admin, i)));
    expect(results.filter((r) => r !== "allowed" && r !== "denied")).toEqual([]);

    // A second replica fills in the configurations again; the injected caBundle stays.
    const b = await startReplica("replica-b", kubeconfig, [
      "--webhook-certificates=cert-manager",
      "--webhook-certificate-check-seconds=1",
    ]);
    replicas.push(b);
    await addEndpoint(admin, b);
    expect(await caBundles()).toEqual([
      Buffer.from(ca.certificate).toString("base64"),
      Buffer.from(ca.certificate).toString("base64"),
    ]);
    const secret = await admin.client.request<{ metadata: { managedFields?: { manager: string }[] } }>(
      "GET",
      WEBHOOK_SECRET,
    );
    expect(secret.metadata.managedFields?.map((m) => m.manager)).toEqual(["cert-manager-certificates-issuing"]);
  });

  it("takes up a certificate cert-manager renewed, losing no admission request", async () => {
    let renewed = false;
    const results: string[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = worker; !renewed; i += 4) results.push(await admit(admin, 2000 + i));
      }),
    );
    const serial = await issue();
    await waitUntil("both replicas to serve the renewed certificate", async () => {
      const served = await Promise.all(replicas.map(servedSerial));
      return served.every((s) => s === serial) ? true : undefined;
    });
    renewed = true;
    await load;
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => r !== "allowed" && r !== "denied")).toEqual([]);
  });
});
