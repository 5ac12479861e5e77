import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { zwolle } from "../../../../test/support/tenant-fixture.ts";
import { renderCatalogBinding, renderRoleBindings, renderSharedClusterRoles } from "./rbac.ts";
import type { RenderedObject } from "./render.ts";

const tenant = zwolle;

const subjectNames = (o: RenderedObject | undefined) =>
  (o?.subjects as { kind: string; name: string }[] | undefined)?.map((s) => `${s.kind}:${s.name}`);

describe("renderRoleBindings", () => {
  it("binds admins and viewers to their roles, groups first", () => {
    const [admins, viewers] = renderRoleBindings(
      tenant({ admins: { users: ["a@zwolle.nl"], groups: ["gm0193-beheer"] }, viewers: { users: ["v@zwolle.nl"] } }),
    );
    expect(admins?.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "aihub-tenant-admin",
    });
    expect(subjectNames(admins)).toEqual(["Group:gm0193-beheer", "User:a@zwolle.nl"]);
    expect(viewers?.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "aihub-tenant-viewer",
    });
    expect(subjectNames(viewers)).toEqual(["User:v@zwolle.nl"]);
  });

  it("renders no binding for a role without subjects, so that removing the last one deletes it", () => {
    const bindings = renderRoleBindings(tenant({ admins: { users: ["a@zwolle.nl"] }, viewers: { groups: [] } }));
    expect(bindings.map((b) => b.metadata.name)).toEqual(["aihub-tenant-admins"]);
  });
});

describe("renderCatalogBinding", () => {
  it("binds admins and viewers together, each once, to aihub-tenant-user", () => {
    const binding = renderCatalogBinding(
      tenant({ admins: { groups: ["g1"], users: ["u1"] }, viewers: { groups: ["g2", "g1"], users: ["u1"] } }),
    );
    expect(binding?.metadata.name).toBe("aihub-tenant-zwolle-catalog");
    expect(binding?.metadata.namespace).toBeUndefined();
    expect(binding?.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "aihub-tenant-user",
    });
    expect(subjectNames(binding)).toEqual(["Group:g1", "Group:g2", "User:u1"]);
  });

  it("is undefined when the tenant has nobody, also with empty lists", () => {
    expect(renderCatalogBinding(tenant())).toBeUndefined();
    expect(renderCatalogBinding(tenant({ admins: { groups: [] }, viewers: {} }))).toBeUndefined();
  });

  it("binds viewers alone", () => {
    expect(subjectNames(renderCatalogBinding(tenant({ viewers: { users: ["v"] } })))).toEqual(["User:v"]);
  });
});

describe("charts/aihub/templates/tenant-cluster-roles.yaml", () => {
  it("is what renderSharedClusterRoles renders (installed with the operator, ADR 11)", () => {
    const file = readFileSync("charts/aihub/templates/tenant-cluster-roles.yaml", "utf8");
    expect(parseAllDocuments(file).map((d) => d.toJS())).toEqual(renderSharedClusterRoles());
  });
});

describe("renderSharedClusterRoles", () => {
  it("renders the tenants' two roles and the catalog reader, aggregated into aihub-tenant-user, which has no rules of its own", () => {
    const roles = renderSharedClusterRoles();
    expect(roles.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual([
      "ClusterRole/aihub-tenant-admin",
      "ClusterRole/aihub-tenant-viewer",
      "ClusterRole/aihub-catalog-reader",
      "ClusterRole/aihub-tenant-user",
    ]);
    const reader = roles.find((r) => r.metadata.name === "aihub-catalog-reader");
    expect(reader?.metadata.labels).toMatchObject({ "aihub.gemeenten.nl/aggregate-to-tenant-user": "true" });
    expect(reader?.rules).toEqual([
      { apiGroups: ["aihub.gemeenten.nl"], resources: ["aibuildingblocks"], verbs: ["get", "list", "watch"] },
    ]);
    const user = roles.find((r) => r.metadata.name === "aihub-tenant-user");
    expect(user?.rules).toBeUndefined();
    expect(user?.aggregationRule).toEqual({
      clusterRoleSelectors: [{ matchLabels: { "aihub.gemeenten.nl/aggregate-to-tenant-user": "true" } }],
    });
  });
});
