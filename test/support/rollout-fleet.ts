// The fleet that the rollout e2e tests (rollouts, rollout-restarts) roll a block out over:
// municipalities in rollout rings, a catalog block with rollout settings and versions whose image
// digest tells which version a StatefulSet runs (a failing version's starts with 0bad, so that its
// pods never become Ready: see FAILING_DIGEST_PREFIX), and what the tests read back: a block's
// activations by namespace, whether one is Ready, and when every municipality runs a version.
import type { RestClient } from "../../operator/src/kube/rest-client.ts";
import { FAILING_DIGEST_PREFIX } from "../controlplane/control-plane.ts";
import { catalogBlock } from "./catalog-block.ts";
import { waitUntil } from "./cluster.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field in assertions
type Any = Record<string, any>;

/** A municipality of the fleet, and the rollout ring it is in. */
export interface RingTenant {
  name: string;
  ring: string;
}

/** `<prefix>-<ring>-<i>`: `count` municipalities a ring, ring by ring in the order given. */
export function ringTenants(prefix: string, counts: Record<string, number>): RingTenant[] {
  return Object.entries(counts).flatMap(([ring, count]) =>
    Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${ring}-${i}`, ring })),
  );
}

/** The MunicipalTenant of `tenant`, which may be deleted; `admin` is its tenant admin, when given. */
export function ringTenantObject(tenant: RingTenant, municipalityCode: string, admin?: string) {
  return {
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "MunicipalTenant",
    metadata: { name: tenant.name },
    spec: {
      municipalityCode,
      displayName: tenant.name,
      rolloutRing: tenant.ring,
      ...(admin ? { admins: { users: [admin] } } : {}),
      deletionProtection: false,
    },
  };
}

/**
 * Creates the municipalities, the i-th with code GM<firstCode + i> (and the tenant admin that
 * `admin` names, when given), and waits up to 2 minutes until as many tenants are Ready.
 */
export async function createRingTenants(
  client: RestClient,
  tenants: RingTenant[],
  o: { firstCode: number; admin?: (tenant: RingTenant) => string },
): Promise<void> {
  await Promise.all(
    tenants.map((t, i) =>
      client.request("POST", `${API}/municipaltenants`, {
        body: ringTenantObject(t, `GM${o.firstCode + i}`, o.admin?.(t)),
      }),
    ),
  );
  await waitUntil(
    `${tenants.length} tenants Ready`,
    async () => {
      const list = await client.request<{ items: Any[] }>("GET", `${API}/municipaltenants`);
      return list.items.filter((t) => t.status?.phase === "Ready").length === tenants.length ? true : undefined;
    },
    120_000,
  );
}

/** The digest of a version's image: its digits padded with a's, after 0bad for a failing version. */
export const versionDigest = (version: string, failing = false) => {
  const prefix = failing ? FAILING_DIGEST_PREFIX : "";
  return prefix + version.replace(/\D/g, "").padEnd(64 - prefix.length, "a");
};

/** A version entry of a block; a failing one never becomes Ready. */
export const blockVersion = (block: string, version: string, failing = false) => ({
  version,
  image: `registry.gemeenten.nl/aihub/${block}@sha256:${versionDigest(version, failing)}`,
  releaseDate: "2026-11-29",
  releaseNotes: `Version ${version}${failing ? " (never becomes ready)" : ""}.`,
});

/** A block with version 1.0.0 and `rollout` as its spec.rollout. */
export function rolloutBlock(
  name: string,
  rollout: Record<string, unknown>,
  description = "A block for the rollout tests.",
) {
  return catalogBlock(name, { description, versions: [blockVersion(name, "1.0.0")], rollout });
}

/** Whether an activation is Ready, for its current generation. */
export const isReady = (a: Any): boolean =>
  a.status?.observedGeneration === a.metadata.generation &&
  a.status?.conditions?.some((c: Any) => c.type === "Ready" && c.status === "True");

/** Every activation of a block, by namespace. */
export async function blockActivations(client: RestClient, block: string): Promise<Map<string, Any>> {
  const list = await client.request<{ items: Any[] }>("GET", `${API}/blockactivations`);
  return new Map(list.items.filter((a) => a.spec.block === block).map((a) => [a.metadata.namespace, a]));
}

/** Activates a block (named as the block) in each of `tenants`, with `spec` added to the activation's. */
export async function activateIn(
  client: RestClient,
  block: string,
  tenants: RingTenant[],
  spec: Record<string, unknown> = {},
): Promise<void> {
  await Promise.all(
    tenants.map((t) =>
      client.request("POST", `${API}/namespaces/${t.name}/blockactivations`, {
        body: {
          apiVersion: "aihub.gemeenten.nl/v1alpha1",
          kind: "BlockActivation",
          metadata: { name: block, namespace: t.name },
          spec: { block, ...spec },
        },
      }),
    ),
  );
}

/** Waits until each of `tenants` runs `version` of a block and is Ready; returns the block's activations. */
export function waitUntilFleetRuns(
  client: RestClient,
  block: string,
  version: string,
  tenants: RingTenant[],
  timeoutMs = 90_000,
): Promise<Map<string, Any>> {
  return waitUntil(
    `${block} ${version} Ready in ${tenants.length} municipalities`,
    async () => {
      const all = await blockActivations(client, block);
      return tenants.every((t) => {
        const a = all.get(t.name);
        return a && a.status?.currentVersion === version && isReady(a);
      })
        ? all
        : undefined;
    },
    timeoutMs,
  );
}

/**
 * Puts a new block in the catalog, activates it in each of `tenants`, and waits until they all
 * run its version 1.0.0; returns the block's activations.
 */
export async function activateNewBlock(
  client: RestClient,
  block: ReturnType<typeof rolloutBlock>,
  tenants: RingTenant[],
): Promise<Map<string, Any>> {
  await client.request("POST", `${API}/aibuildingblocks`, { body: block });
  await activateIn(client, block.metadata.name, tenants);
  return waitUntilFleetRuns(client, block.metadata.name, "1.0.0", tenants);
}
