// `make check-sidecar-digest` and `make sidecar-digest`: whether the operator's default sidecar
// image (operator/src/logboek/sidecar-image.ts) and the chart's (logSidecarImage in
// charts/aihub/values.yaml) name the image that `make sidecar-image` built, like check-crds for
// the CRDs; with --write, makes them name it.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { SIDECAR_IMAGE_DIGEST, SIDECAR_IMAGE_REPOSITORY } from "../src/logboek/sidecar-image.ts";

const USAGE = `Checks that the operator's default logging sidecar image and the chart's are the one
make sidecar-image built (its digest), or writes that digest into both.

usage: node operator/image/sidecar-digest.ts [--archive dist/aihub-otelcol.oci.tar] [--write]

  --archive  the image make sidecar-image wrote (an OCI image layout in a tar)
  --write    write its digest into operator/src/logboek/sidecar-image.ts and charts/aihub/values.yaml
             instead of checking

Exit codes: 0 they agree (or were written); 1 they differ (run make sidecar-digest and commit);
2 usage or an unreadable archive.`;

const SOURCE = "operator/src/logboek/sidecar-image.ts";
const VALUES = "charts/aihub/values.yaml";

const { values } = parseArgs({
  options: {
    archive: { type: "string", default: "dist/aihub-otelcol.oci.tar" },
    write: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/** The image's digest: its one manifest in the layout's index.json. */
function archiveDigest(archive: string): string {
  let index: { manifests?: { digest?: string }[] };
  try {
    index = JSON.parse(execFileSync("tar", ["-xOf", archive, "index.json"], { encoding: "utf8" }));
  } catch (err) {
    console.error(`cannot read index.json of ${archive} (make sidecar-image writes it): ${(err as Error).message}`);
    process.exit(2);
  }
  const digest = index.manifests?.length === 1 ? index.manifests[0]?.digest : undefined;
  if (!digest?.match(/^sha256:[a-f0-9]{64}$/)) {
    console.error(`${archive}: expected one image manifest with a sha256 digest in index.json`);
    process.exit(2);
  }
  return digest;
}

const built = archiveDigest(values.archive as string);
const chart = parse(readFileSync(VALUES, "utf8")) as { logSidecarImage?: { repository?: string; digest?: string } };
const found = [
  { where: `${SOURCE} (the operator's --log-sidecar-image default)`, digest: SIDECAR_IMAGE_DIGEST },
  { where: `${VALUES} logSidecarImage.digest`, digest: chart.logSidecarImage?.digest },
];
if (chart.logSidecarImage?.repository !== SIDECAR_IMAGE_REPOSITORY) {
  console.error(
    `${VALUES} logSidecarImage.repository is ${chart.logSidecarImage?.repository}, ${SOURCE} says ${SIDECAR_IMAGE_REPOSITORY}: make them the same`,
  );
  process.exit(1);
}

if (values.write) {
  // Only the digest of the sidecar's entry: the chart's operator image may have the same placeholder.
  const replaceDigest = (file: string, pattern: RegExp) => {
    const text = readFileSync(file, "utf8");
    if (!pattern.test(text)) throw new Error(`${file}: found no sidecar digest to replace (${pattern})`);
    writeFileSync(
      file,
      text.replace(pattern, (_, before: string) => `${before}${built}`),
    );
  };
  replaceDigest(SOURCE, /(export const SIDECAR_IMAGE_DIGEST = ")sha256:[a-f0-9]{64}/);
  replaceDigest(VALUES, /(logSidecarImage:\n(?:[ \t]+.*\n)*?[ \t]+digest: ")sha256:[a-f0-9]{64}/);
  console.log(`wrote ${built} into ${SOURCE} and ${VALUES}`);
  process.exit(0);
}

const drifted = found.filter((f) => f.digest !== built);
for (const f of drifted) console.error(`${f.where} is ${f.digest}, but make sidecar-image built ${built}`);
if (drifted.length) {
  console.error("run 'make sidecar-digest' and commit (the sidecar's sources or the Go toolchain changed)");
  process.exit(1);
}
console.log(`the operator's default sidecar image and the chart's are ${SIDECAR_IMAGE_REPOSITORY}@${built}`);
