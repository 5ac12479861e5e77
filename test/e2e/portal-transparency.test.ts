// The public Transparantie page (issue 14) in Debian's chromium, without signing in: residents see
// which blocks Utrecht uses, with each block's purpose and risk class, and download Utrecht's
// entries for the Algoritmeregister. The download is the publication standard's JSON for Utrecht
// only, made from what runs: the same entries algoritmeregister.ts makes from the cluster's
// objects as the API server has them.
import { describe, expect, it } from "vitest";
import type { AIBuildingBlock, BlockActivation, MunicipalTenant } from "../../operator/src/api/v1alpha1/index.ts";
import { type AlgoritmeregisterEntry, algoritmeregisterEntries } from "../../portal/src/algoritmeregister.ts";
import { translator } from "../../portal/src/i18n.ts";
import { expectNoAxeViolations, newPage, screenshot } from "../support/browser.ts";
import { portalInBrowser } from "../support/portal-browser.ts";

const API = "/apis/aihub.gemeenten.nl/v1alpha1";

const ctx = portalInBrowser();

/** What runs, as the API server has it: the input of the export. */
async function clusterState() {
  const get = <T>(path: string) => ctx.fx.admin.client.request<T>("GET", path);
  const tenant = await get<MunicipalTenant>(`${API}/municipaltenants/utrecht`);
  const activations = (await get<{ items: BlockActivation[] }>(`${API}/blockactivations`)).items;
  const blocks = (await get<{ items: AIBuildingBlock[] }>(`${API}/aibuildingblocks`)).items;
  return { tenant, activations, blocks };
}

describe("Transparantie, without signing in", () => {
  it("shows Utrecht's blocks with their purpose and risk class", async () => {
    const { tenant, activations, blocks } = await clusterState();
    const utrechts = activations.filter((a) => a.metadata.namespace === "utrecht");
    expect(utrechts.length).toBeGreaterThan(0);
    const { context, page } = await newPage(ctx.browser);
    const response = await page.goto(`${ctx.fx.url}/transparantie`);
    expect(response?.status()).toBe(200);
    // Nobody is signed in: there is no session, and the header offers signing in.
    expect((await context.cookies()).map((c) => c.name)).not.toContain("aihub_sessie");
    const t = translator("nl");
    expect(await page.getByRole("link", { name: t("user.signIn") }).count()).toBe(1);
    const text = ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
    expect(text).toContain(tenant.spec.displayName);
    for (const a of utrechts) {
      const block = blocks.find((b) => b.metadata.name === a.spec.block);
      if (!block) throw new Error(`no block ${a.spec.block}`);
      expect(text, `block ${block.spec.displayName}`).toContain(block.spec.displayName);
      // The purpose: the catalog's description of what the block does, whole or its first sentence.
      const firstSentence = block.spec.description.replace(/\s+/g, " ").split(". ")[0] ?? "";
      expect(text, `purpose of ${block.spec.displayName}`).toContain(firstSentence);
      const risk = t(`risk.${block.spec.certification.riskClass}` as const);
      expect(text, `risk class of ${block.spec.displayName}`).toContain(risk);
    }
    await expectNoAxeViolations(page, "Transparantie");
    await screenshot(page, "portal-transparantie");
    await context.close();
  });

  it("offers Utrecht's Algoritmeregister entries as the standard's JSON, for Utrecht only", async () => {
    const { activations } = await clusterState();
    const { context, page } = await newPage(ctx.browser);
    await page.goto(`${ctx.fx.url}/transparantie`);
    const link = page.locator('a[href$="/transparantie/utrecht/algoritmeregister.json"]');
    expect(await link.count()).toBe(1);
    const href = await link.getAttribute("href");
    const download = async () => {
      const response = await page.request.get(new URL(href ?? "", ctx.fx.url).toString());
      expect(response.status()).toBe(200);
      expect(response.headers()["content-type"]).toMatch(/^application\/json/);
      return (await response.json()) as AlgoritmeregisterEntry[];
    };
    // Made from what runs: the pure function on the objects as the API server has them gives the
    // same entries. The portal may add where it serves them (url) and whom to ask (contact_email).
    // Polled: the portal reads through its watch cache, which may trail a status write briefly.
    const withoutServerFields = (list: AlgoritmeregisterEntry[]) =>
      list.map(({ url: _url, contact_email: _contact, ...rest }) => rest);
    let entries: AlgoritmeregisterEntry[] = [];
    await expect
      .poll(
        async () => {
          entries = await download();
          const state = await clusterState();
          const want = withoutServerFields(algoritmeregisterEntries(state));
          const got = withoutServerFields(entries);
          return JSON.stringify(got) === JSON.stringify(want) ? "the same entries" : { got, want };
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe("the same entries");
    expect(entries.map((e) => e.source_id)).toEqual(
      activations
        .filter((a) => a.metadata.namespace === "utrecht")
        .map((a) => `GM0344/utrecht/${a.metadata.name}`)
        .sort(),
    );
    expect(entries.every((e) => e.organization === "Gemeente Utrecht" && e.standard_version === "1.0")).toBe(true);
    // Amsterdam's blocks are not in Utrecht's download.
    expect(JSON.stringify(entries)).not.toContain("amsterdam");
    await context.close();
  });
});
