// An image archive (make image, make sidecar-image) as a test sees it: unpacked by umoci, not by
// our own code, into a runtime bundle (root filesystem and runtime-spec config.json), with the
// image's own config read from the layout, and its entrypoint run in a chroot as the image's user.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What umoci makes of the image's config for a runtime (runtime-spec config.json). */
export interface RuntimeConfig {
  process: { user: { uid: number; gid: number }; args: string[]; env: string[]; cwd: string };
}

export interface ImageConfig {
  architecture: string;
  os: string;
  config: {
    User: string;
    Entrypoint: string[];
    Cmd?: string[];
    Env?: string[];
    WorkingDir?: string;
    ExposedPorts?: Record<string, unknown>;
    Labels: Record<string, string>;
  };
}

export interface UnpackedImage {
  /** The temporary folder holding the layout and the bundle: remove it when done. */
  work: string;
  rootfs: string;
  runtime: RuntimeConfig;
  image: ImageConfig;
  tags: string[];
  /** The image's manifest digest (sha256:…). */
  digest: string;
}

/** Unpacks `archive` (an OCI layout in a tar) with umoci; `make` names the target that builds it. */
export function unpackImage(archive: string, make: string): UnpackedImage {
  if (!existsSync(archive)) throw new Error(`${archive} is missing: run make ${make} (make e2e builds it first)`);
  if (process.getuid?.() !== 0) throw new Error("these tests run the image with chroot, which needs root");
  const umoci = execFileSync("bash", ["operator/image/build-umoci.sh"], { encoding: "utf8" }).trim();
  const work = mkdtempSync(join(tmpdir(), "aihub-image-test-"));
  const layout = join(work, "layout");
  const bundle = join(work, "bundle");
  mkdirSync(layout);
  execFileSync("tar", ["-xf", archive, "-C", layout]);
  const tags = execFileSync(umoci, ["ls", "--layout", layout], { encoding: "utf8" }).trim().split("\n");
  execFileSync(umoci, ["unpack", "--image", `${layout}:${tags[0]}`, bundle], { stdio: "pipe" });
  const runtime = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as RuntimeConfig;
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const digest = index.manifests[0]?.digest ?? "";
  const blob = (d: string) => JSON.parse(readFileSync(join(layout, "blobs", ...d.split(":")), "utf8"));
  const manifest = blob(digest) as { config: { digest: string } };
  return { work, rootfs: join(bundle, "rootfs"), runtime, image: blob(manifest.config.digest), tags, digest };
}

/** Every path in the root filesystem, relative, with its lstat; not into a mounted /proc. */
export function walk(dir: string, rel = ""): { path: string; st: ReturnType<typeof lstatSync> }[] {
  return readdirSync(join(dir, rel)).flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, path));
    return [{ path, st }, ...(st?.isDirectory() && path !== "proc" ? walk(dir, path) : [])];
  });
}

/**
 * Runs the image's entrypoint with `args` from its root filesystem (chroot) as the image's user,
 * with only the image's environment, as a container runtime would (without its namespaces).
 */
/** Runs the image's entrypoint with `args`, or `command` instead of the entrypoint (as a pod's `command` does). */
export function runEntrypoint(u: UnpackedImage, args: string[], command?: readonly string[]): ChildProcess {
  const env = Object.fromEntries(
    u.runtime.process.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  const { uid, gid } = u.runtime.process.user;
  return spawn("chroot", [`--userspec=${uid}:${gid}`, u.rootfs, ...(command ?? u.runtime.process.args), ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}
