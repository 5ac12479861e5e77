// Operator replicas as real processes behind the chart's webhook Service, on a test's own control
// plane: the chart's RBAC, webhook configurations and Service (rendered by helm), the
// ServiceAccount's token, and one EndpointSlice per replica, as the EndpointSlice controller would
// write for the pods. The API server, run with --enable-aggregator-routing, calls the webhook at
// one of those endpoints per request.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TLSSocket } from "node:tls";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "./clients.ts";
import { applyManifests, installCrds, installPolicies, waitUntil } from "./cluster.ts";
import { readManifests } from "./manifests.ts";
import { operatorNodeEnv, operatorNodeOptions } from "./operator-node-options.ts";

export const SYSTEM = "aihub-system";
export const WEBHOOK_SECRET = `/api/v1/namespaces/${SYSTEM}/secrets/aihub-webhook-tls`;

/** The machine's first IPv4 address that is not loopback: an EndpointSlice may not hold 127.0.0.1. */
export function hostAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  throw new Error("these tests need a network interface with an IPv4 address other than loopback");
}

/** The chart rendered with `--set` values, as objects. */
export function renderChart(set: string[] = [], showOnly: string[] = []): KubeObject[] {
  const out = execFileSync(
    "helm",
    [
      "template",
      "aihub",
      "charts/aihub",
      "-n",
      SYSTEM,
      ...set.flatMap((s) => ["--set", s]),
      ...showOnly.flatMap((t) => ["--show-only", t]),
    ],
    { encoding: "utf8" },
  );
  return parseAllDocuments(out)
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
}

/**
 * Installs what the chart installs for the operator's webhook (its ServiceAccount and RBAC, the two
 * webhook configurations, the webhook Service) and returns a kubeconfig file with the
 * ServiceAccount's token, for the replicas.
 */
export async function installWebhookParts(cp: ControlPlane, admin: CountingClient, set: string[] = []) {
  await admin.client.request("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM } },
  });
  const rbac = renderChart(set, ["templates/operator-rbac.yaml"]);
  const webhook = renderChart(set, ["templates/operator.yaml"]).filter(
    (o) => o.kind?.endsWith("WebhookConfiguration") || (o.kind === "Service" && o.metadata.name === "aihub-webhook"),
  );
  await applyManifests(admin, [...rbac, ...webhook], { createNamespaces: false });
  const token = await admin.client.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${SYSTEM}/serviceaccounts/aihub-operator/token`,
    { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } } },
  );
  const kubeconfig = parse(cp.adminKubeconfigOf(0));
  for (const u of kubeconfig.users) u.user = { token: token.status.token };
  const file = join(cp.dir, "operator-kubeconfig.yaml");
  writeFileSync(file, stringify(kubeconfig));
  return file;
}

type LogLine = Record<string, unknown> & { msg?: string };
export interface Replica {
  identity: string;
  proc: ChildProcess;
  lines: LogLine[];
  webhookPort: number;
  metricsPort: number;
}

/**
 * Starts an operator process with the chart's webhook flags, listening on the host's address;
 * `args` are added to the flags. `serving` resolves once its webhook serves.
 */
export function launchReplica(
  identity: string,
  kubeconfig: string,
  args: string[] = [],
): { replica: Replica; serving: Promise<Replica> } {
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
      `--webhook-bind-address=${hostAddress()}:0`,
      "--health-probe-bind-address=127.0.0.1:0",
      "--metrics-bind-address=127.0.0.1:0",
      "--metrics-secure=false",
      ...args,
    ],
    { env: operatorNodeEnv(), stdio: ["ignore", "pipe", "inherit"] },
  );
  const kill = () => proc.kill("SIGKILL");
  process.once("exit", kill);
  proc.once("exit", () => process.removeListener("exit", kill));
  const lines: LogLine[] = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ msg: line });
    }
  });
  const replica: Replica = { identity, proc, lines, webhookPort: 0, metricsPort: 0 };
  const serving = (async () => {
    const starting = await waitUntil(`${identity} to start`, async () => lines.find((l) => l.msg === "starting"));
    replica.metricsPort = starting.metrics as number;
    const line = await waitUntil(`${identity}'s webhook`, async () =>
      lines.find((l) => l.msg === "admission webhook serving"),
    );
    replica.webhookPort = line.port as number;
    return replica;
  })();
  return { replica, serving };
}

/** launchReplica, once its webhook serves. */
export const startReplica = (identity: string, kubeconfig: string, args: string[] = []) =>
  launchReplica(identity, kubeconfig, args).serving;

/** The replica as an endpoint of the webhook Service, ready. */
export async function addEndpoint(admin: CountingClient, r: Replica): Promise<void> {
  await admin.client.request("POST", `/apis/discovery.k8s.io/v1/namespaces/${SYSTEM}/endpointslices`, {
    body: {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: `aihub-webhook-${r.identity}`,
        namespace: SYSTEM,
        labels: {
          "kubernetes.io/service-name": "aihub-webhook",
          "endpointslice.kubernetes.io/managed-by": "e2e.aihub.gemeenten.nl",
        },
      },
      addressType: "IPv4",
      endpoints: [{ addresses: [hostAddress()], conditions: { ready: true } }],
      // The chart's Service calls its port "webhook".
      ports: [{ name: "webhook", port: r.webhookPort, protocol: "TCP" }],
    },
  });
}

/** Stops replicas with SIGTERM and waits for them to exit. */
export async function stopReplicas(replicas: Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.proc.exitCode !== null || r.proc.signalCode !== null) return resolve();
          r.proc.once("exit", () => resolve());
          r.proc.kill("SIGTERM");
        }),
    ),
  );
}

/** controller_runtime_webhook_requests_total of a replica for one webhook path and status code. */
export async function answered(r: Replica, webhook: string, code = "200"): Promise<number> {
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

/** The serial number (upper-case hex) of the certificate a replica serves to a new connection. */
export const servedSerial = (r: Replica) =>
  new Promise<string>((resolve, reject) => {
    const req = request(
      { host: hostAddress(), port: r.webhookPort, path: "/healthz", rejectUnauthorized: false, agent: false },
      (res) => {
        resolve((res.socket as TLSSocket).getPeerCertificate().serialNumber.toUpperCase());
        res.resume();
      },
    );
    req.on("error", reject);
    req.end();
  });

/** The example activation under another name; invalid with a parameter the block does not take. */
function exampleActivation(name: string, valid: boolean): KubeObject {
  const [example] = readManifests("examples/activations/utrecht-bezwaar-intake.yaml") as (KubeObject & {
    spec: { parameters: Record<string, unknown> };
  })[];
  if (!example) throw new Error("the example activation is missing");
  const spec = valid
    ? example.spec
    : { ...example.spec, parameters: { ...example.spec.parameters, nietBestaand: "x" } };
  return { ...example, metadata: { name, namespace: "utrecht" }, spec } as KubeObject;
}

/**
 * One admission through the API server: a dry-run create of an activation in utrecht, valid when
 * `i` is even. "allowed" or "denied" (by the webhook, naming the parameter), else what went wrong.
 */
export async function admit(admin: CountingClient, i: number): Promise<string> {
  const valid = i % 2 === 0;
  try {
    await admin.client.request("POST", "/apis/aihub.gemeenten.nl/v1alpha1/namespaces/utrecht/blockactivations", {
      body: exampleActivation(`replica-check-${i}`, valid),
      query: { dryRun: "All" },
    });
    return valid ? "allowed" : "allowed although invalid";
  } catch (err) {
    const message = String(err);
    return !valid && message.includes("nietBestaand") && message.includes("denied the request") ? "denied" : message;
  }
}

/** Waits until tenant `name` is Ready (its quota counted, so activations can be admitted). */
export const waitTenantReady = (admin: CountingClient, name: string) =>
  waitUntil(`tenant ${name} Ready`, async () => {
    const t = await admin.client.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
      "GET",
      `/apis/aihub.gemeenten.nl/v1alpha1/municipaltenants/${name}`,
    );
    return t.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? true : undefined;
  });

/**
 * A control plane of a test's own with what the webhook replicas need: the CRDs (and `crdDirs`
 * beside them), the admission policies, the chart's webhook parts rendered with `set`, and the
 * example catalog with Utrecht's tenant. `kubeconfig` is the operator's ServiceAccount's.
 */
export async function startWebhookCluster(set: string[] = [], crdDirs: string[] = []) {
  const cp = await ControlPlane.start();
  const admin = await countingClient({ file: cp.kubeconfigPath });
  await installCrds(admin);
  for (const dir of crdDirs) await installCrds(admin, dir);
  await installPolicies(admin);
  const kubeconfig = await installWebhookParts(cp, admin, set);
  await applyManifests(admin, readManifests("examples/catalog", "examples/tenants/utrecht.yaml"));
  return { cp, admin, kubeconfig };
}

/** Stops the replicas, then the cluster of startWebhookCluster. */
export async function stopWebhookCluster(
  cluster: { cp: ControlPlane; admin: CountingClient } | undefined,
  replicas: Replica[],
): Promise<void> {
  await stopReplicas(replicas);
  cluster?.admin.client.close();
  await cluster?.cp.stop();
}
