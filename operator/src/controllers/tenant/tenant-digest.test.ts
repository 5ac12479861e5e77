import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/object.ts";
import { type TenantInputs, tenantDigest } from "./tenant-digest.ts";

const obj = (name: string, meta: Partial<KubeObject["metadata"]> = {}, rest: Record<string, unknown> = {}) =>
  ({ metadata: { name, uid: `uid-${name}`, resourceVersion: "10", ...meta }, ...rest }) as KubeObject;

const quota = (used: Record<string, string>, spec = { hard: { pods: "20", "count/blockactivations": "10" } }) =>
  obj(
    "aihub-quota",
    { namespace: "utrecht", resourceVersion: String(100 + Object.keys(used).length) },
    { spec, status: { hard: spec.hard, used } },
  );

type Inputs = Omit<TenantInputs, "children" | "clusterRoles"> & {
  children: { kind: string; object: KubeObject }[];
  clusterRoles: KubeObject[];
};

const base = (): Inputs => ({
  tenant: obj("utrecht", { generation: 1, finalizers: ["aihub.gemeenten.nl/tenant"] }),
  namespace: obj("utrecht", { labels: { "aihub.gemeenten.nl/tenant": "utrecht" } }),
  children: [
    { kind: "ResourceQuota", object: quota({ pods: "0", "count/blockactivations": "0" }) },
    { kind: "NetworkPolicy", object: obj("aihub-default-deny", { namespace: "utrecht", generation: 1 }) },
    { kind: "ClusterRoleBinding", object: obj("aihub-utrecht-catalog-readers") },
  ],
  clusterRoles: [obj("aihub-tenant-admin"), obj("aihub-catalog-reader")],
});

/** `base()` with one change applied. */
const changed = (change: (i: Inputs) => void) => {
  const i = base();
  change(i);
  return tenantDigest(i);
};

describe("tenantDigest", () => {
  it("is the same for the same inputs, whatever the order of the children and roles", () => {
    expect(tenantDigest(base())).toBeDefined();
    expect(
      changed((i) => {
        i.children.reverse();
        i.clusterRoles.reverse();
      }),
    ).toBe(tenantDigest(base()));
  });

  it("stays when only the counts in the quota's status moved (every create in the namespace moves them)", () => {
    const counted = changed((i) => {
      i.children[0] = { kind: "ResourceQuota", object: quota({ pods: "7", "count/blockactivations": "3" }) };
      (i.children[0].object.metadata as { resourceVersion: string }).resourceVersion = "999";
    });
    expect(counted).toBe(tenantDigest(base()));
  });

  it("changes with every input the rendering, the applies or the prune depend on", () => {
    const digests = [
      changed((i) => (i.tenant = obj("utrecht", { generation: 2, finalizers: ["aihub.gemeenten.nl/tenant"] }))),
      changed((i) => (i.tenant = obj("utrecht", { generation: 1, uid: "recreated", finalizers: [] }))),
      changed((i) => (i.tenant = obj("utrecht", { generation: 1 }))),
      // Its label taken away (which moves its resourceVersion, as every change does), or edited otherwise.
      changed((i) => (i.namespace = obj("utrecht", { labels: {}, resourceVersion: "12" }))),
      changed(
        (i) =>
          (i.namespace = obj("utrecht", { labels: { "aihub.gemeenten.nl/tenant": "utrecht" }, resourceVersion: "11" })),
      ),
      // The quota: a resource counted for the first time, its spec, its hard limits as the API server took them.
      changed((i) => (i.children[0] = { kind: "ResourceQuota", object: quota({ pods: "0" }) })),
      changed(
        (i) =>
          (i.children[0] = {
            kind: "ResourceQuota",
            object: quota(
              { pods: "0", "count/blockactivations": "0" },
              { hard: { pods: "999", "count/blockactivations": "10" } },
            ),
          }),
      ),
      // Any other child: edited (resourceVersion), relabelled, taken over in part by someone else, gone, added.
      changed(
        (i) =>
          (i.children[1] = {
            kind: "NetworkPolicy",
            object: obj("aihub-default-deny", { namespace: "utrecht", resourceVersion: "11" }),
          }),
      ),
      changed(
        (i) =>
          (i.children[1] = {
            kind: "NetworkPolicy",
            // Any change of an object moves its resourceVersion, its labels' too: that is what counts.
            object: obj("aihub-default-deny", { namespace: "utrecht", labels: { a: "b" }, resourceVersion: "12" }),
          }),
      ),
      changed(
        (i) =>
          (i.children[2] = {
            kind: "ClusterRoleBinding",
            object: obj("aihub-utrecht-catalog-readers", {
              managedFields: [{ manager: "kubectl-edit", fieldsV1: {} }],
              resourceVersion: "13",
            }),
          }),
      ),
      changed((i) => i.children.splice(1, 1)),
      changed((i) => i.children.push({ kind: "NetworkPolicy", object: obj("allow-more", { namespace: "utrecht" }) })),
      // The shared ClusterRoles: one gone, one changed.
      changed((i) => i.clusterRoles.pop()),
      changed((i) => (i.clusterRoles[0] = obj("aihub-tenant-admin", { resourceVersion: "11" }))),
    ];
    const unchanged = tenantDigest(base());
    for (const [n, d] of digests.entries()) expect(d, `change ${n}`).not.toBe(unchanged);
    expect(new Set(digests).size).toBe(digests.length);
  });

  it("is undefined without the tenant's generation or before its namespace is cached", () => {
    expect(changed((i) => (i.tenant = obj("utrecht")))).toBeUndefined();
    expect(changed((i) => (i.namespace = undefined))).toBeUndefined();
  });
});
