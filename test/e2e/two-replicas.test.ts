// Two operator processes as the chart runs them: the chart's ServiceAccount, leader election, and
// the admission webhook on both behind the chart's Service. The API server calls the webhook at
// one of the Service's endpoints, chosen at random for each call (--enable-aggregator-routing:
// there is no kube-proxy here), so both replicas answer. Every admission request is answered,
// whichever replica takes it, also while the serving certificate in the shared Secret is rotated.
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCertificateAuthority } from "../../operator/src/pki/certificates.ts";
import type { CountingClient } from "../support/clients.ts";
import { waitUntil } from "../support/cluster.ts";
import {
  addEndpoint,
  admit,
  answered,
  type Replica,
  SYSTEM,
  servedSerial,
  startReplica,
  startWebhookCluster,
  stopWebhookCluster,
  WEBHOOK_SECRET,
  waitTenantReady,
} from "../support/webhook-replicas.ts";

let cluster: Awaited<ReturnType<typeof startWebhookCluster>> | undefined;
let admin: CountingClient;
const replicas: Replica[] = [];

beforeAll(async () => {
  cluster = await startWebhookCluster();
  admin = cluster.admin;
  // One after the other: the first creates the shared Secret, the second reads it.
  for (const identity of ["replica-a", "replica-b"]) {
    // A check of the certificates every second, so that a rotation does not take ten minutes.
    const r = await startReplica(identity, cluster.kubeconfig, ["--webhook-certificate-check-seconds=1"]);
    replicas.push(r);
    await addEndpoint(admin, r);
  }
  await waitTenantReady(admin, "utrecht");
}, 180_000);

afterAll(() => stopWebhookCluster(cluster, replicas));

describe("two operator replicas", () => {
  it("elect one leader, and both answer the webhook through the Service", async () => {
    const lease = await admin.client.request<{ spec: { holderIdentity: string } }>(
      "GET",
      `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM}/leases/aihub-operator`,
    );
    expect(["replica-a", "replica-b"]).toContain(lease.spec.holderIdentity);
    const leaders = replicas.filter((r) => r.lines.some((l) => l.msg === "became leader; reconciling"));
    expect(leaders.map((r) => r.identity)).toEqual([lease.spec.holderIdentity]);

    const before = await Promise.all(replicas.map((r) => answered(r, "/validate-blockactivation")));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => admit(admin, i)));
    expect(results.filter((r) => r !== "allowed" && r !== "denied")).toEqual([]);
    expect(results.filter((r) => r === "denied")).toHaveLength(20);
    const after = await Promise.all(replicas.map((r) => answered(r, "/validate-blockactivation")));
    const served = after.map((n, i) => n - (before[i] ?? 0));
    // Each of the 40 reached one replica (at random: both are all but certain to have some).
    expect(served.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
    expect(served.every((n) => n > 0)).toBe(true);
  });

  it("lose no admission request while the serving certificate is rotated", async () => {
    const secret = await admin.client.request<{ data: Record<string, string> }>("GET", WEBHOOK_SECRET);
    const pem = (k: string) => Buffer.from(secret.data[k] ?? "", "base64").toString();
    const servedBefore = await Promise.all(replicas.map(servedSerial));
    expect(servedBefore[1]).toBe(servedBefore[0]);

    // Admission requests without pause, four at a time, until both replicas serve the new certificate.
    let rotated = false;
    const results: string[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = worker; !rotated; i += 4) results.push(await admit(admin, 1000 + i));
      }),
    );
    // As the Secret would be after 340 days: the serving certificate has 10 days left. A replica
    // renews it within a second (30 days before its end), the other takes the renewed one up.
    const ca = await loadCertificateAuthority({ certificate: pem("ca.crt"), privateKey: pem("ca.key") });
    const ending = await ca.issue({
      commonName: `aihub-webhook.${SYSTEM}.svc`,
      dnsNames: [`aihub-webhook.${SYSTEM}.svc`],
      usage: "server",
      validDays: 10,
    });
    await admin.client.request("PATCH", WEBHOOK_SECRET, {
      body: {
        data: {
          "tls.crt": Buffer.from(ending.certificate).toString("base64"),
          "tls.key": Buffer.from(ending.privateKey).toString("base64"),
        },
      },
      contentType: "application/merge-patch+json",
    });
    const renewedSerial = await waitUntil("both replicas to serve the renewed certificate", async () => {
      const s = await admin.client.request<{ data: Record<string, string> }>("GET", WEBHOOK_SECRET);
      const crt = Buffer.from(s.data["tls.crt"] ?? "", "base64").toString();
      if (crt === ending.certificate || crt === pem("tls.crt")) return undefined;
      const serial = new X509Certificate(crt).serialNumber.toUpperCase();
      const served = await Promise.all(replicas.map(servedSerial));
      return served.every((x) => x === serial) ? serial : undefined;
    });
    rotated = true;
    await load;

    expect(renewedSerial).not.toBe(servedBefore[0]);
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => r !== "allowed" && r !== "denied")).toEqual([]);
    // The CA, and so the caBundle the API server trusts, stayed.
    const after = await admin.client.request<{ data: Record<string, string> }>("GET", WEBHOOK_SECRET);
    expect(after.data["ca.crt"]).toBe(secret.data["ca.crt"]);
    for (const r of replicas) expect(r.lines.some((l) => l.msg === "webhook serving certificate renewed")).toBe(true);
  });
});
