import { describe, expect, it } from "vitest";
import { exampleBlock } from "../../../../test/support/example-catalog.ts";
import { readManifests } from "../../../../test/support/manifests.ts";
import { type MunicipalTenant, municipalTenant } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import { logboekVerdict } from "./logboek-status.ts";

const tenant = (name: string) =>
  municipalTenant.parse(readManifests(`examples/tenants/${name}.yaml`)[0]) as MunicipalTenant;
const deployment = (readyReplicas: number) => ({ metadata: { name: "d" }, status: { readyReplicas } }) as KubeObject;
const mapping = { "intake-analyse": "VWR-2024-017", "zaak-voorstel": "VWR-2024-018" };
const base = { block: exampleBlock("bezwaar-intake"), version: "1.4.0", mapping, replicas: 2 };

describe("logboekVerdict (LogboekReady)", () => {
  it("is True when the Logboek is configured and sidecars are ready, naming where records go", () => {
    expect(logboekVerdict({ ...base, tenant: tenant("utrecht"), workload: deployment(1) })).toEqual({
      status: "True",
      reason: "SidecarReady",
      message:
        "records go to https://logboek.utrecht.nl:4317 as register entries VWR-2024-017, VWR-2024-018; the logging sidecar is ready in 1 of 2 pods",
    });
  });

  it("is False while no pod's sidecar is ready, and Unknown while the block runs no pods", () => {
    expect(logboekVerdict({ ...base, tenant: tenant("utrecht"), workload: deployment(0) })).toMatchObject({
      status: "False",
      reason: "SidecarNotReady",
    });
    expect(logboekVerdict({ ...base, tenant: tenant("utrecht") })).toMatchObject({ reason: "SidecarNotReady" });
    expect(logboekVerdict({ ...base, tenant: tenant("utrecht"), replicas: 0 })).toMatchObject({
      status: "Unknown",
      reason: "NotRunning",
    });
  });

  it("is False when personal data is processed without a Logboek, and absent when nothing needs one", () => {
    expect(logboekVerdict({ ...base, tenant: tenant("amsterdam"), workload: deployment(2) })).toEqual({
      status: "False",
      reason: "NotConfigured",
      message:
        "municipality amsterdam has no Logboek (MunicipalTenant amsterdam spec.logboek), and version 1.4.0 processes personal data (intake-analyse, zaak-voorstel)",
    });
    expect(
      logboekVerdict({
        ...base,
        block: exampleBlock("pseudonimisering"),
        version: "1.2.0",
        tenant: tenant("amsterdam"),
      }),
    ).toBeUndefined();
  });
});
