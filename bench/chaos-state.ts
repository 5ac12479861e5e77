// What make chaos reads from a fleet: how far it is from where the workload leads, and its state
// object by object (to compare a run with faults against a clean one).
import { CONFIG_MAPS_PER_ACTIVATION } from "../operator/src/controllers/tenant/quota.ts";
import { CREATED_ANNOTATION } from "../operator/src/kube/created-fields.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import type { CountingClient } from "../test/support/clients.ts";
import { FLEET_BLOCKS, fleetActivations, tenantName } from "./fleet-spec.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";

/** An object of the fleet, as read. */
export type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
export const isReady = (o: Obj | undefined) =>
  (o?.status?.conditions as { type: string; status: string }[] | undefined)?.some(
    (c) => c.type === "Ready" && c.status === "True",
  ) ?? false;

/**
 * What keeps the fleet from where the workload leads (every remaining object Ready, the removed
 * ones gone), "" once it is there. `tenants`: the municipalities the workload created (the last
 * one removed again, and one activation in every fifth).
 */
export async function unconverged(c: CountingClient, tenants: number): Promise<string> {
  const tenantList = (await c.client.request<{ items: Obj[] }>("GET", `${API}/municipaltenants`)).items;
  const activations = (await c.client.request<{ items: Obj[] }>("GET", `${API}/blockactivations`)).items;
  const namespaces = (
    await c.client.request<{ items: Obj[] }>("GET", "/api/v1/namespaces", {
      query: { labelSelector: "aihub.gemeenten.nl/tenant" },
    })
  ).items;
  const expectedActivations = (tenants - 1) * FLEET_BLOCKS.length - Math.ceil((tenants - 1) / 5);
  const missing: string[] = [];
  // The children of what was removed are gone too (garbage collection).
  const count = async (path: string) =>
    (
      await c.client.request<{ items: unknown[] }>("GET", path, {
        query: { labelSelector: "aihub.gemeenten.nl/activation" },
      })
    ).items.length;
  const children: [string, number][] = [
    ["/apis/apps/v1/statefulsets", 1],
    // Its parameters and its logging sidecar's configuration.
    ["/api/v1/configmaps", CONFIG_MAPS_PER_ACTIVATION],
    ["/api/v1/services", 1],
    ["/apis/networking.k8s.io/v1/networkpolicies", 1],
  ];
  for (const [path, each] of children) {
    const n = await count(path);
    if (n !== each * expectedActivations) missing.push(`${path}: ${n} of ${each * expectedActivations}`);
  }
  const notReady = (list: Obj[]) =>
    list
      .filter((o) => !isReady(o))
      .map((o) => {
        const ready = (o.status?.conditions as { type: string; reason?: string; message?: string }[] | undefined)?.find(
          (x) => x.type === "Ready",
        );
        const why = ready ? ` (${ready.reason}: ${ready.message})` : " (no Ready condition)";
        return `${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}${why}`;
      });
  if (tenantList.length !== tenants - 1) missing.push(`tenants: ${tenantList.length} of ${tenants - 1}`);
  if (namespaces.length !== tenants - 1) missing.push(`namespaces: ${namespaces.length} of ${tenants - 1}`);
  if (activations.length !== expectedActivations) {
    const expected = new Set(
      Array.from({ length: tenants - 1 }, (_, i) =>
        fleetActivations(i)
          .filter((a) => i % 5 !== 0 || a.metadata.name !== "uitlegbaarheid")
          .map((a) => `${tenantName(i)}/${a.metadata.name}`),
      ).flat(),
    );
    const unexpected = activations
      .map((a) => `${a.metadata.namespace}/${a.metadata.name}`)
      .filter((k) => !expected.has(k));
    missing.push(
      `activations: ${activations.length} of ${expectedActivations}${unexpected.length ? ` (not expected: ${unexpected.slice(0, 5).join(", ")})` : ""}`,
    );
  }
  for (const [kind, list] of [
    ["tenants", tenantList],
    ["activations", activations],
  ] as const) {
    const names = notReady(list);
    if (names.length)
      missing.push(
        `${kind} not Ready: ${names.slice(0, 5).join(", ")}${names.length > 5 ? `, and ${names.length - 5} more` : ""}`,
      );
  }
  return missing.join("; ");
}

/** Everything the operator keeps, by kind/namespace/name, with what may differ between runs removed. */
export async function snapshot(c: CountingClient): Promise<Map<string, string>> {
  const conditions = (o: Obj) =>
    ((o.status?.conditions ?? []) as { type: string; status: string; reason: string }[])
      .map((x) => `${x.type}=${x.status}/${x.reason}`)
      .sort();
  const sources: [string, string, string | undefined, (o: Obj) => unknown][] = [
    ["MunicipalTenant", `${API}/municipaltenants`, undefined, (o) => [o.spec, o.status?.phase, conditions(o)]],
    ["BlockActivation", `${API}/blockactivations`, undefined, (o) => [o.spec, o.status?.currentVersion, conditions(o)]],
    ["AIBuildingBlock", `${API}/aibuildingblocks`, undefined, (o) => [o.status?.latestVersions, conditions(o)]],
    ["Namespace", "/api/v1/namespaces", "aihub.gemeenten.nl/tenant", (o) => o.metadata.labels],
    ["ResourceQuota", "/api/v1/resourcequotas", "aihub.gemeenten.nl/tenant", (o) => o.spec],
    ["LimitRange", "/api/v1/limitranges", "aihub.gemeenten.nl/tenant", (o) => o.spec],
    ["NetworkPolicy", "/apis/networking.k8s.io/v1/networkpolicies", "aihub.gemeenten.nl/tenant", (o) => o.spec],
    ["Role", "/apis/rbac.authorization.k8s.io/v1/roles", "aihub.gemeenten.nl/tenant", (o) => o.rules],
    [
      "RoleBinding",
      "/apis/rbac.authorization.k8s.io/v1/rolebindings",
      "aihub.gemeenten.nl/tenant",
      (o) => [o.roleRef, o.subjects],
    ],
    [
      "ClusterRoleBinding",
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      "aihub.gemeenten.nl/tenant",
      (o) => [o.roleRef, o.subjects],
    ],
    ["ConfigMap", "/api/v1/configmaps", "aihub.gemeenten.nl/activation", (o) => o.data],
    ["StatefulSet", "/apis/apps/v1/statefulsets", "aihub.gemeenten.nl/activation", (o) => o.spec],
    [
      "Service",
      "/api/v1/services",
      "aihub.gemeenten.nl/activation",
      (o) => ({ ...o.spec, clusterIP: undefined, clusterIPs: undefined }),
    ],
    ["PodDisruptionBudget", "/apis/policy/v1/poddisruptionbudgets", "aihub.gemeenten.nl/activation", (o) => o.spec],
  ];
  const out = new Map<string, string>();
  for (const [kind, path, labelSelector, pick] of sources) {
    const list = await c.client.request<{ items: Obj[] }>("GET", path, { query: { labelSelector } });
    for (const o of list.items) {
      const owners = (o.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);
      // A Deployment's revision counts its rollouts (compared apart); the applied hash covers
      // the owner's uid, which differs between runs (what it hashes is compared itself); the
      // created mark says whether a child has been applied since its create, which depends on
      // timing (a reconcile that found it uncached and applied it), not on what it is.
      const {
        "deployment.kubernetes.io/revision": _,
        "aihub.gemeenten.nl/applied-config-hash": __,
        [CREATED_ANNOTATION]: ___,
        ...annotations
      } = o.metadata.annotations ?? {};
      const key = `${kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
      out.set(key, JSON.stringify([o.metadata.labels, annotations, owners, pick(o)]));
    }
  }
  return out;
}

/** ControllerRevisions per activation's StatefulSet: more than one is a rollout of pods the workload did not ask for. */
export async function extraRevisions(c: CountingClient): Promise<number> {
  const list = await c.client.request<{ items: Obj[] }>("GET", "/apis/apps/v1/controllerrevisions", {
    query: { labelSelector: "aihub.gemeenten.nl/activation" },
  });
  const perWorkload = new Map<string, number>();
  for (const r of list.items) {
    const d = `${r.metadata.namespace}/${r.metadata.ownerReferences?.[0]?.name}`;
    perWorkload.set(d, (perWorkload.get(d) ?? 0) + 1);
  }
  return [...perWorkload.values()].reduce((sum, n) => sum + n - 1, 0);
}
