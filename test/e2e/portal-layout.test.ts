// The portal's shell and HTML helpers in a real browser, before any page uses them: a page made of
// the layout, a table, a description list, badges, a notification and every kind of form field
// (with errors), served with the real NL Design System assets, has zero WCAG 2.1 AA violations in
// Dutch and English, signed in and out; the skip link moves focus to the main region by keyboard.
import { describe, expect, it } from "vitest";
import { loadAssets } from "../../portal/src/assets.ts";
import { errorSummary } from "../../portal/src/form-markup.ts";
import { descriptionList } from "../../portal/src/html/description-list.ts";
import { checkboxField, numberField, selectField, textField } from "../../portal/src/html/form-fields.ts";
import { layout, MAIN_ID } from "../../portal/src/html/layout.ts";
import { html } from "../../portal/src/html/markup.ts";
import { notification } from "../../portal/src/html/notification.ts";
import { riskTone, statusBadge } from "../../portal/src/html/status-badge.ts";
import { table } from "../../portal/src/html/table.ts";
import { chooseLanguage, LANGUAGES, translator } from "../../portal/src/i18n.ts";
import { expectNoAxeViolations, localPagesInBrowser, newPage, tabTo } from "../support/browser.ts";

const assets = loadAssets();

function samplePage(path: string, lang: "nl" | "en", signedIn: boolean): string {
  const t = translator(lang);
  const main = html`<h1 class="utrecht-heading-1">${t("nav.catalog")}</h1>
${notification({ type: "ok", title: t("notification.ok"), body: "anonimiseren 1.2.0" })}
${table({
  caption: t("nav.catalog"),
  columns: [
    { header: t("block.name") },
    { header: t("block.supplier") },
    { header: t("block.riskClass") },
    { header: t("block.version"), numeric: true },
  ],
  rows: [
    ["anonimiseren", "Collectief AI BV (NL)", statusBadge(t("risk.limited"), riskTone("limited")), "1.2.0"],
    ["bezwaar-intake", "Europa Data GmbH (DE)", statusBadge(t("risk.high"), riskTone("high")), "2.0.1"],
  ],
})}
<h2 class="utrecht-heading-2">anonimiseren</h2>
${descriptionList([
  [t("block.purpose"), "Persoonsgegevens onherkenbaar maken in documenten"],
  [t("block.dpia"), "DPIA-2026-014"],
  [t("block.validUntil"), "2027-06-30"],
])}
<h2 class="utrecht-heading-2">${t("block.parameters")}</h2>
<form method="post" action="/x" novalidate class="utrecht-form">
${errorSummary(
  [
    { field: "drempel", message: "Drempel: hoogstens 1" },
    { field: "taal", message: "Taal: kies nl of en" },
  ],
  (key) => (key === "errors.summary" ? t("form.errorSummary") : key),
)}
${textField({ name: "naam", label: "Naam", hint: "De naam van de activering", value: "anonimiseren-utrecht" })}
${numberField({ name: "drempel", label: "Drempel", hint: "Tussen 0 en 1", value: "3", error: "Drempel: hoogstens 1" })}
${selectField({
  name: "taal",
  label: t("lang.label"),
  placeholder: t("form.selectPlaceholder"),
  error: "Taal: kies nl of en",
  options: [
    { value: "nl", label: "Nederlands" },
    { value: "en", label: "English" },
  ],
})}
${checkboxField({ name: "automatisch", label: t("activation.automatic"), hint: "Nieuwe versies zonder goedkeuring", checked: true })}
<button type="submit" class="utrecht-button utrecht-button--primary-action">${t("action.save")}</button>
</form>`;
  return layout({
    title: t("nav.catalog"),
    t,
    path,
    main,
    assets,
    ...(signedIn && { user: { name: "Jan de Vries", csrf: "csrf-token" } }),
    live: "/live",
  });
}

const local = localPagesInBrowser((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname.startsWith("/assets/")) {
    const r = assets.respond(url.pathname.slice("/assets/".length), req.headers["if-none-match"]);
    if (!r) return void res.writeHead(404).end();
    return void res.writeHead(r.status, r.headers).end(r.body);
  }
  const lang = chooseLanguage({
    query: url.searchParams.get("lang"),
    acceptLanguage: req.headers["accept-language"],
  });
  const page = samplePage(`${url.pathname}${url.search}`, lang, url.pathname === "/catalogus");
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
});

describe("the portal's layout and HTML helpers in chromium", () => {
  for (const lang of LANGUAGES)
    for (const signedIn of [true, false])
      it(`has zero WCAG 2.1 AA violations (${lang}, ${signedIn ? "signed in" : "signed out"})`, async () => {
        const { context, page } = await newPage(local.browser);
        const failed: string[] = [];
        page.on("response", (r) => {
          if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
        });
        await page.goto(`${local.url}/${signedIn ? "catalogus" : "transparantie"}?lang=${lang}`);
        expect(await page.getAttribute("html", "lang")).toBe(lang);
        // The theme's stylesheet is applied: the document's font is the theme's Noto Sans.
        expect(await page.evaluate("getComputedStyle(document.body).fontFamily")).toMatch(/Noto Sans/);
        await expectNoAxeViolations(page, `layout ${lang} ${signedIn ? "signed in" : "signed out"}`);
        expect(failed).toEqual([]);
        await context.close();
      });

  it("moves focus to the main region with the skip link, by keyboard", async () => {
    const { context, page } = await newPage(local.browser);
    await page.goto(`${local.url}/catalogus`);
    await tabTo(page, page.getByRole("link", { name: "Naar de hoofdinhoud" }), { maxPresses: 1 });
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement.id")).toBe(MAIN_ID);
    // The next Tab goes into the page's content, past the header and the navigation.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.closest('main')?.id")).toBe(MAIN_ID);
    await context.close();
  });
});
