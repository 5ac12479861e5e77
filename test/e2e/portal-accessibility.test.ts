// Every page of the portal meets WCAG 2.1 AA as axe-core checks it (issue 14: Dutch government
// websites must): each page of the navigation, the sign-in page, the forms to switch a block on
// and change it, and the error pages (403, 404), signed in as Utrecht's information manager and
// signed out, in Dutch and in English. A page must give the answer expected in the language asked
// for; each failure names the page, and one run lists every page's violations at once.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { NAV_ITEMS, SIGN_IN_PATH } from "../../portal/src/html/layout.ts";
import { LANGUAGES, type Lang } from "../../portal/src/i18n.ts";
import { expectNoAxeViolations, newPage, screenshot } from "../support/browser.ts";
import { portalInBrowser, signIn } from "../support/portal-browser.ts";

const ctx = portalInBrowser();

interface PageCheck {
  path: string;
  /** The answer expected: error pages are pages too, and must be as accessible. */
  status: number;
}

const page200 = (path: string): PageCheck => ({ path, status: 200 });

/**
 * What Utrecht's information manager has: the navigation and the block forms. Uitrol is the
 * collective's (fleet rollouts): the portal answers a municipality's admin 403 there, and that
 * page is checked as such. A page that does not exist answers 404.
 */
const SIGNED_IN_PAGES: PageCheck[] = [
  ...NAV_ITEMS.filter((n) => n.id !== "uitrol").map((n) => page200(n.path)),
  // A block Utrecht has not switched on, and one it has (examples/activations).
  page200("/bouwblokken/inschakelen/transcriptie"),
  page200("/bouwblokken/bezwaar-intake/wijzigen"),
  { path: "/uitrol", status: 403 },
  { path: "/bestaat-niet", status: 404 },
];
const PUBLIC_PAGES: PageCheck[] = [
  page200(SIGN_IN_PATH),
  ...NAV_ITEMS.filter((n) => !n.signedIn).map((n) => page200(n.path)),
  { path: "/bestaat-niet", status: 404 },
];

async function checkPages(page: Page, checks: readonly PageCheck[], lang: Lang): Promise<string[]> {
  const failures: string[] = [];
  for (const { path, status } of checks) {
    const response = await page.goto(`${ctx.fx.url}${path}?lang=${lang}`);
    if (response?.status() !== status) {
      failures.push(`${path} (${lang}): HTTP ${response?.status()}, expected ${status}`);
      continue;
    }
    const htmlLang = await page.getAttribute("html", "lang");
    if (htmlLang !== lang) failures.push(`${path}: <html lang="${htmlLang}">, asked for ${lang}`);
    try {
      await expectNoAxeViolations(page, `${path} (${lang})`);
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  return failures;
}

describe("every page of the portal has zero WCAG 2.1 AA violations", () => {
  for (const lang of LANGUAGES) {
    it(`signed out, ${lang}`, async () => {
      const { context, page } = await newPage(ctx.browser);
      const failures = await checkPages(page, PUBLIC_PAGES, lang);
      await context.close();
      expect(failures.join("\n\n")).toBe("");
    });

    it(`signed in as Utrecht's information manager, ${lang}`, async () => {
      const { context, page } = await newPage(ctx.browser);
      await signIn(page, ctx.fx.url, ctx.fx.people.utrechtAdmin, lang);
      const failures = await checkPages(page, SIGNED_IN_PAGES, lang);
      // Screenshots of the main pages, in Dutch, except those the flow tests take.
      if (lang === "nl")
        for (const path of ["/catalogus", "/bouwblokken", "/updates"]) {
          await page.goto(`${ctx.fx.url}${path}`);
          await screenshot(page, `portal-${path.slice(1)}`);
        }
      await context.close();
      expect(failures.join("\n\n")).toBe("");
    });
  }
});
