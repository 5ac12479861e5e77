// The commands end to end against an API in memory: what they print, patch and exit with.
import { describe, expect, it } from "vitest";
import type { BlockActivation, BlockRollout } from "../../operator/src/api/v1alpha1/index.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { ApiError } from "../../operator/src/kube/rest-client.ts";
import { readManifests } from "../../test/support/manifests.ts";
import { type Api, GROUP_PATH } from "./api.ts";
import { run } from "./main.ts";

const examples = readManifests("examples/catalog", "examples/tenants", "examples/activations") as KubeObject[];

/** An API over a map of paths to objects; lists are the objects under a path. */
function fakeApi(objects: Map<string, KubeObject>, contextNamespace?: string) {
  const patches: { path: string; body: unknown }[] = [];
  const api: Api = {
    contextNamespace,
    get: async <T>(path: string) => {
      const o = objects.get(path);
      if (!o) throw new ApiError(404, `"${path.split("/").at(-1)}" not found`, "NotFound");
      return structuredClone(o) as T;
    },
    list: async <T>(path: string) => {
      const all = [...objects.entries()].filter(
        ([p]) => p.startsWith(`${path}/`) || p.replace(/\/namespaces\/[^/]+/, "").startsWith(`${path}/`),
      );
      return all.map(([, o]) => structuredClone(o)) as T[];
    },
    mergePatch: async <T>(path: string, body: unknown) => {
      patches.push({ path, body });
      const o = objects.get(path) as KubeObject & { spec: Record<string, unknown> };
      const spec = (body as { spec: Record<string, unknown> }).spec;
      objects.set(path, { ...o, spec: { ...o.spec, ...spec } });
      return objects.get(path) as T;
    },
    close: () => {},
  };
  return { api, patches };
}

function world() {
  const objects = new Map<string, KubeObject>();
  for (const o of examples) {
    const plural = `${(o.kind ?? "").toLowerCase()}s`;
    const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : "";
    objects.set(`${GROUP_PATH}${ns}/${plural}/${o.metadata.name}`, structuredClone(o));
  }
  const manual = `${GROUP_PATH}/namespaces/utrecht/blockactivations/pseudonimisering`;
  const a = objects.get(manual) as BlockActivation;
  a.status = { currentVersion: "1.2.0", availableUpdate: { version: "1.3.0", releaseNotes: "IBANs." } };
  return { objects, manual };
}

async function cli(argv: string[], api: Api) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    connect: () => api,
    now: () => new Date("2026-12-01T12:00:00Z"),
  });
  return { code, stdout, stderr };
}

describe("kubectl aihub (in memory)", () => {
  it("lists updates in the context's namespace, and as JSON", async () => {
    const { objects } = world();
    const { api } = fakeApi(objects, "utrecht");
    const table = await cli(["updates"], api);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ACTIVATION +BLOCK/);
    expect(table.stdout).toContain("IBANs.");
    const json = await cli(["updates", "-o", "json"], api);
    expect(JSON.parse(json.stdout).updates).toMatchObject([{ activation: "pseudonimisering", version: "1.3.0" }]);
    const none = await cli(["updates", "-n", "amsterdam"], api);
    expect(none).toEqual({ code: 0, stdout: "", stderr: "No updates waiting for approval in namespace amsterdam.\n" });
  });

  it("approves the offered update with the activation's resourceVersion, and refuses what is not offered", async () => {
    const { objects, manual } = world();
    const { api, patches } = fakeApi(objects);
    const wrong = await cli(["approve", "pseudonimisering", "-n", "utrecht", "--version", "9.0.0"], api);
    expect(wrong).toMatchObject({ code: 1, stdout: "" });
    expect(wrong.stderr).toBe("error: version 9.0.0 is not offered to utrecht/pseudonimisering: offered: 1.3.0\n");
    const ok = await cli(["approve", "pseudonimisering", "-n", "utrecht", "-o", "json"], api);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      namespace: "utrecht",
      activation: "pseudonimisering",
      block: "pseudonimisering",
      previousVersion: "1.2.0",
      approvedVersion: "1.3.0",
      approvedBy: null,
      approvedAt: null,
    });
    expect(patches).toEqual([{ path: manual, body: { metadata: {}, spec: { approvedVersion: "1.3.0" } } }]);
    const again = await cli(["approve", "pseudonimisering", "-n", "utrecht", "--version", "1.3.0"], api);
    expect(again).toMatchObject({
      code: 0,
      stdout: "utrecht/pseudonimisering: version 1.3.0 is already approved; nothing changed\n",
    });
  });

  it("says there is nothing to approve for an Automatic activation or without an update (exit 1)", async () => {
    const { objects, manual } = world();
    const { api, patches } = fakeApi(objects);
    const automatic = await cli(["approve", "bezwaar-intake", "-n", "utrecht"], api);
    expect(automatic.code).toBe(1);
    expect(automatic.stderr).toMatch(/nothing to approve: utrecht\/bezwaar-intake follows its channel automatically/);
    delete (objects.get(manual) as BlockActivation).status?.availableUpdate;
    const none = await cli(["approve", "pseudonimisering", "-n", "utrecht"], api);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/nothing to approve: .* no update awaits approval/);
    expect(patches).toEqual([]);
  });

  it("prints the API's message for a missing object (exit 1) and usage errors (exit 2)", async () => {
    const { api } = fakeApi(world().objects);
    const missing = await cli(["explain-block", "bestaat-niet"], api);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error from server (NotFound): "bestaat-niet" not found\n',
    });
    const bad = await cli(["catalog", "--bogus"], api);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("error: unknown flag --bogus\nSee 'kubectl aihub --help' for usage.\n");
    expect((await cli(["help", "nope"], api)).code).toBe(2);
  });

  it("answers --help for the whole and each command with exit 0", async () => {
    const { api } = fakeApi(new Map());
    for (const argv of [
      ["--help"],
      ["tenants", "--help"],
      ["updates", "-h"],
      ["help", "approve"],
      ["catalog", "--help"],
      ["explain-block", "--help"],
      ["rollout", "status", "--help"],
    ]) {
      const r = await cli(argv, api);
      expect(r.code, argv.join(" ")).toBe(0);
      expect(r.stdout).toContain("Exit codes:");
    }
  });

  it("pauses, resumes and aborts the block's active rollout", async () => {
    const { objects } = world();
    const path = `${GROUP_PATH}/blockrollouts/bezwaar-intake-1.4.0`;
    const rollout = (version: string, phase: string): BlockRollout => ({
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockRollout",
      metadata: { name: `bezwaar-intake-${version}`, resourceVersion: "7" },
      spec: {
        block: "bezwaar-intake",
        version,
        channel: "stable",
        strategy: { maxConcurrent: "10%", bakeTime: "15m", progressDeadline: "10m", maxFailures: "0" },
        paused: false,
        abort: false,
      },
      status: { phase: phase as "Progressing" },
    });
    objects.set(path, rollout("1.4.0", "Progressing"));
    objects.set(`${GROUP_PATH}/blockrollouts/bezwaar-intake-1.3.0`, rollout("1.3.0", "Superseded"));
    const { api, patches } = fakeApi(objects);
    expect((await cli(["rollout", "pause", "bezwaar-intake"], api)).stdout).toMatch(/bezwaar-intake-1\.4\.0 paused/);
    expect((await cli(["rollout", "pause", "bezwaar-intake"], api)).stdout).toMatch(/already paused/);
    expect((await cli(["rollout", "resume", "bezwaar-intake", "-o", "json"], api)).stdout).toContain('"changed": true');
    const unconfirmed = await cli(["rollout", "abort", "bezwaar-intake"], api);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/cannot be undone: add --yes/);
    expect((await cli(["rollout", "abort", "bezwaar-intake", "--yes"], api)).code).toBe(0);
    expect(patches.map((p) => (p.body as { spec: unknown }).spec)).toEqual([
      { paused: true },
      { paused: false },
      { abort: true },
    ]);
    expect(patches.every((p) => p.path === path)).toBe(true);
    const resume = await cli(["rollout", "resume", "bezwaar-intake", "--version", "1.4.0"], api);
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/was aborted, which cannot be undone/);
    const none = await cli(["rollout", "pause", "transcriptie"], api);
    expect(none).toMatchObject({ code: 1, stderr: "error: block transcriptie has no active rollout to pause\n" });
    const status = await cli(["rollout", "status", "bezwaar-intake", "-o", "yaml"], api);
    expect(status.stdout).toMatch(/^block: bezwaar-intake\nrollouts:\n {2}- name: bezwaar-intake-1\.4\.0\n/);
  });

  it("asks for --version when two rollouts of a block are active", async () => {
    const { objects } = world();
    for (const [version, channel] of [
      ["1.4.0", "stable"],
      ["1.5.0-rc.1", "candidate"],
    ] as const)
      objects.set(`${GROUP_PATH}/blockrollouts/bezwaar-intake-${version}`, {
        apiVersion: "aihub.gemeenten.nl/v1alpha1",
        kind: "BlockRollout",
        metadata: { name: `bezwaar-intake-${version}` },
        spec: { block: "bezwaar-intake", version, channel },
        status: { phase: "Progressing" },
      } as unknown as KubeObject);
    const { api } = fakeApi(objects);
    const r = await cli(["rollout", "pause", "bezwaar-intake"], api);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /2 active rollouts \(1\.5\.0-rc\.1 on candidate, 1\.4\.0 on stable\): choose one with --version/,
    );
  });

  it("shows tenants and the catalog", async () => {
    const { api } = fakeApi(world().objects);
    const t = await cli(["tenants", "-o", "json"], api);
    expect(
      JSON.parse(t.stdout).tenants.map((x: { name: string; activations: number }) => [x.name, x.activations]),
    ).toEqual([
      ["amsterdam", 1],
      ["steenwijkerland", 1],
      ["utrecht", 2],
    ]);
    const c = await cli(["catalog"], api);
    expect(c.stdout.split("\n")).toHaveLength(7);
    const b = (await cli(["explain-block", "bezwaar-intake", "-o", "json"], api)).stdout;
    expect((JSON.parse(b) as { version: string }).version).toBe("1.4.0");
    const v = await cli(["explain-block", "bezwaar-intake", "--version", "0.1.0"], api);
    expect(v).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/has no version 0\.1\.0; published: 1\.3\.0, 1\.4\.0/),
    });
  });
});
