import { chownSync, copyFileSync, existsSync, lstatSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { entrypoint, labels, nodeEnv, PORTAL_COMMAND, USER, WORKING_DIR } from "../../operator/image/image-config.ts";
import { freePort } from "../controlplane/control-plane.ts";
import { connect, installCrds, waitUntil } from "../support/cluster.ts";
import {
  type ImageConfig,
  type RuntimeConfig,
  runEntrypoint,
  type UnpackedImage,
  unpackImage,
  walk,
} from "../support/oci-image.ts";

const ARCHIVE = "dist/aihub-operator.oci.tar";

let work = "";
let rootfs = "";
let runtime: RuntimeConfig;
let image: ImageConfig;
let tags: string[];
let unpacked: UnpackedImage;

beforeAll(async () => {
  unpacked = unpackImage(ARCHIVE, "image");
  ({ work, rootfs, runtime, image, tags } = unpacked);

  const admin = await connect(inject("kubeconfig"));
  await installCrds(admin);
  admin.client.close();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the operator image", () => {
  it("runs the bundle with the V8 flags and the environment of operator/node-env as nonroot (65532), labelled", () => {
    expect(tags).toEqual([labels()["org.opencontainers.image.version"]]);
    expect(image).toMatchObject({ os: "linux", architecture: "amd64" });
    expect(image.config.User).toBe(`${USER.uid}:${USER.gid}`);
    expect(image.config.Entrypoint).toEqual(entrypoint());
    expect(image.config.Entrypoint).toEqual(expect.arrayContaining(["--max-semi-space-size=4"]));
    expect(image.config.Cmd ?? []).toEqual([]);
    const env = Object.entries(nodeEnv()).map(([k, v]) => `${k}=${v}`);
    expect(env).toContain("MALLOC_ARENA_MAX=2");
    expect(image.config.Env).toEqual(expect.arrayContaining(env));
    expect(runtime.process.env).toEqual(expect.arrayContaining(env));
    expect(image.config.Labels).toMatchObject({
      "org.opencontainers.image.licenses": "EUPL-1.2",
      "org.opencontainers.image.source": expect.stringMatching(/^https:\/\//),
    });
    expect(runtime.process.user).toMatchObject({ uid: USER.uid, gid: USER.gid });
    expect(runtime.process.args).toEqual(entrypoint());
    expect(runtime.process.cwd).toBe(WORKING_DIR);
  });

  it("holds Node, its libraries, the bundles and a few files in /etc, owned by root, and no shell", () => {
    const entries = walk(rootfs);
    const paths = entries.map((e) => e.path);
    for (const shell of ["bin/sh", "usr/bin/sh", "bin/bash", "bin/dash", "bin/busybox"])
      expect(existsSync(join(rootfs, shell)), shell).toBe(false);
    expect(paths.filter((p) => /(^|\/)(s?bin)\//.test(p))).toEqual(["usr/bin/node"]);
    // The operator, and the portal with its stylesheets and fonts (the chart's portal runs the same image).
    expect(paths.filter((p) => p.startsWith("app/") && !p.startsWith("app/portal-assets/")).sort()).toEqual([
      "app/operator.mjs",
      "app/portal-assets",
      "app/portal.mjs",
    ]);
    expect(paths.filter((p) => p.startsWith("app/portal-assets/"))).toContain("app/portal-assets/portal.css");
    expect(paths.filter((p) => p.startsWith("etc/")).sort()).toEqual(["etc/group", "etc/nsswitch.conf", "etc/passwd"]);
    expect(readFileSync(join(rootfs, "etc/passwd"), "utf8")).toContain(`nonroot:x:${USER.uid}:${USER.gid}:`);
    expect(paths).toEqual(expect.arrayContaining(["lib64/ld-linux-x86-64.so.2", "var/lib/dpkg/status.d/libc6"]));
    expect(entries.filter((e) => e.st?.uid !== 0 || e.st?.gid !== 0).map((e) => e.path)).toEqual([]);
    expect((lstatSync(join(rootfs, "tmp")).mode & 0o7777).toString(8)).toBe("1777");
  });

  it("ships its bundles in ASCII, which V8 holds as one byte per character (a single other character makes it two)", () => {
    for (const bundle of ["app/operator.mjs", "app/portal.mjs"]) {
      const bytes = readFileSync(join(rootfs, bundle));
      expect(bytes.length, bundle).toBeGreaterThan(100_000);
      // The offset of the first byte beyond ASCII, if any.
      expect(
        bytes.findIndex((b) => b > 0x7f),
        bundle,
      ).toBe(-1);
    }
  });

  it("serves /healthz and /readyz from its root filesystem (chroot) as 65532, writes no file, stops on SIGTERM", async () => {
    // The control plane's admin kubeconfig (certificates inline), readable by the image's user.
    copyFileSync(inject("kubeconfig"), join(rootfs, "tmp/kubeconfig"));
    chownSync(join(rootfs, "tmp/kubeconfig"), USER.uid, USER.gid);
    const snapshot = () =>
      walk(rootfs)
        .map((e) => `${e.path} ${e.st?.mode} ${e.st?.size} ${e.st?.mtimeMs}`)
        .sort();
    const before = snapshot();
    // Only the environment the image's config gives: nothing of this machine's leaks in.
    const proc = runEntrypoint(unpacked, [
      "--kubeconfig=/tmp/kubeconfig",
      "--health-probe-bind-address=127.0.0.1:0",
      "--metrics-bind-address=127.0.0.1:0",
    ]);
    const lines: Record<string, unknown>[] = [];
    let stderr = "";
    proc.stderr?.on("data", (c) => {
      stderr += c;
    });
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line, level: "unparsed" });
      }
    });
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    try {
      const starting = await waitUntil("the starting log line", async () => {
        if (proc.exitCode !== null) throw new Error(`the operator exited with ${proc.exitCode}: ${stderr}`);
        return lines.find((l) => l.msg === "starting");
      });
      const health = `http://127.0.0.1:${starting.health}`;
      await waitUntil("/healthz", async () => ((await fetch(`${health}/healthz`)).status === 200 ? true : undefined));
      // Ready: its watches listed the API server over TLS, from inside the image.
      await waitUntil("/readyz", async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined));
      // chroot execs the entrypoint: the process is Node, as the image's user.
      const status = readFileSync(`/proc/${proc.pid}/status`, "utf8");
      expect(status).toMatch(new RegExp(`^Uid:\\s+${USER.uid}\\s+${USER.uid}\\s`, "m"));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${USER.gid}\\s+${USER.gid}\\s`, "m"));
      expect(readFileSync(`/proc/${proc.pid}/cmdline`, "utf8").split("\0")[0]).toBe("/usr/bin/node");

      proc.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(lines.map((l) => l.msg)).toContain("stopped");
      expect(lines.filter((l) => l.level === "unparsed")).toEqual([]);
      expect(stderr).toBe("");
      // It wrote nothing, not even to /tmp: the chart's read-only root filesystem suits it.
      expect(snapshot()).toEqual(before);
    } finally {
      proc.kill("SIGKILL");
    }
  });

  it("runs the portal too, with the chart's command: it serves its pages and their stylesheets from the image", async () => {
    copyFileSync(inject("kubeconfig"), join(rootfs, "tmp/kubeconfig"));
    chownSync(join(rootfs, "tmp/kubeconfig"), USER.uid, USER.gid);
    const port = await freePort();
    const proc = runEntrypoint(
      unpacked,
      ["--kubeconfig=/tmp/kubeconfig", `--listen=127.0.0.1:${port}`],
      PORTAL_COMMAND,
    );
    let stderr = "";
    proc.stderr?.on("data", (c) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitUntil("the portal's /healthz", async () => {
        if (proc.exitCode !== null) throw new Error(`the portal exited with ${proc.exitCode}: ${stderr}`);
        return (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined;
      });
      const page = await fetch(`${base}/aanmelden`);
      expect(page.status).toBe(200);
      const stylesheets = [...(await page.text()).matchAll(/<link[^>]+href="(\/assets\/[^"]+\.css)"/g)].map(
        (m) => m[1],
      );
      expect(stylesheets.length).toBeGreaterThan(0);
      for (const href of stylesheets) expect((await fetch(`${base}${href}`)).status, href).toBe(200);
      proc.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});
