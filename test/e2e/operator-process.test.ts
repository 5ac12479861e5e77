// The operator as a person runs it (`make run`): a process with JSON logs, health and metrics
// endpoints, that reconciles the catalog and drains on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { type CountingClient, countingClient } from "../support/clients.ts";
import { applyManifests, installCrds, waitUntil } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";
import { mirrorController } from "../support/mirror-controller.ts";
import { operatorNodeEnv, operatorNodeOptions } from "../support/operator-node-options.ts";

let admin: CountingClient;

beforeAll(async () => {
  admin = await countingClient({ file: inject("kubeconfig") });
  await installCrds(admin);
});

afterAll(() => admin?.client.close());

type LogLine = Record<string, unknown> & { msg?: string; level?: string };

function startOperator(): { proc: ChildProcess; lines: LogLine[]; exited: Promise<number | null> } {
  const proc = spawn(
    process.execPath,
    [
      // With the V8 flags it ships with: a flag a new Node no longer knows would stop it here.
      ...operatorNodeOptions(),
      "operator/src/main.ts",
      "--health-probe-bind-address=127.0.0.1:0",
      "--metrics-bind-address=127.0.0.1:0",
      "--metrics-secure=false",
      "--resync-period-seconds=10",
    ],
    { env: { ...operatorNodeEnv(), KUBECONFIG: inject("kubeconfig") }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines: LogLine[] = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ msg: line, level: "unparsed" });
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, lines, exited };
}

describe("the operator process", () => {
  it("serves health and metrics, reconciles the catalog with structured logs, and exits cleanly on SIGTERM", async () => {
    const op = startOperator();
    try {
      const starting = await waitUntil("the starting log line", async () => op.lines.find((l) => l.msg === "starting"));
      const health = `http://127.0.0.1:${starting.health}`;
      const metrics = `http://127.0.0.1:${starting.metrics}`;
      expect((await fetch(`${health}/healthz`)).status).toBe(200);
      await waitUntil("/readyz", async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined));

      await applyManifests(admin, readManifests("examples/catalog"));
      const block = await waitUntil("the catalog status", async () => {
        const b = await admin.client.request<KubeObject & { status?: { latestVersions?: Record<string, string> } }>(
          "GET",
          "/apis/aihub.gemeenten.nl/v1alpha1/aibuildingblocks/bezwaar-intake",
        );
        return b.status?.latestVersions?.stable ? b : undefined;
      });
      expect(block.status?.latestVersions).toEqual({ stable: "1.4.0", candidate: "1.5.0-rc.1" });

      const reconcileLog = await waitUntil("a reconcile log line", async () =>
        op.lines.find((l) => l.msg === "catalog status updated" && l.name === "bezwaar-intake"),
      );
      expect(reconcileLog).toMatchObject({ level: "info", controller: "aibuildingblock", kind: "AIBuildingBlock" });
      expect(reconcileLog.reconcileID).toMatch(/^[0-9a-f-]{36}$/);

      const text = await (await fetch(`${metrics}/metrics`)).text();
      expect(text).toMatch(/controller_runtime_reconcile_total\{controller="aibuildingblock",result="success"\} [1-9]/);
      expect(text).toMatch(/rest_client_requests_total\{code="200",method="GET",host="127\.0\.0\.1:\d+"\}/);
      expect(text).toContain('workqueue_depth{name="aibuildingblock",controller="aibuildingblock"}');

      op.proc.kill("SIGTERM");
      expect(await op.exited).toBe(0);
      expect(op.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["draining in-flight reconciles", "stopped"]));
      expect(op.lines.filter((l) => l.level === "unparsed")).toEqual([]);
    } finally {
      op.proc.kill("SIGKILL");
    }
  });

  it("refuses a bad configuration with a message that names the flag and the variable", async () => {
    const proc = spawn(process.execPath, ["operator/src/main.ts", "--workers=lots"], {
      env: { ...process.env, KUBECONFIG: inject("kubeconfig") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr?.on("data", (c) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--workers (AIHUB_WORKERS): expected a whole number from 1 to 64, got "lots"');
  });

  it("drains a reconcile that is in flight when it is told to stop", async () => {
    const ns = `drain-${randomUUID().slice(0, 8)}`;
    await admin.client.request("POST", "/api/v1/namespaces", {
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    });
    const c = await countingClient({ file: inject("kubeconfig") });
    const m = mirrorController({ client: c.client, namespace: ns, reconcileDelayMs: 1500 });
    await m.manager.start();
    await admin.client.request("POST", `/api/v1/namespaces/${ns}/configmaps`, {
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "slow", namespace: ns, labels: { mirror: "source" } },
        data: { value: "1" },
      },
    });
    await waitUntil("the reconcile to start", async () => (m.reconciled.length > 0 ? true : undefined));
    await m.manager.stop(); // what SIGTERM calls
    const mirror = await admin.client.request<KubeObject>("GET", `/api/v1/namespaces/${ns}/configmaps/slow-mirror`);
    expect(mirror.metadata.name).toBe("slow-mirror");
    c.client.close();
  });
});
