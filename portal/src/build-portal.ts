// Wiring: the portal from its configuration. The cluster's URL and CA come from the kubeconfig or
// the pod; the public identity from its token file (re-read every minute, as projected tokens
// rotate); every page is registered here.
import { readFileSync } from "node:fs";
import { tokenFile } from "../../operator/src/kube/kubeconfig.ts";
import { loadAssets } from "./assets.ts";
import type { PortalConfig } from "./config.ts";
import { OidcClient } from "./oidc.ts";
import { Portal, type PortalOptions } from "./portal.ts";
import { registerPages } from "./register-pages.ts";
import { clusterEndpoint, userApi } from "./user-api.ts";

export function buildPortal(config: PortalConfig, log?: PortalOptions["log"]): Portal {
  const endpoint = clusterEndpoint(config.kubeconfig);
  const portal = new Portal({
    endpoint,
    assets: loadAssets(),
    ...(config.oidcIssuerUrl &&
      config.oidcClientId &&
      config.oidcClientSecretFile && {
        oidc: new OidcClient({
          issuerUrl: config.oidcIssuerUrl,
          clientId: config.oidcClientId,
          clientSecret: readFileSync(config.oidcClientSecretFile, "utf8").trim(),
          redirectUri: `${config.baseUrl}/aanmelden/oidc/terug`,
          ...(config.oidcCaFile && { ca: readFileSync(config.oidcCaFile, "utf8") }),
        }),
      }),
    ...(config.publicTokenFile && { publicApi: userApi(endpoint, tokenFile(config.publicTokenFile), 16) }),
    baseUrl: config.baseUrl,
    sessionTtlMs: config.sessionTtl,
    maxSessions: config.maxSessions,
    maxWatches: config.maxWatches,
    ...(log && { log }),
  });
  registerPages(portal);
  return portal;
}
