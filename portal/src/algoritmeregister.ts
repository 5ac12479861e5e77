// A municipality's entries for the Algoritmeregister (the Dutch government's register of
// algorithms), made from what runs: one entry per BlockActivation in the tenant's namespace, with
// the catalog's block and the version that runs. A pure function: the portal's transparency page
// offers its output as a download, and the municipality completes and publishes it.
//
// The standard followed: the Algoritmeregister publication standard ("publicatiestandaard")
// version 1.0, with its own field names and value lists (the field list of the register's
// publication API for standard_version "1.0"). Filled from the API:
//   name, description_short, organization, status, begin_date, publication_category, url, goal,
//   human_intervention, risks, impacttoetsen_grouping and impacttoetsen (the DPIA reference),
//   source_data (the version's processing activities), methods_and_models, provider, lang,
//   standard_version, source_id, tags.
// Not filled, because the API holds nothing to fill them with (the municipality writes them):
//   contact_email (required by the standard; filled only when the caller passes a contact),
//   category (the policy area: a block's category says what kind of work it does, not where),
//   website, proportionality, lawful_basis and lawful_basis_grouping, process_index_url (the
//   tenant's processing register has ids, not a public URL), source_data_grouping, publiccode,
//   end_date (an entry exists only while its activation does), lars (the register assigns it).
// Fields named in older versions (0.x) and no longer in 1.0, such as type, decision-making process,
// documentation, competent authority, iama and dpia, are not written; the IAMA and the DPIA are
// impacttoetsen in 1.0, and only the DPIA has a place in the API. Texts come from the catalog as
// its suppliers wrote them (the example catalog is in English), while lang says "nld", the only
// value 1.0 permits. The register's own download is an Excel workbook, not CSV, so this export is
// JSON only.
import type { AIBuildingBlock, BlockActivation, MunicipalTenant } from "../../operator/src/api/v1alpha1/index.ts";
import { tenantName } from "../../operator/src/controllers/tenant/labels.ts";

export const STANDARD_VERSION = "1.0";

export const STATUS_VALUES = ["In ontwikkeling", "In gebruik", "Buiten gebruik"] as const;
export const PUBLICATION_CATEGORIES = [
  "Hoog-risico AI-systeem",
  "Impactvolle algoritmes",
  "Overige algoritmes",
] as const;
export const DPIA_TITLE = "Data Protection Impact Assessment (DPIA)";

export interface ImpactAssessment {
  title: string;
  link?: string;
}

/** One entry in the standard's field names. */
export interface AlgoritmeregisterEntry {
  name: string;
  description_short: string;
  organization: string;
  status: (typeof STATUS_VALUES)[number];
  begin_date?: string;
  contact_email?: string;
  publication_category: (typeof PUBLICATION_CATEGORIES)[number];
  url?: string;
  goal: string;
  human_intervention: string;
  risks: string;
  impacttoetsen_grouping?: ImpactAssessment[];
  impacttoetsen?: string;
  source_data?: string;
  methods_and_models: string;
  provider: string;
  lang: "nld";
  standard_version: typeof STANDARD_VERSION;
  source_id: string;
  tags: string;
}

/** The standard's maximum lengths of the fields this module writes. */
export const MAX_LENGTH = {
  name: 100,
  description_short: 350,
  organization: 100,
  contact_email: 500,
  url: 500,
  goal: 2500,
  human_intervention: 2500,
  risks: 2500,
  impacttoetsen: 2500,
  source_data: 2500,
  methods_and_models: 5000,
  provider: 200,
  source_id: 100,
  tags: 2500,
  link: 500,
} as const;

export interface AlgoritmeregisterInput {
  tenant: MunicipalTenant;
  /** Activations of any namespace: only the tenant's own are used. */
  activations: readonly BlockActivation[];
  blocks: readonly AIBuildingBlock[];
  /** Where people ask about the municipality's algorithms (the standard's contact_email). */
  contact?: string;
  /** The URL this export is served at (the standard's url: the source registration). */
  url?: string;
}

/** Cuts text to the standard's length at a word boundary, ending in an ellipsis. */
export function clip(text: string, max: number): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, "")}…`;
}

/** The first sentence or two of a description, within the standard's 350 characters. */
function shortDescription(description: string): string {
  const sentences = description
    .replace(/\s+/g, " ")
    .trim()
    .match(/[^.!?]+[.!?]+(\s|$)/g) ?? [description];
  let out = "";
  for (const s of sentences) {
    if ((out + s).trim().length > MAX_LENGTH.description_short) break;
    out += s;
  }
  return clip(out || description, MAX_LENGTH.description_short);
}

const RISK_CLASS_NL: Record<string, string> = { minimal: "minimaal", limited: "beperkt", high: "hoog" };

/**
 * Category A for high-risk AI (AI Act) and for a block the catalog no longer describes; B
 * (impactful) when the block processes residents' personal data, when its version does not say
 * (no processing activities declared), or when a person must confirm its outcomes; C only when the
 * version declares that none of its activities touches personal data. A proposal by the rules of
 * the register's guidance that errs towards publishing, for the municipality to confirm.
 */
export function publicationCategory(
  block: AIBuildingBlock | undefined,
  version: AIBuildingBlock["spec"]["versions"][number] | undefined,
  activation: BlockActivation,
): AlgoritmeregisterEntry["publication_category"] {
  if (!block || block.spec.certification.riskClass === "high") return "Hoog-risico AI-systeem";
  const activities = version?.processingActivities ?? [];
  const personalData = activities.length === 0 || activities.some((a) => a.personalData !== false);
  if (personalData || activation.spec.humanInTheLoop?.required) return "Impactvolle algoritmes";
  return "Overige algoritmes";
}

/** Paused (0 replicas) is out of use; running a version is in use; not yet running is in development. */
export function status(activation: BlockActivation): AlgoritmeregisterEntry["status"] {
  if (activation.spec.replicas === 0) return "Buiten gebruik";
  return activation.status?.currentVersion ? "In gebruik" : "In ontwikkeling";
}

function humanIntervention(activation: BlockActivation): string {
  const h = activation.spec.humanInTheLoop;
  if (h?.required)
    return `Een medewerker (groep ${h.reviewerGroup ?? "onbekend"}) beoordeelt elke uitkomst van het bouwblok voordat die gevolgen heeft.`;
  if (h?.samplePercentage !== undefined && h.samplePercentage > 0)
    return `Medewerkers${h.reviewerGroup ? ` (groep ${h.reviewerGroup})` : ""} beoordelen steekproefsgewijs ${h.samplePercentage}% van de uitkomsten.`;
  return "De gemeente heeft voor dit bouwblok geen menselijke beoordeling van uitkomsten ingesteld.";
}

function risks(block: AIBuildingBlock): string {
  const c = block.spec.certification;
  return [
    `Risicoklasse volgens de AI-verordening: ${RISK_CLASS_NL[c.riskClass] ?? c.riskClass}.`,
    `Het bouwblok is gecertificeerd door ${c.certifiedBy}, geldig tot ${c.validUntil}; na die datum worden geen nieuwe versies uitgerold.`,
    "Nieuwe versies worden ring voor ring uitgerold met gezondheidscontroles en teruggedraaid bij te veel fouten.",
    "Elke verwerking van persoonsgegevens wordt vastgelegd in het Logboek Dataverwerkingen van de gemeente.",
  ].join(" ");
}

const isHttpsUrl = (s: string) => /^https:\/\/[^\s]+$/.test(s);

function impactAssessments(
  block: AIBuildingBlock,
): Pick<AlgoritmeregisterEntry, "impacttoetsen_grouping" | "impacttoetsen"> {
  const ref = block.spec.certification.dpiaReference;
  if (!ref) return {};
  return {
    impacttoetsen_grouping: [
      isHttpsUrl(ref) && ref.length <= MAX_LENGTH.link ? { title: DPIA_TITLE, link: ref } : { title: DPIA_TITLE },
    ],
    impacttoetsen: clip(`DPIA: ${ref}.`, MAX_LENGTH.impacttoetsen),
  };
}

function sourceData(version: AIBuildingBlock["spec"]["versions"][number] | undefined): string | undefined {
  const activities = version?.processingActivities ?? [];
  if (activities.length === 0) return undefined;
  return clip(
    activities
      .map((a) => `${a.description}${a.personalData === false ? " (geen persoonsgegevens)" : " (persoonsgegevens)"}`)
      .join(" "),
    MAX_LENGTH.source_data,
  );
}

/** The version that runs, else the one the activation asks for (pinned or approved). */
function versionOf(block: AIBuildingBlock | undefined, activation: BlockActivation) {
  const wanted = activation.status?.currentVersion ?? activation.spec.version ?? activation.spec.approvedVersion;
  return block?.spec.versions.find((v) => v.version === wanted);
}

function entry(input: AlgoritmeregisterInput, activation: BlockActivation): AlgoritmeregisterEntry {
  const { tenant } = input;
  const block = input.blocks.find((b) => b.metadata.name === activation.spec.block);
  const version = versionOf(block, activation);
  const namespace = activation.metadata.namespace ?? tenantName(tenant);
  const created = activation.metadata.creationTimestamp;
  const description =
    block?.spec.description ?? `Bouwblok ${activation.spec.block}; de catalogus beschrijft het niet (meer).`;
  return {
    name: clip(block?.spec.displayName ?? activation.spec.block, MAX_LENGTH.name),
    description_short: shortDescription(description),
    organization: clip(`Gemeente ${tenant.spec.displayName}`, MAX_LENGTH.organization),
    status: status(activation),
    ...(typeof created === "string" && /^\d{4}-\d{2}/.test(created) && { begin_date: created.slice(0, 7) }),
    ...(input.contact && { contact_email: clip(input.contact, MAX_LENGTH.contact_email) }),
    publication_category: publicationCategory(block, version, activation),
    ...(input.url && { url: clip(input.url, MAX_LENGTH.url) }),
    goal: clip(description, MAX_LENGTH.goal),
    human_intervention: humanIntervention(activation),
    risks: block ? risks(block) : "Het bouwblok staat niet (meer) in de catalogus; de certificering is onbekend.",
    ...(block && impactAssessments(block)),
    ...(sourceData(version) !== undefined && { source_data: sourceData(version) }),
    methods_and_models: clip(
      [
        `Bouwblok ${activation.spec.block} van de gedeelde catalogus van gemeenten (categorie ${block?.spec.category ?? "onbekend"}).`,
        version
          ? `Versie ${version.version}, container image ${version.image}. Wijzigingen: ${version.releaseNotes}`
          : "Er draait nog geen versie.",
      ].join(" "),
      MAX_LENGTH.methods_and_models,
    ),
    provider: clip(
      block ? `${block.spec.supplier.name} (${block.spec.supplier.country})` : "Onbekend",
      MAX_LENGTH.provider,
    ),
    lang: "nld",
    standard_version: STANDARD_VERSION,
    source_id: clip(
      `${tenant.spec.municipalityCode}/${namespace}/${activation.metadata.name ?? ""}`,
      MAX_LENGTH.source_id,
    ),
    tags: clip(
      ["AI-bouwblok", activation.spec.block, block?.spec.category].filter((t): t is string => Boolean(t)).join(", "),
      MAX_LENGTH.tags,
    ),
  };
}

/** The tenant's entries, one per activation in its own namespace, ordered by source_id. */
export function algoritmeregisterEntries(input: AlgoritmeregisterInput): AlgoritmeregisterEntry[] {
  const namespace = tenantName(input.tenant);
  return input.activations
    .filter((a) => a.metadata.namespace === namespace)
    .map((a) => entry(input, a))
    .sort((a, b) => a.source_id.localeCompare(b.source_id));
}

/** The download: the entries as a JSON array, as the register's publication API takes them one by one. */
export function algoritmeregisterJson(input: AlgoritmeregisterInput): string {
  return `${JSON.stringify(algoritmeregisterEntries(input), null, 2)}\n`;
}

/** The download's file name, for Content-Disposition. */
export const algoritmeregisterFileName = (tenant: MunicipalTenant) =>
  `algoritmeregister-${tenant.spec.municipalityCode.toLowerCase()}-${tenantName(tenant)}.json`;
