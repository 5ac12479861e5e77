import { describe, expect, it } from "vitest";
import { municipalTenant } from "../../../operator/src/api/v1alpha1/index.ts";
import { readManifests } from "../../../test/support/manifests.ts";
import { translator } from "../page-text.ts";
import { renderMijnGemeente, tenantPageView } from "./mijn-gemeente.ts";

const utrecht = municipalTenant.parse(readManifests("examples/tenants/utrecht.yaml")[0]);

describe("tenantPageView", () => {
  it("shows the namespace's quota used against hard when the person may read it", () => {
    const v = tenantPageView(
      utrecht,
      {
        metadata: { name: "aihub-quota", namespace: "utrecht" },
        status: {
          hard: { "requests.cpu": "16", "count/blockactivations.aihub.gemeenten.nl": "30" },
          used: { "requests.cpu": "1500m" },
        },
      },
      2,
    );
    expect(v.quotaReadable).toBe(true);
    expect(v.quota).toEqual([
      { resource: "blockactivations", used: "0", hard: "30" },
      { resource: "requests.cpu", used: "1500m", hard: "16" },
    ]);
  });

  it("else the tenant's limits, with the activations it can count as the only use", () => {
    const v = tenantPageView(utrecht, null, 2);
    expect(v.quotaReadable).toBe(false);
    expect(v.quota[0]).toEqual({ resource: "blockactivations", used: "2", hard: "30" });
    expect(v.quota.find((q) => q.resource === "requests.cpu")).toEqual({
      resource: "requests.cpu",
      used: null,
      hard: "16",
    });
    expect(v.egress.map((e) => `${e.name} ${e.cidr} ${e.ports}`)).toEqual([
      "zaaksysteem 10.34.12.0/24 443/TCP",
      "documentopslag 10.34.14.20/32 443/TCP",
    ]);
    expect(v.ring).toBe("early");
    expect(v.logboek?.register.map((r) => r.id)).toEqual(["VWR-2024-017", "VWR-2024-018"]);
  });

  it("renders in English with the same data", () => {
    const page = renderMijnGemeente(tenantPageView(utrecht, null, 2), translator("en")).value;
    expect(page).toContain("My municipality: Utrecht");
    expect(page).toContain("Allowed outbound connections");
  });
});
