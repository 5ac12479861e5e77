// From the API objects to the renderer's input: the one place that decides what an activation
// renders with (used by the controller, and by the fleet benchmark's raw baseline).
import type { ActivationInput } from "../../../../cdk/src/activation/activation-input.ts";
import { type ParameterValue, renderParameters } from "../../api/parameters.ts";
import { canonicalQuantity } from "../../api/quantity.ts";
import type { AIBuildingBlock, BlockActivation, MunicipalTenant } from "../../api/v1alpha1/index.ts";

type Resources = { requests?: Record<string, string | undefined>; limits?: Record<string, string | undefined> };

/** Requests and limits in the API server's canonical quantities (else every resync would write). */
export function canonicalResources(r: Resources | undefined): ActivationInput["resources"] {
  const canon = (list?: Record<string, string | undefined>) => {
    if (!list) return undefined;
    const entries = Object.entries(list).filter((e): e is [string, string] => e[1] !== undefined);
    return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, canonicalQuantity(v)])) : undefined;
  };
  const requests = canon(r?.requests);
  const limits = canon(r?.limits);
  return { ...(requests && { requests }), ...(limits && { limits }) };
}

export function activationInput(
  activation: BlockActivation,
  block: AIBuildingBlock,
  tenant: MunicipalTenant,
  version: { version: string; image: string },
  parameters: Record<string, ParameterValue>,
): ActivationInput {
  const namespace = activation.metadata.namespace ?? "";
  const mapping = Object.fromEntries(
    (activation.spec.processingActivities ?? []).map((m) => [m.activity, m.registerEntry]),
  );
  const withoutPersonalData = (
    block.spec.versions.find((v) => v.version === version.version)?.processingActivities ?? []
  )
    .filter((a) => a.personalData === false && !(a.id in mapping))
    .map((a) => a.id)
    .sort();
  return {
    activation: {
      name: activation.metadata.name ?? "",
      namespace,
      uid: String(activation.metadata.uid ?? ""),
      replicas: activation.spec.replicas ?? 1,
    },
    block: {
      name: block.metadata.name ?? "",
      port: block.spec.runtime?.port ?? 8080,
      riskClass: block.spec.certification.riskClass,
    },
    version,
    parameters: renderParameters(parameters),
    resources: canonicalResources(activation.spec.resources ?? block.spec.runtime?.resources),
    humanInTheLoop: activation.spec.humanInTheLoop,
    egress: (tenant.spec.egress ?? []).map((e) => ({
      cidr: e.cidr,
      ports: e.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })),
    })),
    tenant: tenant.metadata.name ?? namespace,
    municipalityCode: tenant.spec.municipalityCode,
    ...(tenant.spec.logboek && { logboek: logboekOf(tenant.spec.logboek) }),
    processingActivities: mapping,
    ...(withoutPersonalData.length && { activitiesWithoutPersonalData: withoutPersonalData }),
  };
}

/** Where the Logboek is: its endpoint, and the network and port a network policy opens to it. */
function logboekOf(l: NonNullable<MunicipalTenant["spec"]["logboek"]>): NonNullable<ActivationInput["logboek"]> {
  return {
    endpoint: l.endpoint,
    cidr: l.cidr,
    port: Number(new URL(l.endpoint).port || 443),
    clientCertificateSecret: l.clientCertificateSecret ?? "aihub-logboek-client",
    logLines: l.logLines ?? "Drop",
  };
}
