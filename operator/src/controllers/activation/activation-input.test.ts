import { describe, expect, it } from "vitest";
import { exampleActivation, exampleBlock } from "../../../../test/support/example-catalog.ts";
import { readManifests } from "../../../../test/support/manifests.ts";
import { type MunicipalTenant, municipalTenant } from "../../api/v1alpha1/index.ts";
import { activationInput } from "./activation-input.ts";

const tenant = (name: string) =>
  municipalTenant.parse(readManifests(`examples/tenants/${name}.yaml`)[0]) as MunicipalTenant;
const version = { version: "1.4.0", image: "registry.gemeenten.nl/aihub/bezwaar-intake@sha256:x" };

describe("activationInput", () => {
  it("carries the municipality's Logboek, its port from the endpoint, and the activity mapping", () => {
    const input = activationInput(
      exampleActivation("utrecht", "bezwaar-intake"),
      exampleBlock("bezwaar-intake"),
      tenant("utrecht"),
      version,
      {},
    );
    expect(input.municipalityCode).toBe("GM0344");
    expect(input.logboek).toEqual({
      endpoint: "https://logboek.utrecht.nl:4317",
      cidr: "10.34.20.8/32",
      port: 4317,
      clientCertificateSecret: "aihub-logboek-client",
      logLines: "Drop",
    });
    expect(input.processingActivities).toEqual({ "intake-analyse": "VWR-2024-017", "zaak-voorstel": "VWR-2024-018" });
  });

  it("lists the version's activities declared without personal data that the activation does not map", () => {
    const block = exampleBlock("bezwaar-intake");
    const v = block.spec.versions.find((x) => x.version === "1.4.0");
    if (!v) throw new Error("example block bezwaar-intake has no version 1.4.0");
    const activities = [
      ...(v.processingActivities ?? []),
      { id: "telling", description: "Telt bezwaren per maand", personalData: false },
      { id: "zaak-voorstel-statistiek", description: "Statistiek", personalData: false },
    ];
    const withOwn = {
      ...block,
      spec: {
        ...block.spec,
        versions: block.spec.versions.map((x) => (x === v ? { ...x, processingActivities: activities } : x)),
      },
    };
    const a = exampleActivation("utrecht", "bezwaar-intake");
    const mapped = {
      ...a,
      spec: {
        ...a.spec,
        processingActivities: [
          ...(a.spec.processingActivities ?? []),
          { activity: "zaak-voorstel-statistiek", registerEntry: "VWR-2024-018" },
        ],
      },
    };
    const input = activationInput(mapped, withOwn, tenant("utrecht"), version, {});
    expect(input.activitiesWithoutPersonalData).toEqual(["telling"]);
    expect(activationInput(a, block, tenant("utrecht"), version, {}).activitiesWithoutPersonalData).toBeUndefined();
  });

  it("takes port 443 for an endpoint without one, and no Logboek where the tenant has none", () => {
    const utrecht = tenant("utrecht");
    const logboek = { ...utrecht.spec.logboek, endpoint: "https://logboek.utrecht.nl" } as NonNullable<
      MunicipalTenant["spec"]["logboek"]
    >;
    const a = exampleActivation("utrecht", "bezwaar-intake");
    const block = exampleBlock("bezwaar-intake");
    expect(
      activationInput(a, block, { ...utrecht, spec: { ...utrecht.spec, logboek } }, version, {}).logboek?.port,
    ).toBe(443);
    expect(activationInput(a, block, tenant("amsterdam"), version, {}).logboek).toBeUndefined();
  });
});
