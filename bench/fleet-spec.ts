// The synthetic fleet: n municipalities with five activations each, from the example catalog.
import type { KubeObject } from "../operator/src/kube/object.ts";

export const FLEET_BLOCKS = [
  "bezwaar-intake",
  "pseudonimisering",
  "transcriptie",
  "juridische-ondersteuning",
  "uitlegbaarheid",
];

/** A tenant name and a synthetic CBS code (GM followed by four digits) for municipality i (0-based). */
export const tenantName = (i: number) => `gemeente-${String(i + 1).padStart(4, "0")}`;
const cbsCode = (i: number) => `GM${String(i + 1).padStart(4, "0")}`;

export function fleetTenant(i: number): KubeObject & { apiVersion: string; kind: string } {
  return {
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "MunicipalTenant",
    metadata: { name: tenantName(i) },
    spec: {
      municipalityCode: cbsCode(i),
      displayName: `Gemeente ${i + 1}`,
      admins: { groups: [`${tenantName(i)}-informatiebeheer`] },
      viewers: { groups: [`${tenantName(i)}-auditors`] },
      egress: [{ name: "zaaksysteem", cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24`, ports: [{ port: 443 }] }],
      logboek: {
        endpoint: `https://logboek.${tenantName(i)}.nl:4317`,
        cidr: `10.${200 + ((i >> 8) & 31)}.${i & 255}.8/32`,
        processingRegister: [
          { id: "VWR-001", name: "Behandelen bezwaarschriften" },
          { id: "VWR-002", name: "Registreren van zaken" },
        ],
      },
      rolloutRing: i % 10 === 0 ? "canary" : i % 3 === 0 ? "early" : "general",
      deletionProtection: false,
    },
  };
}

const parametersFor: Record<string, (tenant: string) => Record<string, unknown>> = {
  "bezwaar-intake": (t) => ({ caseSystemUrl: `https://zaken.${t}.nl/api/v1`, responseDeadlineDays: 42 }),
  pseudonimisering: () => ({ strategy: "pseudonym" }),
  transcriptie: () => ({ language: "nl" }),
  "juridische-ondersteuning": (t) => ({ localRegulationsSource: `CVDR-${t}` }),
  uitlegbaarheid: () => ({ audience: "resident", readingLevel: "B1" }),
};

const highRisk = new Set(["bezwaar-intake", "juridische-ondersteuning"]);

/** Each processing of personal data of a block (the example catalog's), as the register entry it is. */
const processingFor: Record<string, { activity: string; registerEntry: string }[]> = {
  "bezwaar-intake": [
    { activity: "intake-analyse", registerEntry: "VWR-001" },
    { activity: "zaak-voorstel", registerEntry: "VWR-002" },
  ],
};

export function fleetActivations(i: number): (KubeObject & { apiVersion: string; kind: string })[] {
  const tenant = tenantName(i);
  return FLEET_BLOCKS.map((block) => ({
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "BlockActivation",
    metadata: { name: block, namespace: tenant },
    spec: {
      block,
      channel: "stable",
      updatePolicy: "Automatic",
      parameters: parametersFor[block]?.(tenant) ?? {},
      ...(processingFor[block] ? { processingActivities: processingFor[block] } : {}),
      ...(highRisk.has(block) ? { humanInTheLoop: { required: true, reviewerGroup: `${tenant}-reviewers` } } : {}),
      replicas: 1,
    },
  }));
}
