import { describe, expect, it } from "vitest";
import { buildAssets } from "../assets.ts";
import { translator } from "../i18n.ts";
import { currentPage, layout, MAIN_ID, pathInLanguage } from "./layout.ts";
import { html } from "./markup.ts";

const assets = buildAssets((spec) => Buffer.from(`/* ${spec.name} */`));
const page = (o: Partial<Parameters<typeof layout>[0]> = {}) =>
  layout({ title: "Catalogus", t: translator("nl"), path: "/catalogus", main: html`<h1>Catalogus</h1>`, assets, ...o });

describe("layout", () => {
  it("is a whole document in the page's language, titled with the page and the portal", () => {
    const doc = page();
    expect(doc.startsWith('<!doctype html>\n<html lang="nl" class="voorbeeld-theme utrecht-root">')).toBe(true);
    expect(doc).toContain("<title>Catalogus - AI-bouwblokken voor gemeenten</title>");
    expect(page({ t: translator("en"), title: "Catalogue" })).toContain('<html lang="en"');
  });

  it("starts with a skip link to the main region, which holds the page", () => {
    const doc = page();
    const skip = doc.indexOf(
      `<a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#${MAIN_ID}">Naar de hoofdinhoud</a>`,
    );
    expect(skip).toBeGreaterThan(0);
    expect(skip).toBeLessThan(doc.indexOf("<header"));
    expect(doc).toMatch(new RegExp(`<main id="${MAIN_ID}"[^>]*tabindex="-1">\\n<h1>Catalogus</h1>\\n</main>`));
  });

  it("links the stylesheets by their hashed URLs", () => {
    for (const href of assets.stylesheets) expect(page()).toContain(`<link rel="stylesheet" href="${href}">`);
    expect(assets.stylesheets[0]).toMatch(/^\/assets\/voorbeeld-theme\.[0-9a-f]{16}\.css$/);
  });

  it("shows the public items only when signed out, with a sign-in link", () => {
    const doc = page({ path: "/transparantie" });
    expect(doc).toContain('href="/transparantie" aria-current="page">Transparantie</a>');
    expect(doc).not.toContain(">Catalogus</a>");
    expect(doc).toContain('href="/aanmelden">Inloggen</a>');
    expect(doc).not.toContain("Uitloggen");
  });

  it("shows every item to a signed-in person, the current one marked, and a sign-out form with the CSRF token", () => {
    const doc = page({
      path: "/bouwblokken/inschakelen/anonimiseren?x=1",
      user: { name: "jan <j@utrecht.nl>", csrf: 'tok"en' },
    });
    for (const label of ["Mijn gemeente", "Catalogus", "Mijn bouwblokken", "Updates", "Uitrol", "Transparantie"])
      expect(doc).toContain(`>${label}</a>`);
    expect(doc.match(/aria-current="page"/g)).toHaveLength(1);
    expect(doc).toContain('href="/bouwblokken" aria-current="page">Mijn bouwblokken</a>');
    expect(doc).toContain("Ingelogd als jan &lt;j@utrecht.nl&gt;");
    expect(doc).toContain('<form method="post" action="/afmelden"');
    expect(doc).toContain('<input type="hidden" name="csrf" value="tok&quot;en">');
    expect(doc).toContain(">Uitloggen</button>");
  });

  it("limits the navigation when told to (the collective's Uitrol is not every municipality's)", () => {
    const doc = page({ user: { name: "a", csrf: "c" }, nav: ["mijn-gemeente", "catalogus"] });
    expect(doc).not.toContain(">Uitrol</a>");
    expect(doc).toContain(">Mijn gemeente</a>");
  });

  it("labels both navigation landmarks and switches language on the same page", () => {
    const doc = page({ path: "/catalogus?blok=a&lang=nl" });
    expect(doc).toContain('<nav class="utrecht-nav-bar" aria-label="Hoofdmenu">');
    expect(doc).toContain('<nav aria-label="Taal">');
    expect(doc).toContain('href="/catalogus?blok=a&amp;lang=en" lang="en" hreflang="en">English</a>');
    expect(doc).toContain('lang="nl" hreflang="nl" aria-current="true">Nederlands</a>');
  });

  it("makes a live page announce its updates and load the live script", () => {
    expect(page()).not.toContain("live-status");
    const doc = page({ live: "/live?page=catalogus" });
    expect(doc).toContain('data-live="/live?page=catalogus"');
    expect(doc).toMatch(
      /<div id="live-status" class="portal-visually-hidden" role="status" aria-live="polite" data-text="Bijgewerkt">/,
    );
    expect(doc).toContain(`<script src="${assets.url("live.js")}" defer></script>`);
  });
});

describe("pathInLanguage and currentPage", () => {
  it("sets ?lang= and keeps the rest of the query", () => {
    expect(pathInLanguage("/updates", "en")).toBe("/updates?lang=en");
    expect(pathInLanguage("/updates?lang=nl&x=1", "en")).toBe("/updates?lang=en&x=1");
  });
  it("finds the navigation item of a path and of the pages under it, not of a look-alike", () => {
    expect(currentPage("/updates")).toBe("updates");
    expect(currentPage("/updates/ba-1/goedkeuren?x")).toBe("updates");
    expect(currentPage("/updatesx")).toBeUndefined();
    expect(currentPage("/")).toBeUndefined();
  });
});
