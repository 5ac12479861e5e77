// What the image builds share (make image: build.ts, the operator; make sidecar-image:
// build-sidecar.ts, the logging sidecar): a layer's entries, /etc/passwd and /etc/group with the
// nonroot user, the layers written as directories, and an OCI image assembled by umoci from
// layers written by tar.ts and put into one tar, all reproducible (sorted entries, numeric
// owners, one time).
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, posix } from "node:path";
import { USER } from "./image-config.ts";
import { type TarEntry, writeTar } from "./tar.ts";

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts });
}

export const isRoot = () => process.getuid?.() === 0;

export const ROOT_DIR = { uid: 0, gid: 0, mode: 0o755 };

/** The entries of one layer, by path (without a leading slash); parents are added as directories. */
export class Layer {
  readonly entries = new Map<string, TarEntry>();
  add(entry: TarEntry) {
    const path = entry.path.replace(/^\/+|\/+$/g, "");
    const parent = posix.dirname(path);
    if (parent !== "." && !this.entries.has(parent)) this.add({ type: "dir", path: parent, ...ROOT_DIR });
    const existing = this.entries.get(path);
    if (existing && JSON.stringify(existing) !== JSON.stringify({ ...entry, path }))
      throw new Error(`two different entries for /${path}`);
    this.entries.set(path, { ...entry, path });
  }
  /** A file of root's with the given content. */
  file(path: string, content: string | Buffer, mode = 0o644) {
    this.add({ type: "file", path, content: Buffer.from(content), mode, uid: 0, gid: 0 });
  }
  sorted(): TarEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  bytes(): number {
    return [...this.entries.values()].reduce(
      (n, e) => n + (e.type !== "file" ? 0 : "content" in e ? e.content.length : statSync(e.source).size),
      0,
    );
  }
}

/** /etc/passwd and /etc/group with root and nonroot (65532, no home, no login), and /tmp (1777). */
export function addUsersAndTmp(layer: Layer) {
  layer.file(
    "etc/passwd",
    `root:x:0:0:root:/root:/sbin/nologin\n${USER.name}:x:${USER.uid}:${USER.gid}:${USER.name}:/nonexistent:/sbin/nologin\n`,
  );
  layer.file("etc/group", `root:x:0:\n${USER.name}:x:${USER.gid}:\n`);
  layer.add({ type: "dir", path: "tmp", mode: 0o1777, uid: 0, gid: 0 });
}

/** Layers as directories (for a Dockerfile): owners, modes and times as in the image. */
export function writeRootfs(layers: readonly (readonly [string, Layer])[], dir: string, mtime: number) {
  for (const [name, layer] of layers) {
    const root = join(dir, name);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    for (const e of layer.sorted()) {
      const to = join(root, e.path);
      if (e.type === "dir") mkdirSync(to);
      else if (e.type === "symlink") symlinkSync(e.target, to);
      else if ("content" in e) writeFileSync(to, e.content);
      else copyFileSync(e.source, to);
      if (e.type !== "symlink") chmodSync(to, e.mode);
      if (isRoot()) lchownSync(to, e.uid, e.gid);
    }
    // Times last, directories deepest first, so that writing into a directory does not change it.
    for (const e of layer.sorted().reverse()) lutimesSync(join(root, e.path), mtime, mtime);
  }
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageSpec {
  tag: string;
  /** In order, each with the history entry that says what it holds. */
  layers: readonly { name: string; layer: Layer; createdBy: string }[];
  user: { uid: number; gid: number };
  workingDir?: string;
  entrypoint: readonly string[];
  /** The process's environment, NAME to value. */
  env?: Record<string, string>;
  exposedPorts?: readonly string[];
  labels: Record<string, string>;
}

export interface WrittenImage {
  /** The manifest's digest: the image's digest in a registry. */
  digest: string;
  archiveBytes: number;
  /** The manifest's layer descriptors, in the order of spec.layers. */
  layers: Descriptor[];
}

/**
 * The image as an OCI image layout in the tar `out`: umoci (in `work`) adds the layers written by
 * tar.ts (gzip), sets the config with the fixed `created` of `mtime` and no history of its own,
 * and the layout is written into the tar sorted, with numeric owners and the one time.
 */
export function writeImage(spec: ImageSpec, opts: { out: string; umoci: string; work: string; mtime: number }) {
  const created = new Date(opts.mtime * 1000).toISOString().replace(/\.000Z$/, "Z");
  const layout = join(opts.work, "layout");
  const image = `${layout}:${spec.tag}`;
  const umoci = (...args: string[]) => run(opts.umoci, args);
  umoci("init", "--layout", layout);
  umoci("new", "--image", image);
  for (const { name, layer, createdBy } of spec.layers) {
    const tar = join(opts.work, `${name}.tar`);
    writeTar(tar, layer.sorted(), opts.mtime);
    umoci(
      "raw",
      "add-layer",
      "--image",
      image,
      "--compress",
      "gzip",
      "--history.created",
      created,
      "--history.created_by",
      createdBy,
      tar,
    );
  }
  umoci(
    "config",
    "--image",
    image,
    "--no-history",
    "--created",
    created,
    "--os",
    "linux",
    "--architecture",
    "amd64",
    "--config.user",
    `${spec.user.uid}:${spec.user.gid}`,
    ...(spec.workingDir ? ["--config.workingdir", spec.workingDir] : []),
    ...spec.entrypoint.flatMap((arg) => ["--config.entrypoint", arg]),
    ...Object.entries(spec.env ?? {}).flatMap(([k, v]) => ["--config.env", `${k}=${v}`]),
    ...(spec.exposedPorts ?? []).flatMap((port) => ["--config.exposedports", port]),
    ...Object.entries(spec.labels).flatMap(([k, v]) => ["--config.label", `${k}=${v}`]),
  );
  umoci("gc", "--layout", layout);

  // The layout as a tar: sorted, numeric owners, one time.
  const entries: TarEntry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(layout, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(layout, path));
      if (st.isDirectory()) {
        entries.push({ type: "dir", path, mode: 0o755, uid: 0, gid: 0 });
        walk(path);
      } else entries.push({ type: "file", path, source: join(layout, path), mode: 0o644, uid: 0, gid: 0 });
    }
  };
  walk("");
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  mkdirSync(dirname(opts.out), { recursive: true });
  const archiveBytes = writeTar(`${opts.out}.tmp`, entries, opts.mtime);
  renameSync(`${opts.out}.tmp`, opts.out);

  const blob = (d: Descriptor) => JSON.parse(readFileSync(join(layout, "blobs", ...d.digest.split(":")), "utf8"));
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: Descriptor[] };
  const [manifestDescriptor] = index.manifests;
  if (!manifestDescriptor || index.manifests.length !== 1) throw new Error("expected one image in the layout");
  const manifest = blob(manifestDescriptor) as { layers: Descriptor[] };
  return { digest: manifestDescriptor.digest, archiveBytes, layers: manifest.layers } satisfies WrittenImage;
}

/** Prints where the image is, its digest and its sizes (compressed and unpacked, per layer). */
export function printImage(spec: ImageSpec, written: WrittenImage, out: string) {
  const compressed = written.layers.reduce((n, l) => n + l.size, 0);
  const unpacked = spec.layers.reduce((n, l) => n + l.layer.bytes(), 0);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`${out}: an OCI image layout in a tar, ${mb(written.archiveBytes)} (${written.archiveBytes} bytes)`);
  console.log(`  image ${written.digest} (tag ${spec.tag}, linux/amd64, user ${spec.user.uid}:${spec.user.gid})`);
  console.log(
    `  layers: ${mb(compressed)} compressed (${compressed} bytes), files ${mb(unpacked)} unpacked (${unpacked} bytes)`,
  );
  for (const [i, l] of written.layers.entries())
    console.log(
      `    ${spec.layers[i]?.name}: ${l.digest} ${mb(l.size)}, ${mb(spec.layers[i]?.layer.bytes() ?? 0)} unpacked`,
    );
}
