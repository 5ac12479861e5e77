import { describe, expect, it } from "vitest";
import {
  type AIBuildingBlock,
  type BlockActivation,
  type MunicipalTenant,
  municipalTenant,
} from "../../operator/src/api/v1alpha1/index.ts";
import { exampleActivations, exampleBlock } from "../../test/support/example-catalog.ts";
import { readManifests } from "../../test/support/manifests.ts";
import {
  algoritmeregisterEntries,
  algoritmeregisterFileName,
  algoritmeregisterJson,
  clip,
  MAX_LENGTH,
  PUBLICATION_CATEGORIES,
  STATUS_VALUES,
} from "./algoritmeregister.ts";

const tenants = readManifests("examples/tenants").map((o) => municipalTenant.parse(o));
const tenant = (name: string): MunicipalTenant => {
  const t = tenants.find((x) => x.metadata.name === name);
  if (!t) throw new Error(`no example tenant ${name}`);
  return t;
};
const blocks: AIBuildingBlock[] = ["bezwaar-intake", "pseudonimisering", "transcriptie", "uitlegbaarheid"].map(
  exampleBlock,
);

/** The example activations as the operator would have them: running their version, made in March. */
const running: BlockActivation[] = exampleActivations().map((a) => ({
  ...a,
  metadata: { ...a.metadata, creationTimestamp: "2026-03-09T10:00:00Z" },
  status: { currentVersion: a.spec.version ?? a.spec.approvedVersion ?? "1.3.0" },
}));

const utrecht = () => algoritmeregisterEntries({ tenant: tenant("utrecht"), activations: running, blocks });
const byBlock = (name: string) => {
  const e = utrecht().find((x) => x.source_id.endsWith(`/${name}`));
  if (!e) throw new Error(`no entry for ${name}`);
  return e;
};

describe("algoritmeregisterEntries", () => {
  it("has one entry per activation of the municipality, and none of another", () => {
    expect(utrecht().map((e) => e.source_id)).toEqual([
      "GM0344/utrecht/bezwaar-intake",
      "GM0344/utrecht/pseudonimisering",
    ]);
    expect(utrecht().every((e) => e.organization === "Gemeente Utrecht")).toBe(true);
    const amsterdam = algoritmeregisterEntries({ tenant: tenant("amsterdam"), activations: running, blocks });
    expect(amsterdam.map((e) => e.source_id)).toEqual(["GM0363/amsterdam/transcriptie-raad"]);
  });

  it("fills the standard's fields from the catalog and the activation", () => {
    const e = byBlock("bezwaar-intake");
    expect(e).toMatchObject({
      name: "Intake bezwaarschriften",
      status: "In gebruik",
      begin_date: "2026-03",
      publication_category: "Hoog-risico AI-systeem",
      provider: "Coöperatie Gemeentelijke AI U.A. (NL)",
      lang: "nld",
      standard_version: "1.0",
      impacttoetsen_grouping: [{ title: "Data Protection Impact Assessment (DPIA)" }],
      impacttoetsen: "DPIA: DPIA-2026-014 (VNG Realisatie).",
    });
    expect(e.description_short.startsWith("Reads an incoming objection")).toBe(true);
    expect(e.human_intervention).toContain("groep gm0344-team-bezwaar");
    expect(e.human_intervention).toContain("elke uitkomst");
    expect(e.risks).toContain("Risicoklasse volgens de AI-verordening: hoog.");
    expect(e.risks).toContain("Nationaal AI-certificeringsloket, geldig tot 2027-12-31");
    expect(e.source_data).toContain("BSN");
    expect(e.methods_and_models).toContain(
      "Versie 1.3.0, container image registry.gemeenten.nl/aihub/bezwaar-intake@sha256:",
    );
    expect(e.tags).toBe("AI-bouwblok, bezwaar-intake, intake");
    expect(e).not.toHaveProperty("contact_email");
    expect(e).not.toHaveProperty("url");
  });

  it("uses only the standard's value lists and stays within its lengths", () => {
    const all = tenants.flatMap((t) => algoritmeregisterEntries({ tenant: t, activations: running, blocks }));
    expect(all.length).toBe(running.length);
    for (const e of all) {
      expect(STATUS_VALUES).toContain(e.status);
      expect(PUBLICATION_CATEGORIES).toContain(e.publication_category);
      for (const [field, max] of Object.entries(MAX_LENGTH)) {
        const value = (e as unknown as Record<string, unknown>)[field];
        if (typeof value === "string") expect(value.length, `${e.source_id} ${field}`).toBeLessThanOrEqual(max);
      }
    }
  });

  it("marks a limited-risk block as impactful unless its version declares no personal data", () => {
    // pseudonimisering's versions declare no processing activities: unknown counts as impactful.
    expect(byBlock("pseudonimisering").publication_category).toBe("Impactvolle algoritmes");
    const noPersonalData: AIBuildingBlock = {
      ...exampleBlock("pseudonimisering"),
      spec: {
        ...exampleBlock("pseudonimisering").spec,
        versions: exampleBlock("pseudonimisering").spec.versions.map((v) => ({
          ...v,
          processingActivities: [{ id: "tekst", description: "Leest tekst zonder personen.", personalData: false }],
        })),
      },
    };
    const [e] = algoritmeregisterEntries({
      tenant: tenant("utrecht"),
      activations: running.filter((a) => a.metadata.name === "pseudonimisering"),
      blocks: [noPersonalData],
    });
    expect(e?.publication_category).toBe("Overige algoritmes");
  });

  it("says paused, not yet running and missing from the catalog", () => {
    const [base] = running.filter((a) => a.metadata.name === "pseudonimisering");
    if (!base) throw new Error("no example");
    const variants: BlockActivation[] = [
      { ...base, metadata: { ...base.metadata, name: "a-paused" }, spec: { ...base.spec, replicas: 0 } },
      { ...base, metadata: { ...base.metadata, name: "b-new" }, status: {} },
      { ...base, metadata: { ...base.metadata, name: "c-gone" }, spec: { ...base.spec, block: "verdwenen" } },
      {
        ...base,
        metadata: { ...base.metadata, name: "d-channel" },
        spec: { ...base.spec, updatePolicy: "Automatic", approvedVersion: undefined },
        status: {},
      },
    ];
    const [paused, fresh, gone, channel] = algoritmeregisterEntries({
      tenant: tenant("utrecht"),
      activations: variants,
      blocks,
    });
    expect(paused?.status).toBe("Buiten gebruik");
    expect(fresh?.status).toBe("In ontwikkeling");
    // Not running yet: the approved version is the one it will run.
    expect(fresh?.methods_and_models).toContain("Versie 1.2.0");
    expect(channel?.methods_and_models).toContain("Er draait nog geen versie.");
    expect(gone).toMatchObject({
      name: "verdwenen",
      provider: "Onbekend",
      publication_category: "Hoog-risico AI-systeem",
    });
    expect(gone?.description_short).toBe("Bouwblok verdwenen; de catalogus beschrijft het niet (meer).");
  });

  it("adds the contact and the source URL when given, and links a DPIA that is a URL", () => {
    const dpiaUrl = "https://gemeenten.nl/dpia/2026-014.pdf";
    const block = exampleBlock("bezwaar-intake");
    const withUrl = {
      ...block,
      spec: { ...block.spec, certification: { ...block.spec.certification, dpiaReference: dpiaUrl } },
    };
    const [e] = algoritmeregisterEntries({
      tenant: tenant("utrecht"),
      activations: running.filter((a) => a.metadata.name === "bezwaar-intake"),
      blocks: [withUrl],
      contact: "algoritmes@utrecht.nl",
      url: "https://portaal.gemeenten.nl/transparantie/utrecht/algoritmeregister.json",
    });
    expect(e?.contact_email).toBe("algoritmes@utrecht.nl");
    expect(e?.url).toBe("https://portaal.gemeenten.nl/transparantie/utrecht/algoritmeregister.json");
    expect(e?.impacttoetsen_grouping).toEqual([{ title: "Data Protection Impact Assessment (DPIA)", link: dpiaUrl }]);
  });
});

describe("the download", () => {
  it("is a JSON array of the entries with a file name naming the municipality", () => {
    const json = algoritmeregisterJson({ tenant: tenant("utrecht"), activations: running, blocks });
    expect(JSON.parse(json)).toEqual(utrecht());
    expect(algoritmeregisterFileName(tenant("utrecht"))).toBe("algoritmeregister-gm0344-utrecht.json");
  });
});

describe("clip", () => {
  it("keeps short text, and cuts long text at a word with an ellipsis within the limit", () => {
    expect(clip("  kort   genoeg ", 20)).toBe("kort genoeg");
    const cut = clip("een twee drie vier vijf zes", 15);
    expect(cut).toBe("een twee drie…");
    expect(cut.length).toBeLessThanOrEqual(15);
    expect(clip("x".repeat(30), 10)).toBe(`${"x".repeat(9)}…`);
  });
});
