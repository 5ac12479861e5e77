// `kubectl aihub` (issue 14) as a real process against a control plane of its own: tables and
// -o json, approve and decline (spec.approvedVersion and spec.declinedVersion change, as the user), rollout pause/resume/abort, exit
// codes for a missing object and a bad flag, and a Utrecht admin (a client certificate, bound as
// the operator binds tenant admins) who cannot approve in Amsterdam's namespace. No operator runs:
// the statuses the plugin reads are written through the status subresource, as the operator
// would write them.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { municipalTenant } from "../../operator/src/api/v1alpha1/index.ts";
import { renderCatalogBinding, renderRoleBindings } from "../../operator/src/controllers/tenant/rbac.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { applyManifests, type Cluster, connect, installCrds, installPolicies } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
const PLUGIN_BIN = resolve("plugin/bin");
const NOW = "2026-11-30T10:00:00Z";

let cp: ControlPlane;
let admin: Cluster;
let dir: string;
/** The admin's kubeconfig, and one of Utrecht's information manager whose context names namespace utrecht. */
let adminConfig: string;
let utrechtConfig: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (the plugin's launcher, or kubectl) to its end, with node and the plugin on PATH. */
function exec(command: string, args: string[], kubeconfig: string): Promise<Run> {
  const PATH = [PLUGIN_BIN, dirname(process.execPath), process.env.PATH ?? ""].join(delimiter);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: { ...process.env, PATH, KUBECONFIG: kubeconfig } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const aihub = (args: string[], kubeconfig = adminConfig) => exec(join(PLUGIN_BIN, "kubectl-aihub"), args, kubeconfig);

const patchStatus = (path: string, status: unknown) =>
  admin.client.request("PATCH", `${path}/status`, {
    body: { status },
    contentType: "application/merge-patch+json",
  });

const condition = (type: string, status: string, reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: NOW,
});

beforeAll(async () => {
  cp = await ControlPlane.start({ controllerManager: false });
  admin = await connect(cp.kubeconfigPath);
  await installCrds(admin);
  await installPolicies(admin);
  const tenants = readManifests("examples/tenants");
  await applyManifests(admin, readManifests("examples/catalog", "examples/tenants", "examples/activations"));

  // What the tenant controller binds: the tenant's admins in their namespace, the catalog cluster-wide.
  for (const t of tenants) {
    const tenant = municipalTenant.parse(t);
    const catalog = renderCatalogBinding(tenant);
    await applyManifests(admin, [...renderRoleBindings(tenant), ...(catalog ? [catalog] : [])]);
  }

  // Statuses as the operator writes them.
  await patchStatus(`${API}/municipaltenants/utrecht`, {
    namespace: "utrecht",
    phase: "Ready",
    conditions: [condition("Ready", "True", "TenantReady", "The namespace, its policies and RBAC are in place.")],
  });
  await patchStatus(`${API}/municipaltenants/amsterdam`, {
    namespace: "amsterdam",
    phase: "Failed",
    conditions: [
      condition("Ready", "False", "NamespaceNotOurs", "namespace amsterdam exists without the tenant label."),
    ],
  });
  await admin.client.request("POST", "/api/v1/namespaces/utrecht/resourcequotas", {
    body: {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "aihub-quota", namespace: "utrecht" },
      spec: { hard: { "count/blockactivations.aihub.gemeenten.nl": "30" } },
    },
  });
  // As kube-controller-manager's quota controller counts them.
  await patchStatus("/api/v1/namespaces/utrecht/resourcequotas/aihub-quota", {
    hard: { "count/blockactivations.aihub.gemeenten.nl": "30" },
    used: { "count/blockactivations.aihub.gemeenten.nl": "2" },
  });
  await patchStatus(`${API}/namespaces/utrecht/blockactivations/pseudonimisering`, {
    currentVersion: "1.2.0",
    availableUpdate: {
      version: "1.3.0",
      releaseDate: "2026-09-22",
      releaseNotes: "IBANs and foreign phone numbers; 30% faster on long documents.",
      fleet: "healthy in 1 activation(s) of ring canary",
    },
  });
  // A rollout of bezwaar-intake 1.4.0 halfway through the early ring, as the operator creates it.
  await admin.client.request("POST", `${API}/blockrollouts`, {
    body: {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockRollout",
      metadata: { name: "bezwaar-intake-1.4.0" },
      spec: { block: "bezwaar-intake", version: "1.4.0", channel: "stable", strategy: {} },
    },
  });
  await patchStatus(`${API}/blockrollouts/bezwaar-intake-1.4.0`, {
    phase: "Progressing",
    currentRing: "early",
    progress: "1/2",
    updated: 1,
    total: 2,
    failed: 0,
    rings: [
      { name: "canary", total: 1, updated: 1, failed: 0, startedAt: NOW, completedAt: NOW },
      { name: "early", total: 1, updated: 0, failed: 0, startedAt: NOW },
    ],
    activations: [
      {
        activation: "amsterdam/bezwaar-intake",
        ring: "canary",
        state: "Healthy",
        previousVersion: "1.3.0",
        movedAt: NOW,
        healthySince: NOW,
      },
      {
        activation: "utrecht/bezwaar-intake",
        ring: "early",
        state: "Updating",
        previousVersion: "1.3.0",
        movedAt: NOW,
      },
    ],
  });

  dir = mkdtempSync(join(tmpdir(), "aihub-plugin-"));
  adminConfig = join(dir, "admin.kubeconfig");
  writeFileSync(adminConfig, cp.kubeconfigFor("aihub-admin", cp.admin), { mode: 0o600 });
  // Utrecht's information manager: a member of the group the tenant names as its admins.
  const credentials = await cp.credentialsFor("j.devries@utrecht.nl", ["gm0344-informatiebeheer"]);
  const config = parse(cp.kubeconfigFor("j.devries", credentials)) as {
    contexts: { context: Record<string, string> }[];
  };
  for (const c of config.contexts) c.context.namespace = "utrecht";
  utrechtConfig = join(dir, "utrecht.kubeconfig");
  writeFileSync(utrechtConfig, stringify(config), { mode: 0o600 });
});

afterAll(async () => {
  admin?.client.close();
  await cp?.stop();
});

const activation = (ns: string, name: string) =>
  admin.client.request<KubeObject & { spec: { approvedVersion?: string } }>(
    "GET",
    `${API}/namespaces/${ns}/blockactivations/${name}`,
  );

describe("kubectl aihub", () => {
  it("is found by kubectl as a plugin and answers --help", async () => {
    const help = await exec("kubectl", ["aihub", "--help"], adminConfig);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage: kubectl aihub COMMAND");
    expect(help.stdout).toContain("Exit codes:");
    const tenants = await exec("kubectl", ["aihub", "tenants"], adminConfig);
    expect(tenants.code, tenants.stderr).toBe(0);
    expect(tenants.stdout).toMatch(/^NAME +MUNICIPALITY +CODE +RING/);
  });

  it("tenants: a table with Ready and its reason, activations and quota; the same as JSON", async () => {
    const table = await aihub(["tenants"]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^NAME +MUNICIPALITY +CODE +RING +NAMESPACE +READY +REASON +ACTIVATIONS +QUOTA$/);
    expect(lines[1]).toMatch(/^amsterdam +Amsterdam +GM0363 +canary +amsterdam +False +NamespaceNotOurs +1 +-$/);
    expect(lines[3]).toMatch(/^utrecht +Utrecht +GM0344 +early +utrecht +True +TenantReady +2 +2\/30$/);
    const json = await aihub(["tenants", "-o", "json"]);
    expect(json.code).toBe(0);
    const utrecht = (JSON.parse(json.stdout) as { tenants: { name: string }[] }).tenants.find(
      (t) => t.name === "utrecht",
    );
    expect(utrecht).toEqual({
      name: "utrecht",
      displayName: "Utrecht",
      municipalityCode: "GM0344",
      ring: "early",
      namespace: "utrecht",
      phase: "Ready",
      ready: { status: "True", reason: "TenantReady", message: "The namespace, its policies and RBAC are in place." },
      activations: 2,
      activationQuota: { used: 2, hard: 30 },
    });
  });

  it("catalog and explain-block: supplier, risk, certification, versions; parameters with bounds", async () => {
    const catalog = await aihub(["catalog"]);
    expect(catalog.code, catalog.stderr).toBe(0);
    expect(catalog.stdout).toMatch(/^NAME +SUPPLIER +COUNTRY +RISK +CERTIFIED UNTIL +STABLE +CANDIDATE\n/);
    expect(catalog.stdout).toMatch(/\nbezwaar-intake +.+ +NL +high +\d{4}-\d\d-\d\d.* +1\.4\.0 +1\.5\.0-rc\.1\n/);
    const yaml = parse((await aihub(["catalog", "-o", "yaml"])).stdout) as { blocks: { name: string }[] };
    expect(yaml.blocks.map((b) => b.name)).toEqual([
      "bezwaar-intake",
      "juridische-ondersteuning",
      "pseudonimisering",
      "transcriptie",
      "uitlegbaarheid",
    ]);
    const explain = await aihub(["explain-block", "pseudonimisering"]);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/strategy +enum +no +pseudonym +mask\|pseudonym\|generalise +How personal data/);
    expect(explain.stdout).toContain("PROCESSING ACTIVITIES OF VERSION 1.3.0:");
    const json = JSON.parse((await aihub(["explain-block", "bezwaar-intake", "-o", "json"])).stdout) as {
      version: string;
      parameters: { name: string; required: boolean }[];
    };
    expect(json.version).toBe("1.4.0");
    expect(json.parameters.length).toBeGreaterThan(0);
  });

  it("updates: versions waiting for approval with their release notes, in the context's namespace or all", async () => {
    const mine = await aihub(["updates"], utrechtConfig);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toMatch(/^ACTIVATION +BLOCK +RUNNING +APPROVED +UPDATE +RELEASED +FLEET\n/);
    expect(mine.stdout).toMatch(/pseudonimisering +pseudonimisering +1\.2\.0 +1\.2\.0 +1\.3\.0 +2026-09-22 +healthy/);
    expect(mine.stdout).toContain("IBANs and foreign phone numbers");
    const all = JSON.parse((await aihub(["updates", "-A", "-o", "json"])).stdout) as { updates: unknown[] };
    expect(all.updates).toEqual([
      {
        namespace: "utrecht",
        activation: "pseudonimisering",
        block: "pseudonimisering",
        channel: "stable",
        currentVersion: "1.2.0",
        approvedVersion: "1.2.0",
        version: "1.3.0",
        releaseDate: "2026-09-22",
        releaseNotes: "IBANs and foreign phone numbers; 30% faster on long documents.",
        fleet: "healthy in 1 activation(s) of ring canary",
      },
    ]);
    const none = await aihub(["updates", "-n", "amsterdam"]);
    expect(none).toEqual({ code: 0, stdout: "", stderr: "No updates waiting for approval in namespace amsterdam.\n" });
  });

  it("exit codes: 1 with the API's message for a missing object, 2 for a bad flag", async () => {
    const missing = await aihub(["approve", "bestaat-niet", "-n", "utrecht"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe(
      'Error from server (NotFound): blockactivations.aihub.gemeenten.nl "bestaat-niet" not found\n',
    );
    const block = await aihub(["explain-block", "bestaat-niet"]);
    expect(block.code).toBe(1);
    expect(block.stderr).toContain('aibuildingblocks.aihub.gemeenten.nl "bestaat-niet" not found');
    const flag = await aihub(["tenants", "--bogus"]);
    expect(flag).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: unknown flag --bogus\nSee 'kubectl aihub --help' for usage.\n",
    });
    const version = await aihub(["approve", "pseudonimisering", "-n", "utrecht", "--version", "9.9.9"]);
    expect(version.code).toBe(1);
    expect(version.stderr).toBe("error: version 9.9.9 is not offered to utrecht/pseudonimisering: offered: 1.3.0\n");
    const automatic = await aihub(["approve", "bezwaar-intake", "-n", "utrecht"]);
    expect(automatic.code).toBe(1);
    expect(automatic.stderr).toMatch(/nothing to approve: utrecht\/bezwaar-intake follows its channel automatically/);
    const context = await aihub(["tenants", "--context", "elsewhere"]);
    expect(context.code).toBe(1);
    expect(context.stderr).toMatch(/context "elsewhere" is not among its contexts/);
  });

  it("a Utrecht admin cannot approve in Amsterdam's namespace: exit 1 with the API's Forbidden", async () => {
    const before = await activation("amsterdam", "transcriptie-raad");
    const r = await aihub(["approve", "transcriptie-raad", "-n", "amsterdam", "--version", "2.1.0"], utrechtConfig);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^Error from server \(Forbidden\): blockactivations\.aihub\.gemeenten\.nl "transcriptie-raad" is forbidden: User "j\.devries@utrecht\.nl" cannot get resource "blockactivations" in API group "aihub\.gemeenten\.nl" in the namespace "amsterdam"/,
    );
    expect((await activation("amsterdam", "transcriptie-raad")).metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
  });

  it("decline: the Utrecht admin declines the update; spec.declinedVersion changes and the approved version stays", async () => {
    const automatic = await aihub(["decline", "bezwaar-intake"], utrechtConfig);
    expect(automatic.code).toBe(1);
    expect(automatic.stderr).toMatch(/nothing to decline: utrecht\/bezwaar-intake follows its channel automatically/);
    const r = await aihub(["decline", "pseudonimisering", "-o", "json"], utrechtConfig);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      namespace: "utrecht",
      activation: "pseudonimisering",
      approvedVersion: "1.2.0",
      declinedVersion: "1.3.0",
    });
    const after = (await activation("utrecht", "pseudonimisering")) as KubeObject & {
      spec: { approvedVersion?: string; declinedVersion?: string };
    };
    expect(after.spec).toMatchObject({ approvedVersion: "1.2.0", declinedVersion: "1.3.0" });
    const again = await aihub(["decline", "pseudonimisering", "--version", "1.3.0"], utrechtConfig);
    expect(again).toMatchObject({
      code: 0,
      stdout: "utrecht/pseudonimisering: version 1.3.0 is already declined; nothing changed\n",
    });
  });

  it("approve: the Utrecht admin approves the update in their own namespace, and spec.approvedVersion changes", async () => {
    const r = await aihub(["approve", "pseudonimisering", "-o", "json"], utrechtConfig);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      namespace: "utrecht",
      activation: "pseudonimisering",
      previousVersion: "1.2.0",
      approvedVersion: "1.3.0",
    });
    const after = await activation("utrecht", "pseudonimisering");
    expect(after.spec.approvedVersion).toBe("1.3.0");
    // The patch was the user's own: the API server's managed fields name their field manager.
    const managers = (after.metadata.managedFields as { manager: string; operation: string }[]).map((m) => m.manager);
    expect(managers).toContain("kubectl-aihub");
    const again = await aihub(["approve", "pseudonimisering", "--version", "1.3.0"], utrechtConfig);
    expect(again).toMatchObject({
      code: 0,
      stdout: "utrecht/pseudonimisering: version 1.3.0 is already approved; nothing changed\n",
    });
  });

  it("rollout status, pause, resume and abort through the BlockRollout's spec", async () => {
    const status = await aihub(["rollout", "status", "bezwaar-intake"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/bezwaar-intake-1\.4\.0 +1\.4\.0 +stable +Progressing +early +1\/2 +0 +false +false/);
    expect(status.stdout).toMatch(/\ncanary +1 +1 +0 +2026-11-30T10:00:00Z +2026-11-30T10:00:00Z/);
    const spec = async () =>
      (
        await admin.client.request<{ spec: { paused: boolean; abort: boolean } }>(
          "GET",
          `${API}/blockrollouts/bezwaar-intake-1.4.0`,
        )
      ).spec;
    expect((await aihub(["rollout", "pause", "bezwaar-intake"])).code).toBe(0);
    expect(await spec()).toMatchObject({ paused: true, abort: false });
    expect((await aihub(["rollout", "resume", "bezwaar-intake"])).code).toBe(0);
    expect(await spec()).toMatchObject({ paused: false });
    const unconfirmed = await aihub(["rollout", "abort", "bezwaar-intake"]);
    expect(unconfirmed.code).toBe(2);
    expect(await spec()).toMatchObject({ abort: false });
    const abort = await aihub(["rollout", "abort", "bezwaar-intake", "--yes", "-o", "json"]);
    expect(abort.code, abort.stderr).toBe(0);
    expect(JSON.parse(abort.stdout)).toEqual({
      rollout: "bezwaar-intake-1.4.0",
      block: "bezwaar-intake",
      version: "1.4.0",
      action: "abort",
      changed: true,
    });
    expect(await spec()).toMatchObject({ abort: true });
    const resume = await aihub(["rollout", "resume", "bezwaar-intake", "--version", "1.4.0"]);
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/was aborted, which cannot be undone/);
    // A Utrecht admin may not touch the fleet's rollouts: the API server's answer, exit 1.
    const tenantPause = await aihub(["rollout", "pause", "bezwaar-intake"], utrechtConfig);
    expect(tenantPause.code).toBe(1);
    expect(tenantPause.stderr).toMatch(/^Error from server \(Forbidden\): /);
  });
});
