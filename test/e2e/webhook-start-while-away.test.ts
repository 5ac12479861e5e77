// The operator's admission webhook, started while kube-apiserver is away (restarting, being
// upgraded): its registration waits for the API server, as the caches do, instead of ending the
// operator. Against a control plane of its own, whose API server the test stops and starts.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Operator } from "../../operator/src/operator.ts";
import {
  MUTATING_WEBHOOK_CONFIGURATION,
  WEBHOOK_CONFIGURATION,
} from "../../operator/src/webhook/webhook-configuration.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { waitUntil } from "../support/cluster.ts";
import { serveTestWebhook } from "../support/webhook.ts";

let cp: ControlPlane;
let admin: CountingClient;

beforeAll(async () => {
  cp = await ControlPlane.start({ controllerManager: false });
  admin = await countingClient({ file: cp.kubeconfigPath });
}, 120_000);

afterAll(async () => {
  admin?.client.close();
  await cp?.stop();
});

describe("the admission webhook's start", () => {
  it("waits while kube-apiserver is away and registers once it is back", async () => {
    await cp.stopApiServer();
    const warnings: { msg: string; err: string }[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    // No request reaches these caches: the registration is what is tested.
    const caches = { hasSynced: () => true } as unknown as Operator["caches"]["blocks"];
    const starting = serveTestWebhook(admin.client, { blocks: caches, activations: caches, tenants: caches }, log);
    let ended: unknown;
    starting.catch((err) => {
      ended = err;
    });
    await waitUntil("the registration to be tried again", async () =>
      warnings.filter((w) => w.msg.startsWith("registering the admission webhook")).length >= 2 ? true : undefined,
    );
    expect(ended).toBeUndefined();
    expect(warnings[0]?.err).toMatch(/ECONNREFUSED/);

    await cp.startApiServer();
    const server = await starting;
    try {
      for (const [kind, name] of [
        ["validatingwebhookconfigurations", WEBHOOK_CONFIGURATION],
        ["mutatingwebhookconfigurations", MUTATING_WEBHOOK_CONFIGURATION],
      ]) {
        const configuration = await admin.client.request<{ webhooks: { clientConfig: { url?: string } }[] }>(
          "GET",
          `/apis/admissionregistration.k8s.io/v1/${kind}/${name}`,
        );
        for (const w of configuration.webhooks)
          expect(w.clientConfig.url).toContain(`https://127.0.0.1:${server.port}/`);
      }
    } finally {
      server.close();
    }
  });
});
