// The images' configuration: the operator's, one source for `make image` (operator/image/build.ts)
// and the test that keeps the Dockerfile in step with it; the logging sidecar's, for
// `make sidecar-image` (operator/image/build-sidecar.ts) and its e2e test.
import { readFileSync } from "node:fs";

/** The user the operator runs as: "nonroot" of distroless, no login, no home. */
export const USER = { uid: 65532, gid: 65532, name: "nonroot" } as const;
export const NODE_PATH = "/usr/bin/node";
export const BUNDLE_PATH = "/app/operator.mjs";
export const WORKING_DIR = "/app";
/** The municipal portal (make build-portal) in the same image: the chart runs PORTAL_COMMAND. */
export const PORTAL_BUNDLE_PATH = "/app/portal.mjs";
/** Its stylesheets and fonts, beside the bundle, where portal/src/assets.ts looks for them. */
export const PORTAL_ASSETS_PATH = "/app/portal-assets";
export const PORTAL_COMMAND = [NODE_PATH, PORTAL_BUNDLE_PATH] as const;
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

/** The environment in operator/node-env (comments dropped), as NAME=value pairs. */
export function nodeEnv(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(repoFile("operator/node-env"), "utf8")
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#"))
      .map((line) => {
        const at = line.indexOf("=");
        return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
      }),
  );
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

// ---- the logging sidecar's image (aihub-otelcol, sidecar/) ----

export const SIDECAR_BINARY_PATH = "/usr/bin/aihub-otelcol";
/** Its notice (what it is built from, its licences, the Go modules in it) and the Apache License. */
export const SIDECAR_DOC_DIR = "/usr/share/doc/aihub-otelcol";
/**
 * The health check and the Prometheus metrics (DEFAULT_PORTS of operator/src/logboek/collector-config.ts);
 * OTLP (4317, 4318) listens on 127.0.0.1 only, for the block in the same pod.
 */
export const SIDECAR_EXPOSED_PORTS = ["13133/tcp", "8888/tcp"] as const;
/** The OpenTelemetry Collector's components are Apache-2.0; logboekrules and the build are this repository's. */
export const SIDECAR_LICENSES = "Apache-2.0 AND EUPL-1.2";

/** The binary alone: the operator gives the sidecar container its args (--config=...). */
export function sidecarEntrypoint(): string[] {
  return [SIDECAR_BINARY_PATH];
}

/** The sidecar image's labels: `version` is the binary's (sidecar/builder.yaml), `collector` the OpenTelemetry Collector's. */
export function sidecarLabels(version: string, collector: string): Record<string, string> {
  return {
    "org.opencontainers.image.title": "aihub-otelcol",
    "org.opencontainers.image.description": `The aihub logging sidecar: OpenTelemetry Collector ${collector} with the logboekrules connector (Logboek Dataverwerkingen), one static binary`,
    "org.opencontainers.image.source": SOURCE,
    "org.opencontainers.image.version": version,
    "org.opencontainers.image.licenses": SIDECAR_LICENSES,
  };
}
