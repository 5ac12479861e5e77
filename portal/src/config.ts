// The portal's configuration: flags override environment variables; one zod schema validates
// both, and a bad value is answered with the flag, the variable, the value and what would be
// accepted (as operator/src/config.ts does for the operator).
import { z } from "zod";
import { durationMs } from "../../operator/src/api/duration.ts";
import {
  configError,
  type FlagSource,
  hostPort as hostPortOf,
  wholeNumber as int,
  readSettings,
  usageText,
} from "../../operator/src/runtime/flags.ts";

const hostPort = hostPortOf("127.0.0.1:8080");

const duration = z
  .string()
  .regex(/^([0-9]{1,6}(h|m|s))+$/, "expected a duration such as 30m, 8h or 1h30m")
  .transform(durationMs)
  .pipe(z.number().min(60_000, "expected at least 1m"));

const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, "expected an http(s) URL, for example https://portal.gemeenten.nl")
  .transform((u) => u.replace(/\/$/, ""));

export const configSchema = z
  .object({
    listen: hostPort.default("127.0.0.1:8080"),
    kubeconfig: z.string().optional(),
    publicTokenFile: z.string().optional(),
    oidcIssuerUrl: httpUrl.optional(),
    oidcClientId: z.string().min(1).optional(),
    oidcClientSecretFile: z.string().optional(),
    oidcCaFile: z.string().optional(),
    baseUrl: httpUrl.default("http://127.0.0.1:8080"),
    sessionTtl: duration.default(8 * 3_600_000),
    maxSessions: int(1, 1_000_000).default(5000),
    maxWatches: int(1, 100_000).default(2000),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  })
  .superRefine((c, ctx) => {
    const oidc = [c.oidcIssuerUrl, c.oidcClientId].filter((v) => v !== undefined).length;
    if (oidc === 2 && !c.oidcClientSecretFile)
      ctx.addIssue({
        code: "custom",
        path: ["oidcClientSecretFile"],
        message: "OpenID Connect needs the client secret: give --oidc-client-secret-file",
      });
    if (oidc === 1)
      ctx.addIssue({
        code: "custom",
        path: [c.oidcIssuerUrl ? "oidcClientId" : "oidcIssuerUrl"],
        message: "OpenID Connect needs both --oidc-issuer-url and --oidc-client-id",
      });
  });

export type PortalConfig = z.output<typeof configSchema>;

const SOURCES: Record<keyof PortalConfig, FlagSource> = {
  listen: { flag: "listen", env: "AIHUB_PORTAL_LISTEN", help: "host:port the portal serves HTTP on" },
  kubeconfig: {
    flag: "kubeconfig",
    env: "KUBECONFIG",
    help: "kubeconfig whose cluster (API server URL and CA) the portal talks to; its credentials are never used. In a pod: the in-cluster API server",
  },
  publicTokenFile: {
    flag: "public-token-file",
    env: "AIHUB_PORTAL_PUBLIC_TOKEN_FILE",
    help: "bearer token of the portal's read-only identity for the public Transparantie page (re-read every minute); without it that page says it is not configured",
  },
  oidcIssuerUrl: {
    flag: "oidc-issuer-url",
    env: "AIHUB_PORTAL_OIDC_ISSUER_URL",
    help: "OpenID Connect issuer: people sign in with the municipality's identity provider (authorization code flow with PKCE); the API server must accept its ID tokens",
  },
  oidcClientId: { flag: "oidc-client-id", env: "AIHUB_PORTAL_OIDC_CLIENT_ID", help: "OpenID Connect client id" },
  oidcClientSecretFile: {
    flag: "oidc-client-secret-file",
    env: "AIHUB_PORTAL_OIDC_CLIENT_SECRET_FILE",
    help: "file holding the OpenID Connect client secret",
  },
  oidcCaFile: {
    flag: "oidc-ca-file",
    env: "AIHUB_PORTAL_OIDC_CA_FILE",
    help: "PEM CA bundle for the identity provider's certificate, besides the system's",
  },
  baseUrl: {
    flag: "base-url",
    env: "AIHUB_PORTAL_BASE_URL",
    help: "the URL people reach the portal at; https makes the session cookie Secure",
  },
  sessionTtl: {
    flag: "session-ttl",
    env: "AIHUB_PORTAL_SESSION_TTL",
    help: "how long a sign-in lasts (at least 1m)",
  },
  maxSessions: {
    flag: "max-sessions",
    env: "AIHUB_PORTAL_MAX_SESSIONS",
    help: "most sessions kept; the least recently used is signed out beyond it",
  },
  maxWatches: {
    flag: "max-watches",
    env: "AIHUB_PORTAL_MAX_WATCHES",
    help: "most watched lists kept for live pages, over all sessions; the least recently used idle one is closed beyond it",
  },
  logLevel: { flag: "log-level", env: "AIHUB_PORTAL_LOG_LEVEL", help: "debug, info, warn or error" },
};

export { ConfigError, wantsHelp } from "../../operator/src/runtime/flags.ts";

export function usage(): string {
  const defaults = configSchema.safeParse({});
  const shown: Partial<Record<string, string>> = { sessionTtl: "8h" };
  return usageText(
    SOURCES,
    [
      "aihub portal: the municipal portal (Dutch, English available). It holds no permissions of its own:",
      "every request of a signed-in user goes to the API server with that user's own token. A flag wins over",
      "its environment variable.",
      "",
      "Usage: node dist/portal.mjs [--flag=value ...]",
    ],
    (key) => {
      const v = shown[key] ?? (defaults.success ? (defaults.data as Record<string, unknown>)[key] : undefined);
      return v === undefined ? undefined : String(v);
    },
  );
}

/** Reads flags (`--listen=:8080` or `--listen :8080`) and environment; throws ConfigError naming every bad setting. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): PortalConfig {
  const raw = readSettings(SOURCES, argv, env);
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw configError(SOURCES, result.error.issues, raw);
}
