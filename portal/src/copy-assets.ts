// `make portal-assets`: copies the files the portal serves (assets.ts) from node_modules and
// portal/assets/ into the folder next to the bundle, so dist/portal.mjs runs without node_modules
// (as in an image). Files made at start-up (fonts.css, live.js) are not copied.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ASSET_SPECS, sourcePath } from "./assets.ts";

const USAGE = `Copies the portal's static assets next to its bundle (make portal-assets).

usage: node portal/src/copy-assets.ts [--out dist/portal-assets]

  --out  the folder to fill (default dist/portal-assets, where dist/portal.mjs looks for them)

The files: the NL Design System CSS (@utrecht/component-library-css, the Voorbeeld theme's
tokens), Noto Sans and Noto Serif (Latin, variable weight) and portal/assets/portal.css.`;

const { values } = parseArgs({
  options: { out: { type: "string", default: "dist/portal-assets" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
mkdirSync(values.out, { recursive: true });
for (const spec of ASSET_SPECS) {
  if ("text" in spec.source) continue;
  copyFileSync(sourcePath(spec), join(values.out, spec.name));
  console.error(`[portal-assets] ${spec.name}`);
}
