import { describe, expect, it } from "vitest";
import { municipalTenant } from "../../../operator/src/api/v1alpha1/index.ts";
import { exampleActivations, exampleBlock } from "../../../test/support/example-catalog.ts";
import { readManifests } from "../../../test/support/manifests.ts";
import { translator } from "../page-text.ts";
import { publicTenantViews, renderTransparantie } from "./transparantie.ts";

const tenants = readManifests("examples/tenants").map((t) => municipalTenant.parse(t));
const blocks = ["bezwaar-intake", "pseudonimisering", "transcriptie", "uitlegbaarheid", "juridische-ondersteuning"].map(
  exampleBlock,
);

describe("publicTenantViews", () => {
  it("lists per municipality the blocks it uses with purpose and risk class, and nothing else", () => {
    const views = publicTenantViews(tenants, exampleActivations(), blocks);
    const utrecht = views.find((v) => v.name === "utrecht");
    expect(utrecht?.blocks.map((b) => `${b.block} ${b.riskClass}`)).toEqual([
      "bezwaar-intake high",
      "pseudonimisering limited",
    ]);
    const page = renderTransparantie(views, translator("nl"), "nl").value;
    // No parameters, egress, people or Logboek of any tenant on the public page.
    for (const secret of [
      "zaken.utrecht.nl",
      "10.34.12.0",
      "gm0344-informatiebeheer",
      "j.devries",
      "logboek.utrecht.nl",
    ])
      expect(page).not.toContain(secret);
    expect(page).toContain('href="/transparantie/utrecht/algoritmeregister.json"');
  });
});
