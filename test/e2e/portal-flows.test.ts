// The portal's flows (issue 14) in a real browser (Debian's chromium through playwright-core)
// against a real control plane with the operator and its webhook running in-process: people sign
// in with tokens the API server accepts, and everything they see or change goes with their own
// identity.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, newPage, screenshot } from "../support/browser.ts";
import { type Person, type PortalFixture, startPortalFixture } from "../support/portal-fixture.ts";

let fx: PortalFixture;
let browser: Browser;

beforeAll(async () => {
  [fx, browser] = await Promise.all([startPortalFixture(), launchBrowser()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await fx?.stop();
});

async function signIn(person: Person): Promise<Page> {
  const { page } = await newPage(browser);
  await page.goto(`${fx.url}/aanmelden`);
  await page.getByLabel("Token").fill(person.token);
  await page.getByRole("button", { name: "Aanmelden" }).click();
  await page.waitForURL(`${fx.url}/mijn-gemeente`);
  return page;
}

describe("signing in", () => {
  it("a Utrecht admin signs in with a token and sees Mijn gemeente of Utrecht", async () => {
    const page = await signIn(fx.people.utrechtAdmin);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Mijn gemeente: Utrecht");
    expect(await page.getByTestId("tenant-phase").textContent()).toBe("Ready");
    expect(await page.getByText("Aangemeld als j.devries@utrecht.nl").count()).toBe(1);
    expect(await page.getByRole("row", { name: /zaaksysteem/ }).textContent()).toContain("10.34.12.0/24");
    // The token is never in the page or a cookie; only the session id is.
    const cookies = await page.context().cookies();
    expect(JSON.stringify(cookies)).not.toContain(fx.people.utrechtAdmin.token);
    expect(await page.content()).not.toContain(fx.people.utrechtAdmin.token);
    const session = cookies.find((c) => c.name === "aihub_sessie");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    await expectNoAxeViolations(page, "Mijn gemeente");
    await screenshot(page, "portal-mijn-gemeente");
    await page.context().close();
  });

  it("a token the API server does not accept is refused next to the field", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${fx.url}/aanmelden`);
    await page.getByLabel("Token").fill("not-a-token");
    await page.getByRole("button", { name: "Aanmelden" }).click();
    const input = page.getByLabel("Token");
    await expect.poll(() => input.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("alert").textContent()).toContain("De API-server accepteert dit token niet");
    await expectNoAxeViolations(page, "Aanmelden met een fout");
    await context.close();
  });
});
