// The files the portal serves under /assets/: the NL Design System's CSS (the Utrecht component
// library and the Voorbeeld theme's tokens), the theme's fonts, the portal's own small stylesheet
// and the live-update script. Each is served at /assets/<name>.<content hash>.<ext> with a cache
// lifetime of a year: a new release changes the hash, so browsers never keep a stale file and never
// ask twice for an unchanged one. The layout asks this module for the URLs.
//
// Where the files come from at run time: next to the bundle, in dist/portal-assets/, which
// `make portal-assets` fills (node portal/src/copy-assets.ts); the bundle carries no node_modules,
// and an image ships the folder beside dist/portal.mjs. Run from source (node portal/src/...), the
// same files are read from node_modules and portal/assets/. Everything is read once at start-up
// (about 0.7 MB) and served from memory.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { LIVE_SCRIPT } from "./live-script.ts";

type Source =
  /** A file in an npm package, resolved like an import. */
  | { module: string }
  /** A file of the portal's own, relative to the repository's portal/ folder. */
  | { portal: string }
  /** Text made here, from the URLs of the files before it. */
  | { text: (urlOf: (name: string) => string) => string };

export interface AssetSpec {
  /** The file's name without the hash: lower case, dashes and dots (the router's /assets/:file). */
  name: string;
  contentType: string;
  source: Source;
}

/** Noto Sans and Noto Serif (the Voorbeeld theme's fonts), Latin subset, variable weight. */
const fontFaces = (urlOf: (name: string) => string) =>
  [
    ["Noto Sans", "noto-sans-latin-wght-normal.woff2"],
    ["Noto Serif", "noto-serif-latin-wght-normal.woff2"],
  ]
    .map(
      ([family, file]) =>
        `@font-face{font-family:"${family}";font-style:normal;font-display:swap;font-weight:100 900;` +
        `src:url(${urlOf(file ?? "")}) format("woff2-variations");` +
        "unicode-range:U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD}",
    )
    .join("\n");

/** In the order the layout links them: tokens first, components, fonts, then the portal's own. */
export const ASSET_SPECS: readonly AssetSpec[] = [
  {
    name: "noto-sans-latin-wght-normal.woff2",
    contentType: "font/woff2",
    source: { module: "@fontsource-variable/noto-sans/files/noto-sans-latin-wght-normal.woff2" },
  },
  {
    name: "noto-serif-latin-wght-normal.woff2",
    contentType: "font/woff2",
    source: { module: "@fontsource-variable/noto-serif/files/noto-serif-latin-wght-normal.woff2" },
  },
  {
    name: "voorbeeld-theme.css",
    contentType: "text/css; charset=utf-8",
    source: { module: "@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css" },
  },
  {
    name: "utrecht-components.css",
    contentType: "text/css; charset=utf-8",
    source: { module: "@utrecht/component-library-css/dist/index.css" },
  },
  { name: "fonts.css", contentType: "text/css; charset=utf-8", source: { text: fontFaces } },
  { name: "portal.css", contentType: "text/css; charset=utf-8", source: { portal: "assets/portal.css" } },
  { name: "live.js", contentType: "text/javascript; charset=utf-8", source: { text: () => LIVE_SCRIPT } },
];

/** The stylesheets every page links, in this order. */
export const STYLESHEETS = ["voorbeeld-theme.css", "utrecht-components.css", "fonts.css", "portal.css"] as const;

export interface Asset {
  name: string;
  /** `<base>.<hash>.<ext>`, the file part of its URL. */
  file: string;
  url: string;
  contentType: string;
  body: Buffer;
  etag: string;
}

export interface AssetResponse {
  status: 200 | 304;
  headers: Record<string, string>;
  body?: Buffer;
}

export const ASSET_PREFIX = "/assets/";
const CACHE_FOREVER = "public, max-age=31536000, immutable";

/** The hashed file name: `portal.css` with hash 0123abcd... is `portal.0123abcd4567.css`. */
export function hashedName(name: string, body: Buffer): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  const dot = name.indexOf(".");
  return dot < 0 ? `${name}.${hash}` : `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

export class Assets {
  readonly #byFile = new Map<string, Asset>();
  readonly #byName = new Map<string, Asset>();

  constructor(assets: readonly Asset[]) {
    for (const a of assets) {
      this.#byFile.set(a.file, a);
      this.#byName.set(a.name, a);
    }
  }

  /** The URL of an asset by its plain name, e.g. url("portal.css") = "/assets/portal.<hash>.css". */
  url(name: string): string {
    const asset = this.#byName.get(name);
    if (!asset)
      throw new Error(`no portal asset named "${name}"; the assets are: ${[...this.#byName.keys()].join(", ")}`);
    return asset.url;
  }

  get stylesheets(): string[] {
    return STYLESHEETS.map((s) => this.url(s));
  }

  get all(): Asset[] {
    return [...this.#byFile.values()];
  }

  /**
   * The answer to GET /assets/<file>: 200 with a year's caching, 304 when the browser's
   * If-None-Match already names it, undefined (a 404) for a file that is not an asset.
   */
  respond(file: string, ifNoneMatch?: string): AssetResponse | undefined {
    const asset = this.#byFile.get(file);
    if (!asset) return undefined;
    const headers = {
      "content-type": asset.contentType,
      "cache-control": CACHE_FOREVER,
      etag: asset.etag,
      "x-content-type-options": "nosniff",
    };
    const tags = (ifNoneMatch ?? "").split(",").map((t) => t.trim());
    if (tags.includes(asset.etag) || tags.includes("*")) return { status: 304, headers };
    return { status: 200, headers: { ...headers, "content-length": String(asset.body.length) }, body: asset.body };
  }
}

/** Makes the assets from their bodies, in ASSET_SPECS order (a text source sees the URLs before it). */
export function buildAssets(read: (spec: AssetSpec) => Buffer, specs: readonly AssetSpec[] = ASSET_SPECS): Assets {
  const built: Asset[] = [];
  const urlOf = (name: string) => {
    const a = built.find((b) => b.name === name);
    if (!a) throw new Error(`portal asset "${name}" must come before the one that refers to it`);
    return a.url;
  };
  for (const spec of specs) {
    const body = "text" in spec.source ? Buffer.from(spec.source.text(urlOf)) : read(spec);
    const file = hashedName(spec.name, body);
    built.push({
      name: spec.name,
      file,
      url: `${ASSET_PREFIX}${file}`,
      contentType: spec.contentType,
      body,
      etag: `"${file}"`,
    });
  }
  return new Assets(built);
}

/** The folder next to the bundle that `make portal-assets` fills. */
export const BUNDLED_ASSET_DIR = fileURLToPath(new URL("./portal-assets/", import.meta.url));

/** Where a spec's file is when run from the source tree (node_modules, portal/). */
export function sourcePath(spec: AssetSpec): string {
  if ("module" in spec.source) return createRequire(import.meta.url).resolve(spec.source.module);
  if ("portal" in spec.source) return fileURLToPath(new URL(`../${spec.source.portal}`, import.meta.url));
  throw new Error(`portal asset "${spec.name}" is made at start-up and has no file`);
}

/**
 * Reads every asset once: from `dir` (default: portal-assets/ next to this module, as the bundle
 * has it) when that folder exists, else from the source tree. A missing file is an error that says
 * which and how to make it.
 */
export function loadAssets(dir: string = BUNDLED_ASSET_DIR): Assets {
  const bundled = existsSync(dir);
  return buildAssets((spec) => {
    const where = bundled ? `${dir.replace(/\/$/, "")}/${spec.name}` : `node_modules or portal/ (from ${dir} missing)`;
    try {
      return readFileSync(bundled ? where : sourcePath(spec));
    } catch (err) {
      throw new Error(
        `portal asset "${spec.name}" not found in ${where}: run 'make portal-assets' (bundle) or 'make deps' (source)`,
        { cause: err },
      );
    }
  });
}
