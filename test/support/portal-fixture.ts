// What the portal's browser tests run against: a control plane with kwok nodes (pods really
// become Ready), the operator and its admission webhook in-process, the examples applied, people
// who sign in with tokens, the portal's public read-only identity, and the portal itself on a
// free port of 127.0.0.1.
//
// People: the API server's static token file gives them the names and groups a municipality's
// identity provider would (a browser form cannot carry a client certificate, and a ServiceAccount's
// name starts with system:, which a tenant may not name). The tenants' own spec makes them
// admins or viewers, so the operator's RoleBindings are what grants them anything. People who sign
// in through OpenID Connect come from a test identity provider whose ID tokens the API server
// accepts through its --authentication-config (oidc-provider.ts).
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { Manager } from "../../operator/src/runtime/manager.ts";
import { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";
import { loadAssets } from "../../portal/src/assets.ts";
import { OidcClient } from "../../portal/src/oidc.ts";
import { Portal } from "../../portal/src/portal.ts";
import { registerPages } from "../../portal/src/register-pages.ts";
import { clusterEndpoint, userApi } from "../../portal/src/user-api.ts";
import { ControlPlane } from "../controlplane/control-plane.ts";
import { type CountingClient, countingClient } from "./clients.ts";
import { applyManifests, installCrds, installPolicies, waitUntil } from "./cluster.ts";
import { buildTestOperator, stopInProcessOperator } from "./in-process-operator.ts";
import { readManifests } from "./manifests.ts";
import { type OidcProvider, startOidcProvider } from "./oidc-provider.ts";
import { publicReaderToken } from "./service-account-token.ts";
import { serveTestWebhook } from "./webhook.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";

export interface Person {
  username: string;
  groups: string[];
  token: string;
}

/** Utrecht's information manager (an admin by name and group), Utrecht's auditor (a viewer), and Amsterdam's admin. */
export const PEOPLE = {
  utrechtAdmin: { username: "j.devries@utrecht.nl", groups: ["gm0344-informatiebeheer"] },
  utrechtViewer: { username: "a.jansen@utrecht.nl", groups: ["gm0344-auditors"] },
  amsterdamAdmin: { username: "p.bakker@amsterdam.nl", groups: ["gm0363-ai-beheer"] },
  /** The collective's platform team (cluster admins in this test). */
  platform: { username: "platform@collectief.nl", groups: ["system:masters"] },
} as const;

export interface PortalFixture {
  cp: ControlPlane;
  admin: CountingClient;
  portal: Portal;
  /** http://127.0.0.1:<port> */
  url: string;
  people: Record<keyof typeof PEOPLE, Person>;
  /** The identity provider the portal and the API server trust. */
  oidc: OidcProvider;
  stop(): Promise<void>;
}

export async function startPortalFixture(): Promise<PortalFixture> {
  const dir = mkdtempSync(join(tmpdir(), "aihub-portal-"));
  const people = Object.fromEntries(
    Object.entries(PEOPLE).map(([key, p]) => [
      key,
      { ...p, groups: [...p.groups], token: randomBytes(24).toString("hex") },
    ]),
  ) as unknown as Record<keyof typeof PEOPLE, Person>;
  const tokenFile = join(dir, "tokens.csv");
  writeFileSync(
    tokenFile,
    Object.values(people)
      .map((p) => `${p.token},${p.username},${p.username},"${p.groups.join(",")}"`)
      .join("\n"),
  );
  const oidc = await startOidcProvider();
  const authConfig = join(dir, "authentication-config.json");
  writeFileSync(authConfig, oidc.authenticationConfig());
  const cp = await ControlPlane.start({
    nodes: 1,
    apiServerArgs: [`--token-auth-file=${tokenFile}`, `--authentication-config=${authConfig}`],
  });
  let webhook: HttpsServer | undefined;
  let manager: Manager | undefined;
  let operatorClient: CountingClient | undefined;
  let admin: CountingClient | undefined;
  let server: Server | undefined;
  let portal: Portal | undefined;
  const stop = async () => {
    portal?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await stopInProcessOperator({ webhook, manager, clients: [operatorClient, admin], cp });
    await oidc.close();
  };
  try {
    admin = await countingClient({ file: cp.kubeconfigPath });
    operatorClient = await countingClient({ file: cp.kubeconfigPath });
    await installCrds(admin);
    await installPolicies(admin, [
      "charts/aihub/templates/admission",
      "charts/aihub/templates/tenant-cluster-roles.yaml",
      "charts/aihub/templates/portal-public-reader.yaml",
    ]);
    const log = pino({ level: "silent" });
    const op = buildTestOperator({
      client: operatorClient.client,
      log,
      metrics: new OperatorMetrics(),
      identity: "e2e-portal",
    });
    manager = op.manager;
    await manager.start();
    webhook = await serveTestWebhook(operatorClient.client, op.caches, log);
    await applyManifests(admin, readManifests("examples/catalog", "examples/tenants"), { createNamespaces: false });
    const tenants = ["utrecht", "amsterdam", "steenwijkerland"];
    await waitUntil(
      `tenants ${tenants.join(", ")} Ready`,
      async () => {
        const items = (
          await admin?.client.request<{ items: { metadata: { name: string }; status?: { phase?: string } }[] }>(
            "GET",
            `${API}/municipaltenants`,
          )
        )?.items;
        return tenants.every((n) => items?.some((t) => t.metadata.name === n && t.status?.phase === "Ready"))
          ? true
          : undefined;
      },
      90_000,
    );
    await applyManifests(admin, readManifests("examples/activations"), { createNamespaces: false });

    // The portal's public identity: a ServiceAccount bound to the public reader, with a token from the TokenRequest API.
    const publicToken = await publicReaderToken(admin, "aihub-system", "aihub-portal", "aihub-portal-public-reader");
    const endpoint = clusterEndpoint(cp.kubeconfigPath);
    server = createServer((req, res) => void portal?.handle(req, res));
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    portal = new Portal({
      endpoint,
      oidc: new OidcClient({
        issuerUrl: oidc.issuer,
        clientId: oidc.clientId,
        clientSecret: oidc.clientSecret,
        redirectUri: `${url}/aanmelden/oidc/terug`,
        ca: oidc.ca,
      }),
      assets: loadAssets(),
      publicApi: userApi(endpoint, () => `Bearer ${publicToken}`),
      baseUrl: "http://127.0.0.1",
      sessionTtlMs: 3_600_000,
      maxSessions: 100,
      maxWatches: 100,
    });
    registerPages(portal);
    return { cp, admin, portal, url, people, oidc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
