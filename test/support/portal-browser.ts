// The portal's browser tests share one set-up: the portal fixture (control plane, operator,
// examples, people with tokens, the portal) and one headless chromium, started together before a
// file's tests and stopped after them; and signing in the way a person does, on the sign-in form.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { SIGN_IN_PATH } from "../../portal/src/html/layout.ts";
import type { Lang } from "../../portal/src/i18n.ts";
import { launchBrowser } from "./browser.ts";
import { type Person, type PortalFixture, startPortalFixture } from "./portal-fixture.ts";

export interface PortalInBrowser {
  readonly fx: PortalFixture;
  readonly browser: Browser;
}

/** Registers beforeAll/afterAll that start and stop the portal fixture and chromium. */
export function portalInBrowser(): PortalInBrowser {
  let fx: PortalFixture | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [fx, browser] = await Promise.all([startPortalFixture(), launchBrowser()]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });
  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${what} is not started: use it inside a test`);
    return value;
  };
  return {
    get fx() {
      return started("portal fixture", fx);
    },
    get browser() {
      return started("browser", browser);
    },
  };
}

/** Signs in on the sign-in form (any language) with the person's token, and waits to leave it. */
export async function signIn(page: Page, url: string, person: Person, lang: Lang = "nl"): Promise<void> {
  await page.goto(`${url}${SIGN_IN_PATH}?lang=${lang}`);
  await page.locator('input[name="token"]').fill(person.token);
  await page.locator(`form[action="${SIGN_IN_PATH}"] button[type="submit"]`).click();
  await page.waitForURL((u) => u.pathname !== SIGN_IN_PATH);
}
