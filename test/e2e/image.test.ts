// The operator's image (make image, operator/image/build.ts), unpacked by umoci, not by our own
// code: it runs as nonroot, has no shell, and its entrypoint, run from the image's root
// filesystem (chroot, as a container runtime would, minus the namespaces), serves /healthz and
// /readyz against the e2e control plane and stops cleanly on SIGTERM.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { entrypoint, labels, USER, WORKING_DIR } from "../../operator/image/image-config.ts";
import { connect, installCrds, waitUntil } from "../support/cluster.ts";

const ARCHIVE = "dist/aihub-operator.oci.tar";

/** What umoci makes of the image's config for a runtime (runtime-spec config.json). */
interface RuntimeConfig {
  process: { user: { uid: number; gid: number }; args: string[]; env: string[]; cwd: string };
}
interface ImageConfig {
  architecture: string;
  os: string;
  config: { User: string; Entrypoint: string[]; Cmd?: string[]; WorkingDir: string; Labels: Record<string, string> };
}

let work = "";
let rootfs = "";
let runtime: RuntimeConfig;
let image: ImageConfig;
let tags: string[];

beforeAll(async () => {
  if (!existsSync(ARCHIVE)) throw new Error(`${ARCHIVE} is missing: run make image (make e2e builds it first)`);
  if (process.getuid?.() !== 0) throw new Error("this test runs the image with chroot, which needs root");
  const umoci = execFileSync("bash", ["operator/image/build-umoci.sh"], { encoding: "utf8" }).trim();
  work = mkdtempSync(join(tmpdir(), "aihub-image-test-"));
  const layout = join(work, "layout");
  const bundle = join(work, "bundle");
  execFileSync("mkdir", [layout]);
  execFileSync("tar", ["-xf", ARCHIVE, "-C", layout]);
  tags = execFileSync(umoci, ["ls", "--layout", layout], { encoding: "utf8" }).trim().split("\n");
  execFileSync(umoci, ["unpack", "--image", `${layout}:${tags[0]}`, bundle], { stdio: "pipe" });
  rootfs = join(bundle, "rootfs");
  runtime = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as RuntimeConfig;
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const blob = (digest: string) => JSON.parse(readFileSync(join(layout, "blobs", ...digest.split(":")), "utf8"));
  const manifest = blob(index.manifests[0]?.digest ?? "") as { config: { digest: string } };
  image = blob(manifest.config.digest) as ImageConfig;

  const admin = await connect(inject("kubeconfig"));
  await installCrds(admin);
  admin.client.close();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every path in the root filesystem, relative, with its lstat. */
function walk(dir: string, rel = ""): { path: string; st: ReturnType<typeof lstatSync> }[] {
  return readdirSync(join(dir, rel)).flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, path));
    return [{ path, st }, ...(st?.isDirectory() ? walk(dir, path) : [])];
  });
}

describe("the operator image", () => {
  it("runs the bundle with the V8 flags as nonroot (65532), labelled", () => {
    expect(tags).toEqual([labels()["org.opencontainers.image.version"]]);
    expect(image).toMatchObject({ os: "linux", architecture: "amd64" });
    expect(image.config.User).toBe(`${USER.uid}:${USER.gid}`);
    expect(image.config.Entrypoint).toEqual(entrypoint());
    expect(image.config.Entrypoint).toEqual(expect.arrayContaining(["--max-semi-space-size=4"]));
    expect(image.config.Cmd ?? []).toEqual([]);
    expect(image.config.Labels).toMatchObject({
      "org.opencontainers.image.licenses": "EUPL-1.2",
      "org.opencontainers.image.source": expect.stringMatching(/^https:\/\//),
    });
    expect(runtime.process.user).toMatchObject({ uid: USER.uid, gid: USER.gid });
    expect(runtime.process.args).toEqual(entrypoint());
    expect(runtime.process.cwd).toBe(WORKING_DIR);
  });

  it("holds Node, its libraries, the bundle and a few files in /etc, owned by root, and no shell", () => {
    const entries = walk(rootfs);
    const paths = entries.map((e) => e.path);
    for (const shell of ["bin/sh", "usr/bin/sh", "bin/bash", "bin/dash", "bin/busybox"])
      expect(existsSync(join(rootfs, shell)), shell).toBe(false);
    expect(paths.filter((p) => /(^|\/)(s?bin)\//.test(p))).toEqual(["usr/bin/node"]);
    expect(paths.filter((p) => p.startsWith("app/"))).toEqual(["app/operator.mjs"]);
    expect(paths.filter((p) => p.startsWith("etc/")).sort()).toEqual(["etc/group", "etc/nsswitch.conf", "etc/passwd"]);
    expect(readFileSync(join(rootfs, "etc/passwd"), "utf8")).toContain(`nonroot:x:${USER.uid}:${USER.gid}:`);
    expect(paths).toEqual(expect.arrayContaining(["lib64/ld-linux-x86-64.so.2", "var/lib/dpkg/status.d/libc6"]));
    expect(entries.filter((e) => e.st?.uid !== 0 || e.st?.gid !== 0).map((e) => e.path)).toEqual([]);
    expect((lstatSync(join(rootfs, "tmp")).mode & 0o7777).toString(8)).toBe("1777");
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
    const env = Object.fromEntries(
      runtime.process.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    const proc: ChildProcess = spawn(
      "chroot",
      [
        `--userspec=${runtime.process.user.uid}:${runtime.process.user.gid}`,
        rootfs,
        ...runtime.process.args,
        "--kubeconfig=/tmp/kubeconfig",
        "--health-probe-bind-address=127.0.0.1:0",
        "--metrics-bind-address=127.0.0.1:0",
      ],
      // Only the environment the image's config gives: nothing of this machine's leaks in.
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
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
});
