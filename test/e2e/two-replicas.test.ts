// Two operator processes as the chart runs them: the chart's ServiceAccount, leader election, and
// the admission webhook on both behind one Service. The API server calls the webhook at one of the
// Service's endpoints, chosen at random for each call (--enable-aggregator-routing: there is no
// kube-proxy here), so both replicas answer. Every admission request is answered by a replica,
// whichever it is, also while the serving certificate in the shared Secret is rotated.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { loadCertificateAuthority } from "../../operator/src/pki/certificates.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { applyManifests, installCrds, installPolicies, waitUntil } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";
import { operatorNodeOptions } from "../support/operator-node-options.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const SYSTEM = "aihub-system";
const SECRET = `/api/v1/namespaces/${SYSTEM}/secrets/aihub-webhook-tls`;

/** The machine's first IPv4 address that is not loopback: an EndpointSlice may not hold 127.0.0.1. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  throw new Error("this test needs a network interface with an IPv4 address other than loopback");
}

type LogLine = Record<string, unknown> & { msg?: string };
interface Replica {
  identity: string;
  proc: ChildProcess;
  lines: LogLine[];
  webhookPort: number;
  metricsPort: number;
}

let cp: ControlPlane;
let admin: CountingClient;
const replicas: Replica[] = [];
const address = hostAddress();

async function startReplica(identity: string, kubeconfig: string): Promise<Replica> {
  const proc = spawn(
    process.execPath,
    [
      ...operatorNodeOptions(),
      "operator/src/main.ts",
      `--kubeconfig=${kubeconfig}`,
      `--identity=${identity}`,
      "--leader-elect=true",
      `--leader-election-namespace=${SYSTEM}`,
      `--webhook-service=${SYSTEM}/aihub-webhook:443`,
      `--webhook-bind-address=${address}:0`,
      // Every second, so that the test sees a rotation without waiting ten minutes.
      "--webhook-certificate-check-seconds=1",
      "--health-probe-bind-address=127.0.0.1:0",
      "--metrics-bind-address=127.0.0.1:0",
      "--metrics-secure=false",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines: LogLine[] = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ msg: line });
    }
  });
  const replica: Replica = { identity, proc, lines, webhookPort: 0, metricsPort: 0 };
  replicas.push(replica);
  const starting = await waitUntil(`${identity} to start`, async () => lines.find((l) => l.msg === "starting"));
  const serving = await waitUntil(`${identity}'s webhook`, async () =>
    lines.find((l) => l.msg === "admission webhook serving"),
  );
  replica.webhookPort = serving.port as number;
  replica.metricsPort = starting.metrics as number;
  return replica;
}

/** controller_runtime_webhook_requests_total of a replica for one webhook path and code. */
async function answered(r: Replica, webhook: string, code = "200"): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${r.metricsPort}/metrics`)).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("controller_runtime_webhook_requests_total{") &&
        l.includes(`webhook="${webhook}"`) &&
        l.includes(`code="${code}"`),
    );
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** The serial number of the certificate a replica serves to a new connection. */
const servedSerial = (r: Replica) =>
  new Promise<string>((resolve, reject) => {
    const req = request(
      { host: address, port: r.webhookPort, path: "/healthz", rejectUnauthorized: false, agent: false },
      (res) => {
        resolve((res.socket as TLSSocket).getPeerCertificate().serialNumber);
        res.resume();
      },
    );
    req.on("error", reject);
    req.end();
  });

beforeAll(async () => {
  cp = await ControlPlane.start();
  admin = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(admin);
  await installPolicies(admin);
  await admin.client.request("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM } },
  });
  // What the chart installs for the webhook: the operator's identity and permissions, the two
  // webhook configurations the operator fills in, and the Service; here without a selector, its
  // endpoints written below as the EndpointSlice controller would for the two pods.
  const rbac = execFileSync(
    "helm",
    ["template", "aihub", "charts/aihub", "-n", SYSTEM, "--show-only", "templates/operator-rbac.yaml"],
    { encoding: "utf8" },
  );
  await applyManifests(
    admin,
    parseAllDocuments(rbac)
      .map((d) => d.toJS() as KubeObject)
      .filter(Boolean),
    { createNamespaces: false },
  );
  for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
    const name = kind.startsWith("Validating") ? "aihub-validation" : "aihub-approvals";
    await admin.client.request("POST", `/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}s`, {
      body: { apiVersion: "admissionregistration.k8s.io/v1", kind, metadata: { name } },
    });
  }
  await admin.client.request("POST", `/api/v1/namespaces/${SYSTEM}/services`, {
    body: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "aihub-webhook", namespace: SYSTEM },
      spec: { ports: [{ name: "https", port: 443, targetPort: "https" }] },
    },
  });
  const token = await admin.client.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${SYSTEM}/serviceaccounts/aihub-operator/token`,
    { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } } },
  );
  const kubeconfig = parse(cp.adminKubeconfigOf(0));
  for (const u of kubeconfig.users) u.user = { token: token.status.token };
  const file = join(cp.dir, "operator-kubeconfig.yaml");
  writeFileSync(file, stringify(kubeconfig));

  // One after the other: the first creates the shared Secret, the second reads it.
  for (const identity of ["replica-a", "replica-b"]) {
    const r = await startReplica(identity, file);
    await admin.client.request("POST", "/apis/discovery.k8s.io/v1/namespaces/aihub-system/endpointslices", {
      body: {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: `aihub-webhook-${identity}`,
          namespace: SYSTEM,
          labels: {
            "kubernetes.io/service-name": "aihub-webhook",
            "endpointslice.kubernetes.io/managed-by": "e2e.aihub.gemeenten.nl",
          },
        },
        addressType: "IPv4",
        endpoints: [{ addresses: [address], conditions: { ready: true } }],
        ports: [{ name: "https", port: r.webhookPort, protocol: "TCP" }],
      },
    });
  }
  await applyManifests(admin, readManifests("examples/catalog", "examples/tenants/utrecht.yaml"));
  await waitUntil("tenant utrecht Ready", async () => {
    const t = await admin.client.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
      "GET",
      `${API}/municipaltenants/utrecht`,
    );
    return t.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? true : undefined;
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.proc.exitCode !== null) return resolve();
          r.proc.once("exit", () => resolve());
          r.proc.kill("SIGTERM");
        }),
    ),
  );
  admin?.client.close();
  await cp?.stop();
});

/** The example activation under another name; invalid with a parameter the block does not take. */
function activation(name: string, valid: boolean): KubeObject {
  const [example] = readManifests("examples/activations/utrecht-bezwaar-intake.yaml") as (KubeObject & {
    spec: { parameters: Record<string, unknown> };
  })[];
  if (!example) throw new Error("the example activation is missing");
  const spec = valid
    ? example.spec
    : { ...example.spec, parameters: { ...example.spec.parameters, nietBestaand: "x" } };
  return { ...example, metadata: { name, namespace: "utrecht" }, spec } as KubeObject;
}

/** One admission: a dry-run create through the API server; the webhook's answer or the failure. */
async function admit(i: number): Promise<"allowed" | "denied" | string> {
  const valid = i % 2 === 0;
  try {
    await admin.client.request("POST", `${API}/namespaces/utrecht/blockactivations`, {
      body: activation(`replica-check-${i}`, valid),
      query: { dryRun: "All" },
    });
    return valid ? "allowed" : "allowed although invalid";
  } catch (err) {
    const message = String(err);
    return !valid && message.includes("nietBestaand") && message.includes("denied the request") ? "denied" : message;
  }
}

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
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => admit(i)));
    expect(results.filter((r) => r !== "allowed" && r !== "denied")).toEqual([]);
    expect(results.filter((r) => r === "denied")).toHaveLength(20);
    const after = await Promise.all(replicas.map((r) => answered(r, "/validate-blockactivation")));
    const served = after.map((n, i) => n - (before[i] ?? 0));
    // Each of the 40 reached one replica (at random: both are all but certain to have some).
    expect(served.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
    expect(served.every((n) => n > 0)).toBe(true);
  });

  it("lose no admission request while the serving certificate is rotated", async () => {
    const secret = await admin.client.request<{ data: Record<string, string> }>("GET", SECRET);
    const pem = (k: string) => Buffer.from(secret.data[k] ?? "", "base64").toString();
    const servedBefore = await Promise.all(replicas.map(servedSerial));
    expect(servedBefore[1]).toBe(servedBefore[0]);

    // Admission requests without pause, four at a time, until both replicas serve the new certificate.
    let rotated = false;
    const results: string[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = worker; !rotated; i += 4) results.push(await admit(1000 + i));
      }),
    );
    // As the Secret would be after 340 days: the serving certificate has 10 days left. A replica
    // renews it within a second (30 days before its end), the other takes the renewed one up.
    const ca = await loadCertificateAuthority({ certificate: pem("ca.crt"), privateKey: pem("ca.key") });
    const ending = await ca.issue({
      commonName: "aihub-webhook.aihub-system.svc",
      dnsNames: ["aihub-webhook.aihub-system.svc"],
      usage: "server",
      validDays: 10,
    });
    await admin.client.request("PATCH", SECRET, {
      body: {
        data: {
          "tls.crt": Buffer.from(ending.certificate).toString("base64"),
          "tls.key": Buffer.from(ending.privateKey).toString("base64"),
        },
      },
      contentType: "application/merge-patch+json",
    });
    const renewedSerial = await waitUntil("both replicas to serve the renewed certificate", async () => {
      const s = await admin.client.request<{ data: Record<string, string> }>("GET", SECRET);
      const crt = Buffer.from(s.data["tls.crt"] ?? "", "base64").toString();
      if (crt === ending.certificate || crt === pem("tls.crt")) return undefined;
      const serial = new (await import("node:crypto")).X509Certificate(crt).serialNumber;
      const served = await Promise.all(replicas.map(servedSerial));
      return served.every((x) => x.toUpperCase() === serial.toUpperCase()) ? serial : undefined;
    });
    rotated = true;
    await load;

    expect(renewedSerial.toUpperCase()).not.toBe(servedBefore[0]?.toUpperCase());
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => r !== "allowed" && r !== "denied")).toEqual([]);
    // The CA, and so the caBundle the API server trusts, stayed.
    const after = await admin.client.request<{ data: Record<string, string> }>("GET", SECRET);
    expect(after.data["ca.crt"]).toBe(secret.data["ca.crt"]);
    for (const r of replicas) expect(r.lines.some((l) => l.msg === "webhook serving certificate renewed")).toBe(true);
  });
});
