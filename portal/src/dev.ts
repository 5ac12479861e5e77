// `make portal`: the portal from source against `make dev`'s control plane (or $KUBECONFIG's
// cluster), on http://127.0.0.1:8090 (make dev's operator has 8080). It sets up what a cluster
// admin would: the portal's public identity (a ServiceAccount bound to aihub-portal-public-reader,
// its token written to a file), and two example people as ServiceAccounts bound to Utrecht's
// tenant roles (admin and viewer) and the catalogue; then prints a token for each to sign in with.
// A browser form cannot carry a client certificate, so tokens it is. Ctrl-C stops the portal.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { applyManifests, connect } from "../../test/support/cluster.ts";
import { readManifests } from "../../test/support/manifests.ts";
import { serviceAccountToken } from "../../test/support/service-account-token.ts";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(
    "make portal: runs the portal against make dev's control plane on http://127.0.0.1:8090 and prints tokens to sign in as Utrecht's admin or viewer.\nEnvironment: KUBECONFIG (else the running make dev), AIHUB_PORTAL_LISTEN (default 127.0.0.1:8090).",
  );
  process.exit(0);
}

const log = (msg: string) => console.log(`[portal] ${msg}`);

/** The kubeconfig of the control plane `make dev` runs: the newest aihub-cp- folder whose owner is dev.ts. */
function devKubeconfig(): string | undefined {
  const dirs = readdirSync(tmpdir())
    .filter((d) => d.startsWith("aihub-cp-"))
    .map((d) => join(tmpdir(), d))
    .filter((d) => existsSync(join(d, "kubeconfig")) && existsSync(join(d, "owner")))
    .filter((d) => {
      try {
        const pid = readFileSync(join(d, "owner"), "utf8").trim();
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("test/controlplane/dev.ts");
      } catch {
        return false;
      }
    })
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return dirs[0] ? join(dirs[0], "kubeconfig") : undefined;
}

const kubeconfig = process.env.KUBECONFIG ?? devKubeconfig();
if (!kubeconfig) {
  console.error("[portal] no cluster: start 'make dev' in another terminal first, or set KUBECONFIG");
  process.exit(1);
}
log(`cluster of ${kubeconfig}`);
const cluster = await connect(kubeconfig);
const NS = "aihub-portal";
const rbac = "rbac.authorization.k8s.io";
const sa = (name: string) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: NS } });
const subject = (name: string) => [{ kind: "ServiceAccount", name, namespace: NS }];
const clusterBinding = (name: string, role: string, who: string) => ({
  apiVersion: `${rbac}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name },
  roleRef: { apiGroup: rbac, kind: "ClusterRole", name: role },
  subjects: subject(who),
});
const binding = (name: string, namespace: string, role: string, who: string) => ({
  apiVersion: `${rbac}/v1`,
  kind: "RoleBinding",
  metadata: { name, namespace },
  roleRef: { apiGroup: rbac, kind: "ClusterRole", name: role },
  subjects: subject(who),
});
await applyManifests(cluster, [
  ...readManifests("charts/aihub/templates/portal-public-reader.yaml"),
  { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
  sa("aihub-portal"),
  sa("utrecht-informatiebeheer"),
  sa("utrecht-auditor"),
  clusterBinding("aihub-portal-public-reader", "aihub-portal-public-reader", "aihub-portal"),
  binding("portal-demo-admin", "utrecht", "aihub-tenant-admin", "utrecht-informatiebeheer"),
  binding("portal-demo-viewer", "utrecht", "aihub-tenant-viewer", "utrecht-auditor"),
  clusterBinding("portal-demo-catalog-admin", "aihub-tenant-user", "utrecht-informatiebeheer"),
  clusterBinding("portal-demo-catalog-viewer", "aihub-tenant-user", "utrecht-auditor"),
] as KubeObject[]);

const token = (name: string, seconds: number) => serviceAccountToken(cluster.client, NS, name, seconds);
const dir = mkdtempSync(join(tmpdir(), "aihub-portal-dev-"));
const publicTokenFile = join(dir, "public-token");
writeFileSync(publicTokenFile, await token("aihub-portal", 86_400), { mode: 0o600 });
const [adminToken, viewerToken] = [
  await token("utrecht-informatiebeheer", 28_800),
  await token("utrecht-auditor", 28_800),
];
cluster.client.close();

const listen = process.env.AIHUB_PORTAL_LISTEN ?? "127.0.0.1:8090";
const portal = spawn(
  process.execPath,
  [
    "portal/src/main.ts",
    `--kubeconfig=${kubeconfig}`,
    `--public-token-file=${publicTokenFile}`,
    `--listen=${listen}`,
    `--base-url=http://${listen}`,
  ],
  { stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => portal.kill(signal));
portal.on("exit", (code) => process.exit(code ?? 0));

console.log(`
The portal: http://${listen}/  (public: http://${listen}/transparantie)

Sign in (valid 8 hours) as Utrecht's information manager (admin):
  ${adminToken}

or as Utrecht's auditor (viewer):
  ${viewerToken}

Press Ctrl-C to stop the portal.
`);
