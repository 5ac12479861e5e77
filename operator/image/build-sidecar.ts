// `make sidecar-image`: the logging sidecar's OCI image (aihub-otelcol, sidecar/), built without a
// container engine the same way as the operator's (oci.ts: the reproducible layer, umoci, the
// archive). The collector is one statically linked Go binary, so the image needs no libc, no
// loader and no shell: the binary, a notice with its licences, nonroot in /etc/passwd, /tmp.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { elfDependencies } from "./elf.ts";
import {
  SIDECAR_BINARY_PATH,
  SIDECAR_DOC_DIR,
  SIDECAR_EXPOSED_PORTS,
  SOURCE,
  sidecarEntrypoint,
  sidecarLabels,
  USER,
} from "./image-config.ts";
import { addUsersAndTmp, type ImageSpec, Layer, printImage, run, writeImage } from "./oci.ts";

const USAGE = `Builds the OCI image of the logging sidecar aihub-otelcol without a container engine (make sidecar-image).

usage: node operator/image/build-sidecar.ts --collector <aihub-otelcol> --umoci <umoci>
                                            [--out dist/aihub-otelcol.oci.tar]

  --collector  the sidecar's binary (bash sidecar/build.sh builds it, or finds it in the cache,
               and prints its path)
  --umoci      umoci (operator/image/build-umoci.sh prints where)
  --out        where the image goes, as an OCI image layout in a tar (default
               dist/aihub-otelcol.oci.tar); prints its digest and sizes

The image, one layer: the static binary as ${SIDECAR_BINARY_PATH} (refused when it is
dynamically linked); in ${SIDECAR_DOC_DIR}, NOTICE (what it is built from, its
licences, the Go modules compiled in, from the binary's build information) and LICENSE (the
Apache License 2.0, from the OpenTelemetry Collector's Go module); /etc/passwd and /etc/group
with the user nonroot (65532); /tmp. No shell, no libc. User 65532:65532, entrypoint ${SIDECAR_BINARY_PATH}; the operator gives
the container its --config. Needs Go (go version -m, go mod download) and linux/amd64.
Reproducible: entries sorted, numeric owners, every time SOURCE_DATE_EPOCH (default 0).`;

const log = (msg: string) => console.error(`[sidecar-image] ${msg}`);

interface BuildInfo {
  go: string;
  /** The Go modules compiled in, path -> version (replaced modules as "(this repository)"). */
  modules: Map<string, string>;
}

/** The binary's build information as `go version -m` reads it. */
function buildInfo(binary: string): BuildInfo {
  const text = run("go", ["version", "-m", binary], { env: { ...process.env, GOTOOLCHAIN: "local" } });
  const [first = "", ...lines] = text.split("\n");
  const go = /: (go\S+)$/.exec(first)?.[1];
  if (!go) throw new Error(`go version -m ${binary}: no Go version in ${JSON.stringify(first)}`);
  const modules = new Map<string, string>();
  let last = "";
  for (const line of lines) {
    const [, kind, path = "", version = ""] = line.split("\t");
    if (kind === "dep") {
      modules.set(path, version);
      last = path;
    } else if (kind === "=>" && version === "(devel)") {
      // A local replacement (logboekrules: sidecar/logboekrules); its path is the build machine's.
      modules.set(last, "(this repository)");
    } else if (kind === "=>") modules.set(last, `${modules.get(last)} => ${path} ${version}`);
  }
  return { go, modules };
}

/** The LICENSE of a Go module at a version, from the module cache (go mod download). */
function moduleLicense(path: string, version: string, work: string): string {
  const info = JSON.parse(
    run("go", ["mod", "download", "-json", `${path}@${version}`], {
      cwd: work,
      env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
    }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${path}@${version}: ${info.Error ?? "no directory"}`);
  return readFileSync(join(info.Dir, "LICENSE"), "utf8");
}

const COLLECTOR_MODULE = "go.opentelemetry.io/collector/otelcol";

function notice(version: string, collector: string, info: BuildInfo): string {
  const width = Math.max(...[...info.modules.keys()].map((p) => p.length));
  const modules = [...info.modules]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, v]) => `  ${path.padEnd(width)}  ${v}`)
    .join("\n");
  return `aihub-otelcol ${version}: the logging sidecar of aihub, ${SOURCE} (sidecar/).

An OpenTelemetry Collector (https://opentelemetry.io; ${COLLECTOR_MODULE} ${collector})
built with the OpenTelemetry Collector Builder from sidecar/builder.yaml, with aihub's own
connector logboekrules (sidecar/logboekrules), which enforces the rules of Logboek
Dataverwerkingen.

Licences:
- The OpenTelemetry Collector and its components (go.opentelemetry.io/collector/...,
  github.com/open-telemetry/opentelemetry-collector-contrib/...): Apache License 2.0, in LICENSE
  beside this file. Copyright The OpenTelemetry Authors.
- logboekrules and the build: EUPL-1.2, ${SOURCE}.
- The other Go modules compiled in carry their own licences, in their sources at the versions
  below (the Go module proxy serves them).

Built with ${info.go}. The Go modules compiled in (the binary's build information, go version -m):
${modules}
`;
}

// ---- main ----

const { values } = parseArgs({
  options: {
    collector: { type: "string" },
    umoci: { type: "string" },
    out: { type: "string", default: "dist/aihub-otelcol.oci.tar" },
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
if (!values.collector) fail("--collector is required (bash sidecar/build.sh prints its path)");
if (!values.umoci) fail("--umoci is required (bash operator/image/build-umoci.sh prints its path)");
if (process.platform !== "linux" || process.arch !== "x64")
  fail(`the image is linux/amd64; this is ${process.platform}/${process.arch}`);
const binary = values.collector as string;
for (const f of [binary, values.umoci as string])
  if (!statSync(f, { throwIfNoEntry: false })?.isFile()) fail(`${f} is not a file`);
const mtime = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
if (!Number.isInteger(mtime) || mtime < 0)
  fail(`SOURCE_DATE_EPOCH must be whole seconds, got ${process.env.SOURCE_DATE_EPOCH}`);

// The image has no libc and no loader: a dynamically linked binary would not start.
const deps = elfDependencies(readFileSync(binary));
if (deps.interpreter || deps.needed.length > 0)
  fail(
    `${binary} is dynamically linked (${[deps.interpreter, ...deps.needed].filter(Boolean).join(", ")}); the image has no libc: build it with CGO_ENABLED=0`,
  );
const version = /\bversion (\S+)/.exec(run(binary, ["--version"]))?.[1];
if (!version) fail(`${binary} --version says no version`);
const info = buildInfo(binary);
const collector = info.modules.get(COLLECTOR_MODULE);
if (!collector) fail(`${binary} has no ${COLLECTOR_MODULE} in its build information: is it aihub-otelcol?`);

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), "aihub-sidecar-image-"));
try {
  const layer = new Layer();
  addUsersAndTmp(layer);
  layer.add({ type: "file", path: SIDECAR_BINARY_PATH, source: binary, mode: 0o755, uid: 0, gid: 0 });
  layer.file(`${SIDECAR_DOC_DIR}/NOTICE`, notice(version as string, collector as string, info));
  layer.file(`${SIDECAR_DOC_DIR}/LICENSE`, moduleLicense(COLLECTOR_MODULE, collector as string, work));
  const spec: ImageSpec = {
    tag: version as string,
    layers: [
      {
        name: "sidecar",
        layer,
        createdBy: `operator/image/build-sidecar.ts: aihub-otelcol ${version} (OpenTelemetry Collector ${collector}, ${info.go}, static)`,
      },
    ],
    user: USER,
    entrypoint: sidecarEntrypoint(),
    exposedPorts: SIDECAR_EXPOSED_PORTS,
    labels: sidecarLabels(version as string, collector as string),
  };
  const out = values.out as string;
  printImage(spec, writeImage(spec, { out, umoci: values.umoci as string, work, mtime }), out);
  console.log(
    `  aihub-otelcol ${version}: OpenTelemetry Collector ${collector}, ${info.go}, ${info.modules.size} Go modules`,
  );
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
