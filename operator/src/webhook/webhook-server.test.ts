// The webhook's HTTPS server on loopback, with a certificate from the project's own CA: it
// answers an AdmissionReview, and refuses to read a body larger than any review can be.
import { request } from "node:https";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../pki/certificates.ts";
import { OperatorMetrics } from "../runtime/metrics.ts";
import { MAX_REVIEW_BYTES, startWebhookServer, type WebhookDeps } from "./webhook-server.ts";

let server: Awaited<ReturnType<typeof startWebhookServer>>;
let ca: string;
let synced = true;
const metrics = new OperatorMetrics();

beforeAll(async () => {
  const authority = await createCertificateAuthority("webhook-test-ca");
  ca = authority.certificate;
  const tls = await authority.issue({ commonName: "127.0.0.1", ipAddresses: ["127.0.0.1"], usage: "server" });
  // Deletes of activations are allowed without a lookup: the caches only say whether they synced.
  const deps = {
    log: pino({ level: "silent" }),
    blocks: { hasSynced: () => true },
    activations: { hasSynced: () => synced },
    metrics,
  } as unknown as WebhookDeps;
  server = await startWebhookServer(deps, tls, "127.0.0.1", 0);
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function post(path: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        method: "POST",
        ca,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", (err) =>
      err.message.includes("EPIPE") || err.message.includes("ECONNRESET") ? undefined : reject(err),
    );
    req.end(body);
  });
}

const review = {
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "u-1",
    operation: "DELETE",
    kind: { group: "aihub.gemeenten.nl", version: "v1alpha1", kind: "BlockActivation" },
  },
};

describe("the webhook server", () => {
  it("answers an AdmissionReview", async () => {
    const res = await post("/validate-blockactivation", Buffer.from(JSON.stringify(review)));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).response).toEqual({ uid: "u-1", allowed: true });
  });

  it("admits nothing before its caches have synced (a version in use could be deleted unseen)", async () => {
    synced = false;
    const res = await post("/validate-blockactivation", Buffer.from(JSON.stringify(review)));
    synced = true;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).response).toMatchObject({
      uid: "u-1",
      allowed: false,
      status: { code: 503, message: expect.stringContaining("has not read the catalog and the activations yet") },
    });
  });

  it("refuses a body larger than any AdmissionReview with 413, without reading it all", async () => {
    const res = await post("/validate-blockactivation", Buffer.alloc(MAX_REVIEW_BYTES + 1024 * 1024, 0x20));
    expect(res.status).toBe(413);
    expect(res.text).toBe("AdmissionReview too large");
  });

  it("counts requests per webhook and status code under controller-runtime's metric names", async () => {
    const count = (webhook: string, code: string) =>
      metrics.sum("controller_runtime_webhook_requests_total", (l) => l.webhook === webhook && l.code === code);
    const before = await count("/validate-blockactivation", "200");
    await post("/validate-blockactivation", Buffer.from(JSON.stringify(review)));
    await post("/nowhere", Buffer.from(JSON.stringify(review)));
    // Counted when the response is done, which the client can see a moment before the server does.
    await expect.poll(() => count("/validate-blockactivation", "200")).toBe(before + 1);
    await expect.poll(() => count("other", "200")).toBe(1);
    expect(await count("/validate-blockactivation", "413")).toBe(1);
    const latency = await metrics.registry.getSingleMetric("controller_runtime_webhook_latency_seconds")?.get();
    expect(
      latency?.values.some((v) => (v as { metricName?: string }).metricName?.endsWith("_count") && v.value > 0),
    ).toBe(true);
  });
});
