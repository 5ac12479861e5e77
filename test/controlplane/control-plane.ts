// A real Kubernetes control plane on loopback, the way controller-runtime's envtest runs one:
// etcd, kube-apiserver and (optionally) kube-controller-manager, with generated certificates,
// service-account keys and an admin kubeconfig. Used by vitest's global setup and `make dev`.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { type CertificateAuthority, createCertificateAuthority } from "../../operator/src/pki/certificates.ts";
import { AdminHttp, plainGet } from "./admin-http.ts";
import { controlPlaneBinDir, kwokDir } from "./binaries.ts";
import {
  killRecordedSync,
  type ManagedProcess,
  startProcess,
  stopProcess,
  sweepOrphans,
  tailOfLog,
  WORKDIR_PREFIX,
} from "./processes.ts";

export interface ControlPlaneOptions {
  /** Also run kube-controller-manager (namespace deletion, garbage collection). Default true. */
  controllerManager?: boolean;
  /** Folder with the binaries; default: build or reuse them in ~/.cache/aihub. */
  binDir?: string;
  /** Extra kube-apiserver flags. */
  apiServerArgs?: string[];
  /**
   * Fake nodes: with n > 0, kube-scheduler and kwok also run and n Nodes are created, so that
   * Deployments really roll out and pods become Running and Ready.
   */
  nodes?: number;
  /** How long to wait for readiness. Default 90 s. */
  timeoutMs?: number;
}

export interface Credentials {
  certificate: string;
  privateKey: string;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a small race with other processes remains). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a component's start-up failed because its port was taken (freePort's race). Pure. */
export const portTaken = (message: string): boolean => /bind: address already in use/.test(message);

/** Pods whose block image digest starts with 0bad never become Ready (a failing version, for tests). */
export const FAILING_PODS_STAGE = fileURLToPath(new URL("kwok-failing-pods.yaml", import.meta.url));
export const FAILING_DIGEST_PREFIX = "0bad";

/**
 * For tests only: the control plane's default StorageClass, served by kube-controller-manager's
 * hostPath provisioner (--enable-hostpath-provisioner), so that PersistentVolumeClaims without a
 * class (the logging sidecar's queue, cdk/src/activation/workload.ts) bind as on a real cluster.
 */
export const TEST_STORAGE_CLASS = {
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: {
    name: "aihub-test-hostpath",
    annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
  },
  provisioner: "kubernetes.io/host-path",
  reclaimPolicy: "Delete",
  volumeBindingMode: "Immediate",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Ports = { etcdClient: number; etcdPeer: number; apiServer: number };
type Settings = {
  controllerManager: boolean;
  timeoutMs: number;
  apiServerArgs?: string[];
  nodes: number;
};

export class ControlPlane {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly admin: Credentials;
  private readonly binDir: string;
  private readonly ca: CertificateAuthority;
  private readonly ports: Ports;
  private readonly options: Settings;
  private readonly processes = new Map<string, ManagedProcess>();
  private readonly extraPorts = new Map<number, number>();
  private readonly exitHook = () => killRecordedSync(this.dir);
  private stopped = false;
  private readonly http: AdminHttp;

  private constructor(
    dir: string,
    binDir: string,
    ca: CertificateAuthority,
    admin: Credentials,
    ports: Ports,
    options: Settings,
  ) {
    this.dir = dir;
    this.binDir = binDir;
    this.ca = ca;
    this.admin = admin;
    this.ports = ports;
    this.options = options;
    this.server = `https://127.0.0.1:${ports.apiServer}`;
    this.kubeconfigPath = join(dir, "kubeconfig");
    this.http = new AdminHttp(this.server, ca.certificate, admin);
  }

  /**
   * Starts etcd, kube-apiserver and kube-controller-manager; resolves when /readyz answers ok.
   * Where another process took a port between freePort and the component's bind, starts again on
   * new ports (up to three times in all).
   */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ControlPlane.startOnce(options);
      } catch (err) {
        if (attempt >= 3 || !portTaken((err as Error).message)) throw err;
      }
    }
  }

  private static async startOnce(options: ControlPlaneOptions): Promise<ControlPlane> {
    sweepOrphans();
    const binDir = options.binDir ?? controlPlaneBinDir();
    const dir = mkdtempSync(join(tmpdir(), WORKDIR_PREFIX));
    writeFileSync(join(dir, "owner"), String(process.pid));
    const ca = await createCertificateAuthority("aihub-local-ca");
    const admin = await ca.issue({
      commonName: "aihub-admin",
      organizations: ["system:masters"],
      usage: "client",
    });
    const ports = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiServer: await freePort(),
    };
    const cp = new ControlPlane(dir, binDir, ca, admin, ports, {
      controllerManager: options.controllerManager ?? true,
      timeoutMs: options.timeoutMs ?? 90_000,
      apiServerArgs: options.apiServerArgs,
      nodes: options.nodes ?? 0,
    });
    process.once("exit", cp.exitHook);
    try {
      await cp.writeFiles();
      await cp.startEtcd();
      await cp.startApiServer();
      if (cp.options.controllerManager) await cp.startControllerManager();
      if (cp.options.nodes > 0) await cp.startFakeNodes(cp.options.nodes);
      return cp;
    } catch (err) {
      await cp.stop({ keepDir: true });
      throw new Error(`${(err as Error).message}\n(logs kept in ${dir})`);
    }
  }

  get etcdUrl(): string {
    return `http://127.0.0.1:${this.ports.etcdClient}`;
  }

  private file(name: string): string {
    return join(this.dir, name);
  }

  private async writeFiles(): Promise<void> {
    const serving = await this.ca.issue({
      commonName: "kube-apiserver",
      dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
      ipAddresses: ["127.0.0.1", "10.96.0.1"],
      usage: "server",
    });
    const sa = generateKeyPairSync("ec", {
      namedCurve: "prime256v1",
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "sec1", format: "pem" },
    });
    writeFileSync(this.file("ca.crt"), this.ca.certificate);
    writeFileSync(this.file("apiserver.crt"), serving.certificate);
    writeFileSync(this.file("apiserver.key"), serving.privateKey, {
      mode: 0o600,
    });
    writeFileSync(this.file("sa.pub"), sa.publicKey);
    writeFileSync(this.file("sa.key"), sa.privateKey, { mode: 0o600 });
    writeFileSync(this.kubeconfigPath, this.kubeconfigFor("aihub-admin", this.admin), { mode: 0o600 });
    const scheduler = await this.ca.issue({ commonName: "system:kube-scheduler", usage: "client" });
    writeFileSync(this.file("scheduler.kubeconfig"), this.kubeconfigFor("kube-scheduler", scheduler), { mode: 0o600 });
    const kcm = await this.ca.issue({
      commonName: "system:kube-controller-manager",
      usage: "client",
    });
    writeFileSync(this.file("controller-manager.kubeconfig"), this.kubeconfigFor("kube-controller-manager", kcm), {
      mode: 0o600,
    });
  }

  /** A kubeconfig (YAML) for the given client certificate. */
  kubeconfigFor(user: string, credentials: Credentials, server = this.server): string {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    return stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "aihub-local",
          cluster: {
            server,
            "certificate-authority-data": b64(this.ca.certificate),
          },
        },
      ],
      users: [
        {
          name: user,
          user: {
            "client-certificate-data": b64(credentials.certificate),
            "client-key-data": b64(credentials.privateKey),
          },
        },
      ],
      contexts: [{ name: "aihub-local", context: { cluster: "aihub-local", user } }],
      "current-context": "aihub-local",
    });
  }

  /** Client credentials for a user with the given groups, signed by the cluster's client CA. */
  async credentialsFor(user: string, groups: string[] = []): Promise<Credentials> {
    return this.ca.issue({
      commonName: user,
      organizations: groups,
      usage: "client",
    });
  }

  /** The process id of each running component (etcd, kube-apiserver, ...), for CPU accounting. */
  pids(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, p] of this.processes) if (p.child.pid && p.child.exitCode === null) out.set(name, p.child.pid);
    return out;
  }

  /**
   * The components that are gone although nobody stopped them (a crash, a fatal error), each with
   * how it ended and the end of its log; empty while all run. A component stopped to be restarted
   * (stopApiServer, restartEtcd) counts here until it is started again.
   */
  exited(): { name: string; ended: string; log: string }[] {
    return [...this.processes.values()]
      .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
      .map((p) => ({
        name: p.name,
        ended: p.child.signalCode ? `signal ${p.child.signalCode}` : `exit code ${p.child.exitCode}`,
        log: tailOfLog(p, 20),
      }));
  }

  private launch(name: string, args: string[], binary = name): ManagedProcess {
    const p = startProcess(this.dir, name, binary.startsWith("/") ? binary : join(this.binDir, binary), args);
    this.processes.delete(name); // re-insert: stop() goes through processes in reverse start order
    this.processes.set(name, p);
    return p;
  }

  private async startEtcd(): Promise<void> {
    const client = this.etcdUrl;
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`;
    const p = this.launch("etcd", [
      "--name=default",
      `--data-dir=${this.file("etcd")}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
      "--quota-backend-bytes=8589934592",
    ]);
    await this.waitFor(p, () => plainGet(`${client}/health`).then((body) => body.includes('"health":"true"')));
  }

  /** The URL of API server `instance` (0 is the one in the kubeconfig). */
  serverOf(instance = 0): string {
    const port = instance === 0 ? this.ports.apiServer : this.extraPorts.get(instance);
    if (!port) throw new Error(`no API server instance ${instance}`);
    return `https://127.0.0.1:${port}`;
  }

  /**
   * Starts another kube-apiserver on the same etcd (as in a highly available control plane),
   * so that tests can change objects while the first one is down. Returns its instance number.
   */
  async addApiServer(): Promise<number> {
    const instance = this.extraPorts.size + 1;
    this.extraPorts.set(instance, await freePort());
    await this.startApiServer(instance);
    return instance;
  }

  /** A kubeconfig (YAML) for the admin on API server `instance`. */
  adminKubeconfigOf(instance: number): string {
    return this.kubeconfigFor("aihub-admin", this.admin, this.serverOf(instance));
  }

  private apiServerName(instance: number): string {
    return instance === 0 ? "kube-apiserver" : `kube-apiserver-${instance}`;
  }

  /** Starts kube-apiserver `instance` against the running etcd (also used to restart it in tests). */
  async startApiServer(instance = 0): Promise<void> {
    const server = this.serverOf(instance);
    const p = this.launch(
      this.apiServerName(instance),
      [
        `--etcd-servers=${this.etcdUrl}`,
        `--cert-dir=${this.file("apiserver-certs")}`,
        `--tls-cert-file=${this.file("apiserver.crt")}`,
        `--tls-private-key-file=${this.file("apiserver.key")}`,
        `--client-ca-file=${this.file("ca.crt")}`,
        `--secure-port=${new URL(server).port}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.96.0.0/16",
        // There is no kube-proxy here, so a Service's cluster IP leads nowhere: the API server
        // calls webhooks (and aggregated APIs) at one of the Service's ready endpoints instead.
        "--enable-aggregator-routing=true",
        "--allow-privileged=true",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${this.file("sa.pub")}`,
        `--service-account-signing-key-file=${this.file("sa.key")}`,
        "--v=1",
        ...(this.options.apiServerArgs ?? []),
      ],
      "kube-apiserver",
    );
    await this.waitFor(p, () => this.get("/readyz", server).then((r) => r.status === 200));
  }

  /** Stops kube-apiserver `instance` only (etcd keeps its data); for tests of reconnecting clients. */
  async stopApiServer(instance = 0): Promise<void> {
    const p = this.processes.get(this.apiServerName(instance));
    if (p) await stopProcess(p);
  }

  /** Stops etcd and starts it again on the same data (the API servers keep running and reconnect). */
  async restartEtcd(): Promise<void> {
    const p = this.processes.get("etcd");
    if (p) await stopProcess(p);
    await this.startEtcd();
  }

  /** Compacts etcd's history up to `revision` (a resourceVersion), as the API server does every 5 minutes. */
  async compactEtcd(revision: string): Promise<void> {
    const res = await fetch(`${this.etcdUrl}/v3/kv/compaction`, {
      method: "POST",
      body: JSON.stringify({ revision, physical: true }),
    });
    if (!res.ok) throw new Error(`etcd compaction at ${revision} failed: ${res.status} ${await res.text()}`);
  }

  private async startControllerManager(): Promise<void> {
    const p = this.launch("kube-controller-manager", [
      `--kubeconfig=${this.file("controller-manager.kubeconfig")}`,
      `--authentication-kubeconfig=${this.file("controller-manager.kubeconfig")}`,
      `--authorization-kubeconfig=${this.file("controller-manager.kubeconfig")}`,
      `--service-account-private-key-file=${this.file("sa.key")}`,
      `--root-ca-file=${this.file("ca.crt")}`,
      "--use-service-account-credentials=true",
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=0",
      "--kube-api-qps=200",
      "--kube-api-burst=400",
      "--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-route",
      // For tests only: kube-controller-manager's own provisioner makes a hostPath volume (a folder
      // under /tmp/hostpath_pv) for each claim of TEST_STORAGE_CLASS, so that claims bind and the
      // scheduler places pods that have them (kwok writes nothing into the folders). It is
      // unsupported and single-node; no real cluster runs with it.
      "--enable-hostpath-provisioner=true",
      "--v=1",
    ]);
    // Ready when it has created the service account of its namespace controller.
    await this.waitFor(p, () =>
      this.get("/api/v1/namespaces/kube-system/serviceaccounts/namespace-controller").then((r) => r.status === 200),
    );
    await this.http.send("POST", "/apis/storage.k8s.io/v1/storageclasses", TEST_STORAGE_CLASS, "application/json");
  }

  /** kube-scheduler and kwok, and `count` Nodes that kwok keeps Ready and whose pods it runs. */
  private async startFakeNodes(count: number): Promise<void> {
    const scheduler = this.launch("kube-scheduler", [
      `--kubeconfig=${this.file("scheduler.kubeconfig")}`,
      `--authentication-kubeconfig=${this.file("scheduler.kubeconfig")}`,
      `--authorization-kubeconfig=${this.file("scheduler.kubeconfig")}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${await freePort()}`,
      "--kube-api-qps=200",
      "--kube-api-burst=400",
      "--v=1",
    ]);
    const kwok = kwokDir();
    const launchKwok = async () =>
      this.launch(
        "kwok",
        [
          `--kubeconfig=${this.kubeconfigPath}`,
          `--config=${join(kwok, "stages.yaml")}`,
          `--config=${FAILING_PODS_STAGE}`,
          "--manage-all-nodes=false",
          "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
          "--cidr=10.244.0.0/16",
          "--node-ip=10.0.0.10",
          `--server-address=127.0.0.1:${await freePort()}`,
        ],
        join(kwok, "kwok"),
      );
    let kwokProcess = await launchKwok();
    for (let i = 0; i < count; i++) {
      const name = `kwok-node-${i}`;
      // Room for a whole fleet: kwok runs no real containers, so capacity is only bookkeeping.
      const resources = { cpu: "1000", memory: "4Ti", pods: "2000" };
      await this.http.send(
        "POST",
        "/api/v1/nodes",
        {
          apiVersion: "v1",
          kind: "Node",
          metadata: {
            name,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: {
              "kubernetes.io/hostname": name,
              "kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64",
              type: "kwok",
            },
          },
          status: { capacity: resources, allocatable: resources },
        },
        "application/json",
      );
    }
    await this.waitFor(scheduler, () =>
      this.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases").then((r) => r.status === 200),
    );
    const nodesReady = async () => {
      const nodes = JSON.parse((await this.get("/api/v1/nodes")).body) as {
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      };
      return (
        nodes.items.length >= count &&
        nodes.items.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      );
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.waitFor(kwokProcess, nodesReady);
        break;
      } catch (err) {
        // kwok v0.8.0 sometimes dies while it starts: "fatal error: concurrent map writes" in the
        // CEL setup of its metrics (seen once in about 40 starts). Start it again, twice at most.
        const raced =
          kwokProcess.child.exitCode !== null && tailOfLog(kwokProcess, 100_000).includes("concurrent map writes");
        if (!raced || attempt >= 3) throw err;
        kwokProcess = await launchKwok();
      }
    }
    // The API server taints new nodes not-ready; the node lifecycle controller, which would lift
    // the taint, is off (kwok's fast stages send no heartbeats). Lift it here once kwok made them Ready.
    for (let i = 0; i < count; i++) {
      await this.http.send(
        "PATCH",
        `/api/v1/nodes/kwok-node-${i}`,
        { spec: { taints: null } },
        "application/merge-patch+json",
      );
    }
  }

  /** The folders of the hostPath volumes TEST_STORAGE_CLASS provisioned here (none when the API server is gone). */
  private async hostPathVolumes(): Promise<string[]> {
    const answer = await this.get("/api/v1/persistentvolumes").catch(() => undefined);
    if (answer?.status !== 200) return [];
    const list = JSON.parse(answer.body) as { items: { spec?: { hostPath?: { path?: string } } }[] };
    return list.items
      .map((pv) => pv.spec?.hostPath?.path ?? "")
      .filter((path) => /^\/tmp\/hostpath_pv\/[0-9a-f-]+$/.test(path));
  }

  /** A GET with admin credentials; resolves with status and body. */
  get(path: string, server = this.server): Promise<{ status: number; body: string }> {
    return this.http.get(path, server);
  }

  /** A CPU profile of kube-apiserver over the next `seconds` (pprof format, for `go tool pprof`). */
  apiServerCpuProfile(seconds: number): Promise<Buffer> {
    return this.http.getBytes(`/debug/pprof/profile?seconds=${seconds}`, (seconds + 30) * 1000);
  }

  private async waitFor(p: ManagedProcess, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.options.timeoutMs;
    let exited = false;
    void p.exited.then(() => {
      exited = true;
    });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${p.name} exited during start-up:\n${tailOfLog(p)}`);
      if (await ready().catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${p.name} was not ready within ${this.options.timeoutMs} ms:\n${tailOfLog(p)}`);
  }

  /** Stops every process (controller manager, API server, etcd) and removes the work dir. */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const volumes = await this.hostPathVolumes();
    for (const p of [...this.processes.values()].reverse()) await stopProcess(p);
    // The hostPath provisioner's folders of this control plane's volumes (empty: kwok writes none).
    for (const path of volumes) rmSync(path, { recursive: true, force: true });
    process.removeListener("exit", this.exitHook);
    if (!opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
