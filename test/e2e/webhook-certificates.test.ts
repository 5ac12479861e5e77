// The webhook's certificates shared by replicas through one Secret, against the real API server:
// replicas that start at once agree on one CA and serving certificate; a serving certificate
// near its end is renewed once, with the same CA (the caBundle stays); and a server that takes
// up a new certificate loses no request while it does.
import { request } from "node:https";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadCertificateAuthority } from "../../operator/src/pki/certificates.ts";
import { ensureWebhookTls, type WebhookTls } from "../../operator/src/webhook/webhook-certificates.ts";
import { startWebhookServer, type WebhookDeps } from "../../operator/src/webhook/webhook-server.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";

const NS = "e2e-webhook-tls";
const ref = { namespace: NS, name: "aihub-webhook-tls" };
const names = ["127.0.0.1"];
let admin: CountingClient;

beforeAll(async () => {
  admin = await countingClient({ file: inject("kubeconfig") });
  await admin.client.request("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
  });
});

afterAll(async () => {
  await admin?.client.request("DELETE", `/api/v1/namespaces/${NS}`);
  admin?.client.close();
});

const secretPath = `/api/v1/namespaces/${NS}/secrets/${ref.name}`;

describe("the webhook's shared certificates", () => {
  let first: WebhookTls;

  it("are created once when two replicas start at once, and both serve the same", async () => {
    const [a, b] = await Promise.all([
      ensureWebhookTls(admin.client, ref, names),
      ensureWebhookTls(admin.client, ref, names),
    ]);
    expect(b.ca).toBe(a.ca);
    expect(b.serving.certificate).toBe(a.serving.certificate);
    const secret = await admin.client.request<{ type: string; data: Record<string, string> }>("GET", secretPath);
    expect(secret.type).toBe("kubernetes.io/tls");
    expect(Object.keys(secret.data).sort()).toEqual(["ca.crt", "ca.key", "tls.crt", "tls.key"]);
    first = a;
  });

  it("renew a serving certificate within 30 days of its end once, with the same CA", async () => {
    // As the Secret would be after 340 days: a serving certificate with 10 days left.
    const secret = await admin.client.request<{ data: Record<string, string> }>("GET", secretPath);
    const caKey = Buffer.from(secret.data["ca.key"] ?? "", "base64").toString();
    const ca = await loadCertificateAuthority({ certificate: first.ca, privateKey: caKey });
    const ending = await ca.issue({ commonName: "127.0.0.1", ipAddresses: names, usage: "server", validDays: 10 });
    await admin.client.request("PATCH", secretPath, {
      body: {
        data: {
          "tls.crt": Buffer.from(ending.certificate).toString("base64"),
          "tls.key": Buffer.from(ending.privateKey).toString("base64"),
        },
      },
      contentType: "application/merge-patch+json",
    });
    const [a, b] = await Promise.all([
      ensureWebhookTls(admin.client, ref, names),
      ensureWebhookTls(admin.client, ref, names),
    ]);
    expect(a.ca).toBe(first.ca);
    expect(a.serving.certificate).not.toBe(ending.certificate);
    expect(b.serving.certificate).toBe(a.serving.certificate);
    expect(a.notAfter.getTime() - Date.now()).toBeGreaterThan(300 * 24 * 3600 * 1000);
  });

  it("are taken up by a running server without losing a request", async () => {
    const deps = {
      log: pino({ level: "silent" }),
      blocks: { hasSynced: () => true },
      activations: { hasSynced: () => true },
    } as unknown as WebhookDeps;
    const server = await startWebhookServer(deps, first.serving, "127.0.0.1", 0);
    const next = await ensureWebhookTls(admin.client, ref, names);
    const review = JSON.stringify({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "u",
        operation: "DELETE",
        kind: { group: "aihub.gemeenten.nl", version: "v1alpha1", kind: "BlockActivation" },
      },
    });
    /** One request on a new connection; the status and the serial of the certificate it was served with. */
    const ask = () =>
      new Promise<{ status: number; serial: string }>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port: server.port,
            path: "/validate-blockactivation",
            method: "POST",
            ca: first.ca,
            agent: false,
          },
          (res) => {
            const serial = (res.socket as import("node:tls").TLSSocket).getPeerCertificate().serialNumber;
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, serial }));
          },
        );
        req.on("error", reject);
        req.end(review);
      });
    const before = await ask();
    const during = Array.from({ length: 40 }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 5)).then(() => {
        if (i === 20) server.setSecureContext({ cert: next.serving.certificate, key: next.serving.privateKey });
        return ask();
      }),
    );
    const answers = await Promise.all(during);
    const after = await ask();
    server.close();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(after.serial).not.toBe(before.serial);
  });
});
