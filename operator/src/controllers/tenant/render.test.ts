import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { canonicalQuantity } from "../../api/quantity.ts";
import { type MunicipalTenant, municipalTenant } from "../../api/v1alpha1/index.ts";
import { MANAGED_BY, MANAGED_BY_LABEL, TENANT_LABEL } from "./labels.ts";
import { renderSharedClusterRoles } from "./rbac.ts";
import { childKinds, DEFAULT_TENANT_RENDER_CONTEXT, type RenderedObject, renderTenant } from "./render.ts";

const example = (name: string): MunicipalTenant =>
  municipalTenant.parse(parse(readFileSync(`examples/tenants/${name}.yaml`, "utf8")));

/** A tenant with nothing optional: no quota, egress, admins or viewers. */
const bare = (): MunicipalTenant =>
  municipalTenant.parse({
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "MunicipalTenant",
    metadata: { name: "bare" },
    spec: { municipalityCode: "GM9999", displayName: "Bare" },
  });

const tenants = () => [example("utrecht"), example("amsterdam"), example("steenwijkerland"), bare()];
const render = (t: MunicipalTenant) => renderTenant(t, DEFAULT_TENANT_RENDER_CONTEXT);
const all = (t: MunicipalTenant) => {
  const r = render(t);
  return [r.namespace, ...r.children, ...r.clusterChildren];
};
const named = (objects: RenderedObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

/**
 * Paths of values the API server would not give back as written: undefined, or an empty list or
 * object it drops (omitempty). A podSelector is the exception: {} means "all pods" and is kept,
 * both at spec.podSelector (a required field) and in a peer (a pointer, kept when set).
 */
function droppedByServer(value: unknown, path = ""): string[] {
  if (value === undefined) return [path];
  if (value === null || typeof value !== "object") return [];
  const entries = Object.entries(value);
  if (entries.length === 0 && !path.endsWith(".podSelector")) return [path];
  return entries.flatMap(([k, v]) => droppedByServer(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`));
}

describe("renderTenant", () => {
  it("renders Utrecht", () => {
    expect(render(example("utrecht"))).toMatchInlineSnapshot(`
      {
        "children": [
          {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-quota",
              "namespace": "utrecht",
            },
            "spec": {
              "hard": {
                "configmaps": "64",
                "count/blockactivations.aihub.gemeenten.nl": "30",
                "count/networkpolicies.networking.k8s.io": "36",
                "count/poddisruptionbudgets.policy": "30",
                "count/statefulsets.apps": "30",
                "persistentvolumeclaims": "100",
                "pods": "100",
                "requests.cpu": "16",
                "requests.memory": "64Gi",
                "requests.storage": "200Gi",
                "services": "30",
              },
            },
          },
          {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-limits",
              "namespace": "utrecht",
            },
            "spec": {
              "limits": [
                {
                  "default": {
                    "cpu": "500m",
                    "memory": "512Mi",
                  },
                  "defaultRequest": {
                    "cpu": "100m",
                    "memory": "128Mi",
                  },
                  "max": {
                    "cpu": "16",
                    "memory": "64Gi",
                  },
                  "maxLimitRequestRatio": {
                    "cpu": "10",
                    "memory": "4",
                  },
                  "type": "Container",
                },
              ],
            },
          },
          {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-default-deny",
              "namespace": "utrecht",
            },
            "spec": {
              "podSelector": {},
              "policyTypes": [
                "Ingress",
                "Egress",
              ],
            },
          },
          {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-allow-dns",
              "namespace": "utrecht",
            },
            "spec": {
              "egress": [
                {
                  "ports": [
                    {
                      "port": 53,
                      "protocol": "UDP",
                    },
                    {
                      "port": 53,
                      "protocol": "TCP",
                    },
                  ],
                  "to": [
                    {
                      "namespaceSelector": {
                        "matchLabels": {
                          "kubernetes.io/metadata.name": "kube-system",
                        },
                      },
                      "podSelector": {
                        "matchLabels": {
                          "k8s-app": "kube-dns",
                        },
                      },
                    },
                  ],
                },
              ],
              "podSelector": {},
              "policyTypes": [
                "Egress",
              ],
            },
          },
          {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-allow-same-namespace",
              "namespace": "utrecht",
            },
            "spec": {
              "egress": [
                {
                  "to": [
                    {
                      "podSelector": {},
                    },
                  ],
                },
              ],
              "ingress": [
                {
                  "from": [
                    {
                      "podSelector": {},
                    },
                  ],
                },
              ],
              "podSelector": {},
              "policyTypes": [
                "Ingress",
                "Egress",
              ],
            },
          },
          {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-allow-logging",
              "namespace": "utrecht",
            },
            "spec": {
              "egress": [
                {
                  "ports": [
                    {
                      "port": 24224,
                      "protocol": "TCP",
                    },
                  ],
                  "to": [
                    {
                      "namespaceSelector": {
                        "matchLabels": {
                          "kubernetes.io/metadata.name": "aihub-logging",
                        },
                      },
                    },
                  ],
                },
              ],
              "podSelector": {},
              "policyTypes": [
                "Egress",
              ],
            },
          },
          {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-egress-zaaksysteem",
              "namespace": "utrecht",
            },
            "spec": {
              "egress": [
                {
                  "ports": [
                    {
                      "port": 443,
                      "protocol": "TCP",
                    },
                  ],
                  "to": [
                    {
                      "ipBlock": {
                        "cidr": "10.34.12.0/24",
                      },
                    },
                  ],
                },
              ],
              "podSelector": {},
              "policyTypes": [
                "Egress",
              ],
            },
          },
          {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-egress-documentopslag",
              "namespace": "utrecht",
            },
            "spec": {
              "egress": [
                {
                  "ports": [
                    {
                      "port": 443,
                      "protocol": "TCP",
                    },
                  ],
                  "to": [
                    {
                      "ipBlock": {
                        "cidr": "10.34.14.20/32",
                      },
                    },
                  ],
                },
              ],
              "podSelector": {},
              "policyTypes": [
                "Egress",
              ],
            },
          },
          {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-tenant-admins",
              "namespace": "utrecht",
            },
            "roleRef": {
              "apiGroup": "rbac.authorization.k8s.io",
              "kind": "ClusterRole",
              "name": "aihub-tenant-admin",
            },
            "subjects": [
              {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Group",
                "name": "gm0344-informatiebeheer",
              },
              {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "User",
                "name": "j.devries@utrecht.nl",
              },
            ],
          },
          {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-tenant-viewers",
              "namespace": "utrecht",
            },
            "roleRef": {
              "apiGroup": "rbac.authorization.k8s.io",
              "kind": "ClusterRole",
              "name": "aihub-tenant-viewer",
            },
            "subjects": [
              {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Group",
                "name": "gm0344-auditors",
              },
            ],
          },
        ],
        "clusterChildren": [
          {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {
              "labels": {
                "aihub.gemeenten.nl/municipality-code": "GM0344",
                "aihub.gemeenten.nl/rollout-ring": "early",
                "aihub.gemeenten.nl/tenant": "utrecht",
                "app.kubernetes.io/managed-by": "aihub-operator",
              },
              "name": "aihub-tenant-utrecht-catalog",
            },
            "roleRef": {
              "apiGroup": "rbac.authorization.k8s.io",
              "kind": "ClusterRole",
              "name": "aihub-tenant-user",
            },
            "subjects": [
              {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Group",
                "name": "gm0344-informatiebeheer",
              },
              {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Group",
                "name": "gm0344-auditors",
              },
              {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "User",
                "name": "j.devries@utrecht.nl",
              },
            ],
          },
        ],
        "namespace": {
          "apiVersion": "v1",
          "kind": "Namespace",
          "metadata": {
            "labels": {
              "aihub.gemeenten.nl/deletion-protection": "true",
              "aihub.gemeenten.nl/municipality-code": "GM0344",
              "aihub.gemeenten.nl/rollout-ring": "early",
              "aihub.gemeenten.nl/tenant": "utrecht",
              "app.kubernetes.io/managed-by": "aihub-operator",
              "pod-security.kubernetes.io/audit": "restricted",
              "pod-security.kubernetes.io/audit-version": "v1.35",
              "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/enforce-version": "v1.35",
              "pod-security.kubernetes.io/warn": "restricted",
              "pod-security.kubernetes.io/warn-version": "v1.35",
            },
            "name": "utrecht",
          },
        },
      }
    `);
  });

  it("renders defaults for a tenant without quota, egress, admins or viewers, and no bindings", () => {
    const r = render(bare());
    expect(r.clusterChildren).toEqual([]);
    expect(named(r.children, "ResourceQuota", "aihub-quota")?.spec).toEqual({
      hard: {
        "requests.cpu": "8",
        "requests.memory": "32Gi",
        pods: "50",
        "requests.storage": "100Gi",
        // 30 activations by default, each with one of every child (two ConfigMaps); four policies of the tenant's own.
        "count/blockactivations.aihub.gemeenten.nl": "30",
        "count/statefulsets.apps": "30",
        // One queue claim per pod at most (the logging sidecar's).
        persistentvolumeclaims: "50",
        "count/poddisruptionbudgets.policy": "30",
        services: "30",
        configmaps: "64",
        "count/networkpolicies.networking.k8s.io": "34",
      },
    });
    expect(r.children.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ResourceQuota/aihub-quota",
      "LimitRange/aihub-limits",
      "NetworkPolicy/aihub-default-deny",
      "NetworkPolicy/aihub-allow-dns",
      "NetworkPolicy/aihub-allow-same-namespace",
      "NetworkPolicy/aihub-allow-logging",
    ]);
    expect(r.namespace.metadata.labels).toMatchObject({ "aihub.gemeenten.nl/rollout-ring": "general" });
  });

  it("fills quota defaults for a partial quota and writes pods as a canonical quantity", () => {
    const t = bare();
    t.spec.quota = { cpu: "1500m", memory: "1.5Gi", pods: 1000, storage: "1000Gi", activations: 200 };
    expect(named(render(t).children, "ResourceQuota", "aihub-quota")?.spec).toMatchObject({
      hard: {
        "requests.cpu": "1500m",
        "requests.memory": "1536Mi",
        pods: "1k",
        "requests.storage": "1000Gi",
        "count/blockactivations.aihub.gemeenten.nl": "200",
      },
    });
    // As a quota might arrive before defaulting: only cpu given.
    t.spec.quota = { cpu: "2" } as MunicipalTenant["spec"]["quota"];
    expect(named(render(t).children, "ResourceQuota", "aihub-quota")?.spec).toMatchObject({
      hard: { "requests.cpu": "2", "requests.memory": "32Gi", pods: "50", "requests.storage": "100Gi" },
    });
  });

  it.each(tenants().map((t) => [t.metadata.name, t] as const))(
    "%s: every object names its kind and is labelled as the tenant's; children live in its namespace",
    (name, t) => {
      const r = render(t);
      expect(r.namespace.metadata.name).toBe(name);
      for (const o of all(t)) {
        expect(o.apiVersion).toBeTruthy();
        expect(o.kind).toBeTruthy();
        expect(o.metadata.labels?.[TENANT_LABEL], `${o.kind}/${o.metadata.name}`).toBe(name);
        expect(o.metadata.labels?.[MANAGED_BY_LABEL]).toBe(MANAGED_BY);
      }
      for (const o of r.children) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(name);
      for (const o of [r.namespace, ...r.clusterChildren]) expect(o.metadata.namespace).toBeUndefined();
    },
  );

  it.each(tenants().map((t) => [t.metadata.name, t] as const))(
    "%s: nothing is undefined or an empty value the API server would drop",
    (_, t) => {
      expect(all(t).flatMap((o) => droppedByServer(o).map((p) => `${o.kind}/${o.metadata.name}${p}`))).toEqual([]);
    },
  );

  it("the check for dropped values finds them", () => {
    expect(droppedByServer({ a: { b: undefined, c: [], d: {}, e: [{}] }, spec: { podSelector: {} } })).toEqual([
      ".a.b",
      ".a.c",
      ".a.d",
      ".a.e[0]",
    ]);
  });

  it.each(tenants().map((t) => [t.metadata.name, t] as const))("%s: names are unique per kind", (_, t) => {
    const ids = all(t).map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("renders no Role: tenants are bound to the shared ClusterRoles in their namespace (ADR 11)", () => {
    for (const t of tenants()) expect(render(t).children.filter((o) => o.kind === "Role")).toEqual([]);
  });

  it.each(renderSharedClusterRoles().map((r) => [r.metadata.name, r] as const))(
    "%s: grants no secrets, policies, quotas, RBAC or namespaces, and uses no wildcards",
    (_, role) => {
      const forbidden = ["secrets", "networkpolicies", "resourcequotas", "limitranges", "roles", "rolebindings"];
      {
        const rules = (role.rules ?? []) as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
        for (const rule of rules) {
          for (const resource of rule.resources) {
            const base = resource.split("/")[0] ?? "";
            expect(forbidden.includes(base) || base.startsWith("namespace"), resource).toBe(false);
          }
          expect([...rule.resources, ...rule.verbs, ...rule.apiGroups]).not.toContain("*");
          expect(rule.verbs).not.toContain("escalate");
          expect(rule.verbs).not.toContain("bind");
          expect(rule.verbs).not.toContain("impersonate");
        }
      }
    },
  );

  it("gives viewers only reads", () => {
    const viewer = named(renderSharedClusterRoles(), "ClusterRole", "aihub-tenant-viewer");
    const rules = (viewer?.rules ?? []) as { verbs: string[] }[];
    expect(rules.length).toBeGreaterThan(0);
    const verbs = rules.flatMap((r) => r.verbs);
    expect(new Set(verbs)).toEqual(new Set(["get", "list", "watch"]));
  });

  it.each(tenants().map((t) => [t.metadata.name, t] as const))(
    "%s: every quantity is already in canonical form",
    (_, t) => {
      const r = render(t);
      const quota = named(r.children, "ResourceQuota", "aihub-quota")?.spec as { hard: Record<string, string> };
      const limits = named(r.children, "LimitRange", "aihub-limits")?.spec as {
        limits: Record<string, Record<string, string> | string>[];
      };
      const quantities = [
        ...Object.values(quota.hard),
        ...limits.limits.flatMap((l) =>
          [l.default, l.defaultRequest, l.max, l.maxLimitRequestRatio].flatMap((v) => Object.values(v ?? {})),
        ),
      ];
      expect(quantities.length).toBe(19);
      for (const q of quantities) expect(canonicalQuantity(q)).toBe(q);
    },
  );

  it("bounds each container by the whole quota and its limits by 10 (CPU) and 4 (memory) times its requests", () => {
    const t = example("utrecht");
    const limits = named(render(t).children, "LimitRange", "aihub-limits")?.spec as {
      limits: { max: Record<string, string>; maxLimitRequestRatio: Record<string, string> }[];
    };
    const quota = named(render(t).children, "ResourceQuota", "aihub-quota")?.spec as { hard: Record<string, string> };
    expect(limits.limits[0]?.max).toEqual({ cpu: quota.hard["requests.cpu"], memory: quota.hard["requests.memory"] });
    expect(limits.limits[0]?.maxLimitRequestRatio).toEqual({ cpu: "10", memory: "4" });
  });

  it("lists every namespaced kind it renders in childKinds, and Role, whose old copies it removes", () => {
    const rendered = new Set(tenants().flatMap((t) => render(t).children.map((o) => `${o.apiVersion} ${o.kind}`)));
    expect(new Set(childKinds.map((k) => `${k.apiVersion} ${k.kind}`))).toEqual(
      new Set([...rendered, "rbac.authorization.k8s.io/v1 Role"]),
    );
  });

  it("renders the same objects twice, and does not share objects between renders or with the context", () => {
    const first = render(example("utrecht"));
    const second = render(example("utrecht"));
    expect(second).toEqual(first);
    const dns = named(first.children, "NetworkPolicy", "aihub-allow-dns")?.spec as {
      egress: { to: { podSelector: { matchLabels: Record<string, string> } }[] }[];
    };
    const labels = dns.egress[0]?.to[0]?.podSelector.matchLabels;
    expect(labels).toEqual({ "k8s-app": "kube-dns" });
    expect(labels).not.toBe(DEFAULT_TENANT_RENDER_CONTEXT.dns.podLabels);
  });

  it("throws when the tenant has no name", () => {
    const t = bare();
    t.metadata.name = undefined;
    expect(() => render(t)).toThrow("the MunicipalTenant has no metadata.name");
  });
});
