// `make crds`: writes crds/<group>_<plural>.yaml from the zod API. Never edit those files by hand.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildCrd, crdFileName, renderCrdYaml } from "./crd.ts";
import { kinds } from "./v1alpha1/index.ts";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(
    "usage: node operator/src/api/generate-crds.ts [directory]\n\nWrites one CRD per kind of the zod API into the directory (default crds/), removing CRD files of kinds that no longer exist.",
  );
  process.exit(0);
}
const outDir = process.argv[2] ?? "crds";
mkdirSync(outDir, { recursive: true });
const wanted = new Set(kinds.map(crdFileName));
for (const file of readdirSync(outDir)) {
  if (file.endsWith(".yaml") && !wanted.has(file)) rmSync(join(outDir, file));
}
for (const def of kinds) {
  writeFileSync(join(outDir, crdFileName(def)), renderCrdYaml(buildCrd(def)));
  console.log(`wrote ${join(outDir, crdFileName(def))}`);
}
