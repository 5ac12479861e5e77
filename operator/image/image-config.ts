// The operator image's configuration, one source for `make image` (operator/image/build.ts) and
// the test that keeps the Dockerfile in step with it.
import { readFileSync } from "node:fs";

/** The user the operator runs as: "nonroot" of distroless, no login, no home. */
export const USER = { uid: 65532, gid: 65532, name: "nonroot" } as const;
export const NODE_PATH = "/usr/bin/node";
export const BUNDLE_PATH = "/app/operator.mjs";
export const WORKING_DIR = "/app";
/** Health probes, HTTPS metrics and the admission webhook, as the chart runs them. */
export const EXPOSED_PORTS = ["8081/tcp", "8443/tcp", "9443/tcp"] as const;
/** The repository, as the chart's `home`. */
export const SOURCE = "https://github.com/gemeenten/aihub";

const repoFile = (path: string) => new URL(`../../${path}`, import.meta.url);

/** The V8 flags in operator/node-options (comments dropped). */
export function nodeOptions(): string[] {
  return readFileSync(repoFile("operator/node-options"), "utf8")
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join(" ")
    .split(/\s+/)
    .filter(Boolean);
}

export function entrypoint(): string[] {
  return [NODE_PATH, ...nodeOptions(), BUNDLE_PATH];
}

interface PackageJson {
  name: string;
  version: string;
  license: string;
  description: string;
}

export function packageJson(): PackageJson {
  return JSON.parse(readFileSync(repoFile("package.json"), "utf8")) as PackageJson;
}

/** The OCI annotations that the image's config carries as labels. */
export function labels(): Record<string, string> {
  const pkg = packageJson();
  return {
    "org.opencontainers.image.title": "aihub-operator",
    "org.opencontainers.image.description": "The aihub operator: a Node.js bundle on a distroless-style Debian base",
    "org.opencontainers.image.source": SOURCE,
    "org.opencontainers.image.version": pkg.version,
    "org.opencontainers.image.licenses": pkg.license,
  };
}
