// The browser the portal's tests drive: Debian's chromium (make chromium installs it; no browser
// download is possible here) through playwright-core, headless. Pages come from a context
// (browser.newContext), because @axe-core/playwright refuses pages made by browser.newPage().
//
// Accessibility is checked with axe-core against WCAG 2.1 A and AA, the legal bar for Dutch
// government websites; a failure lists every violation with its rule, impact, the elements it
// found and axe's one-line help, so the message says what to fix without opening a report.
// Keyboard helpers move focus the way a keyboard user does (Tab, Shift+Tab, Enter), never by
// clicking or calling focus(), so a test that passes proves the page works without a mouse.
import { mkdirSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

export const CHROMIUM = process.env.AIHUB_CHROMIUM ?? "/usr/bin/chromium";

/** The axe tags of WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] as const;

export async function launchBrowser(): Promise<Browser> {
  const asRoot = process.getuid?.() === 0;
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Chromium's sandbox needs user namespaces that root in a container does not get.
      args: asRoot ? ["--no-sandbox"] : [],
    });
  } catch (err) {
    throw new Error(`could not start ${CHROMIUM} (run 'make chromium' as root to install it): ${String(err)}`, {
      cause: err,
    });
  }
}

/** A fresh context (own cookies) and a page in it; close the context when done. */
export async function newPage(
  browser: Browser,
  options: { locale?: string; extraHTTPHeaders?: Record<string, string> } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: options.locale ?? "nl-NL",
    viewport: { width: 1280, height: 900 },
    ...(options.extraHTTPHeaders ? { extraHTTPHeaders: options.extraHTTPHeaders } : {}),
  });
  return { context, page: await context.newPage() };
}

type AxeResults = Awaited<ReturnType<AxeBuilder["analyze"]>>;
export type AxeViolation = AxeResults["violations"][number];

/** One violation per paragraph: rule and impact, axe's help and link, then each element found. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => {
      const targets = v.nodes.map((n) => `    at ${n.target.map(String).join(" > ")}: ${n.failureSummary ?? ""}`);
      return [`- ${v.id} (${v.impact ?? "no impact given"}): ${v.help}`, `    ${v.helpUrl}`, ...targets].join("\n");
    })
    .join("\n");
}

/** Runs axe with the WCAG 2.1 A/AA rules on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const results = await new AxeBuilder({ page }).withTags([...WCAG21_AA_TAGS]).analyze();
  return results.violations;
}

/** Fails with a readable list when axe finds any WCAG 2.1 A/AA violation; `label` names the page. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length === 0) return;
  const count = violations.reduce((n, v) => n + v.nodes.length, 0);
  throw new Error(
    `${label} (${page.url()}): ${violations.length} WCAG 2.1 AA rule(s) violated on ${count} element(s):\n` +
      describeViolations(violations),
  );
}

/** What has focus, described for a failure message: tag, role and accessible text. */
async function focusedDescription(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "(nothing)";
    const text = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("value") || "").trim();
    return el.tagName.toLowerCase() + (el.getAttribute("role") ? "[role=" + el.getAttribute("role") + "]" : "") +
      ' "' + text.replace(/\\s+/g, " ").slice(0, 60) + '"';
  })()`);
}

async function hasFocus(target: Locator): Promise<boolean> {
  if ((await target.count()) !== 1) return false;
  // Runs in the page: the element is a DOM node there, typed loosely here (no DOM lib in tsconfig).
  return target.evaluate((el: { ownerDocument: { activeElement: unknown } }) => el === el.ownerDocument.activeElement);
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, as a keyboard user would, and fails with the
 * elements it passed when `maxPresses` were not enough. `target` is usually
 * page.getByRole("button", { name: "Goedkeuren" }): found by role and accessible name.
 */
export async function tabTo(
  page: Page,
  target: Locator,
  options: { maxPresses?: number; backwards?: boolean } = {},
): Promise<number> {
  const max = options.maxPresses ?? 80;
  const passed: string[] = [];
  for (let presses = 0; presses <= max; presses++) {
    if (await hasFocus(target)) return presses;
    if (presses === max) break;
    await page.keyboard.press(options.backwards ? "Shift+Tab" : "Tab");
    passed.push(await focusedDescription(page));
  }
  throw new Error(
    `${String(target)} never got focus after ${max} presses of ${options.backwards ? "Shift+Tab" : "Tab"}; ` +
      `focus went to:\n${passed.map((d, i) => `  ${i + 1}. ${d}`).join("\n")}`,
  );
}

/** Tabs to the element with this role and accessible name (exact), then presses `key` on it. */
export async function tabAndPress(
  page: Page,
  role: Parameters<Page["getByRole"]>[0],
  name: string,
  key = "Enter",
): Promise<void> {
  await tabTo(page, page.getByRole(role, { name, exact: true }));
  await page.keyboard.press(key);
}

/** Presses a key (or chord) on what has focus now. */
export async function press(page: Page, key: string): Promise<void> {
  await page.keyboard.press(key);
}

export const SCREENSHOT_DIR = "docs/screenshots";

/**
 * A full-page PNG at docs/screenshots/<name>.png, only when AIHUB_SCREENSHOTS=1: the committed
 * screenshots change when someone means them to, not on every test run. Returns the path written.
 */
export async function screenshot(page: Page, name: string, dir = SCREENSHOT_DIR): Promise<string | undefined> {
  if (process.env.AIHUB_SCREENSHOTS !== "1") return undefined;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`screenshot name "${name}": use lower-case kebab-case`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** An HTTP server on a free port of 127.0.0.1 for a test's own pages. */
export async function serveLocally(handler: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Registers beforeAll/afterAll that serve `handler` locally and start chromium for a file's tests;
 * read `url` and `browser` inside a test.
 */
export function localPagesInBrowser(handler: RequestListener): { readonly url: string; readonly browser: Browser } {
  let server: Awaited<ReturnType<typeof serveLocally>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([serveLocally(handler), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error("the local pages and chromium start before the tests: use them inside a test");
    return value;
  };
  return {
    get url() {
      return started(server).url;
    },
    get browser() {
      return started(browser);
    },
  };
}
