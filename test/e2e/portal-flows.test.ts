// The portal's flows (issue 14) in a real browser (Debian's chromium through playwright-core)
// against a real control plane with the operator and its webhook running in-process: people sign
// in with tokens the API server accepts, and everything they see or change goes with their own
// identity.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ApiError, RestClient } from "../../operator/src/kube/rest-client.ts";
import { clusterEndpoint } from "../../portal/src/user-api.ts";
import { expectNoAxeViolations, newPage, screenshot, tabAndPress } from "../support/browser.ts";
import { waitUntil } from "../support/cluster.ts";
import { portalInBrowser, signIn as signInOnForm } from "../support/portal-browser.ts";
import type { Person } from "../support/portal-fixture.ts";

const portal = portalInBrowser();

/** A new page of a context of its own, signed in as `person` on the form, at Mijn gemeente. */
async function signIn(person: Person): Promise<Page> {
  const { page } = await newPage(portal.browser);
  await signInOnForm(page, portal.fx.url, person);
  await page.waitForURL(`${portal.fx.url}/mijn-gemeente`);
  return page;
}

/**
 * How long a page may take to answer a sign-in, a click that posts a form, or a navigation:
 * expect.poll's default of 1 s was too short on a loaded CI machine, first for the abort's answer,
 * then for a sign-in through the identity provider and an approval (2026-12-01).
 */
const ANSWER = { timeout: 15_000 };

describe("signing in", () => {
  it("a Utrecht admin signs in with a token and sees Mijn gemeente of Utrecht", async () => {
    const page = await signIn(portal.fx.people.utrechtAdmin);
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent(), ANSWER)
      .toBe("Mijn gemeente: Utrecht");
    expect(await page.getByTestId("tenant-phase").textContent()).toBe("Ready");
    expect(await page.getByText("Ingelogd als j.devries@utrecht.nl").count()).toBe(1);
    expect(await page.getByRole("row", { name: /zaaksysteem/ }).textContent()).toContain("10.34.12.0/24");
    // Tenant roles may not read the ResourceQuota: the tenant's limits, with its activations counted.
    expect(await page.getByTestId("quota-used-blockactivations").textContent()).toBe("2");
    // The token is never in the page or a cookie; only the session id is.
    const cookies = await page.context().cookies();
    expect(JSON.stringify(cookies)).not.toContain(portal.fx.people.utrechtAdmin.token);
    expect(await page.content()).not.toContain(portal.fx.people.utrechtAdmin.token);
    const session = cookies.find((c) => c.name === "aihub_sessie");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    await expectNoAxeViolations(page, "Mijn gemeente");
    await screenshot(page, "portal-mijn-gemeente");
    await page.context().close();
  });

  it("a Utrecht admin signs in through the municipality's identity provider (OpenID Connect, PKCE)", async () => {
    portal.fx.oidc.signInAs({ email: "m.elamrani@utrecht.nl", groups: ["gm0344-informatiebeheer"] });
    // The test provider's certificate comes from a CA of its own, which this browser does not know.
    const context = await portal.browser.newContext({ locale: "nl-NL", ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${portal.fx.url}/aanmelden`);
    await page.getByRole("link", { name: "Inloggen via uw gemeente (OpenID Connect)" }).click();
    await page.waitForURL(`${portal.fx.url}/mijn-gemeente`);
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent(), ANSWER)
      .toBe("Mijn gemeente: Utrecht");
    expect(await page.getByText("Ingelogd als m.elamrani@utrecht.nl").count()).toBe(1);
    // The API server accepted the provider's ID token as this person's identity: the session holds it, the page does not.
    expect(portal.fx.oidc.issued).toHaveLength(1);
    expect(await page.content()).not.toContain(portal.fx.oidc.issued[0]);
    expect(JSON.stringify(await context.cookies())).not.toContain(portal.fx.oidc.issued[0]);
    await context.close();
  });

  it("a token the API server does not accept is refused next to the field", async () => {
    const { page, context } = await newPage(portal.browser);
    await page.goto(`${portal.fx.url}/aanmelden`);
    await page.getByLabel("Token").fill("not-a-token");
    await page.getByRole("button", { name: "Inloggen" }).click();
    const input = page.getByLabel("Token");
    await expect.poll(() => input.getAttribute("aria-invalid"), ANSWER).toBe("true");
    expect(await page.getByRole("alert").textContent()).toContain("De API-server accepteert dit token niet");
    await expectNoAxeViolations(page, "Inloggen met een fout");
    await context.close();
  });
});

const API = "/apis/aihub.gemeenten.nl/v1alpha1";

/**
 * A POST the page does not offer, sent from the signed-in person's own browser with the session's
 * own CSRF token (read from the sign-out form): what a person who crafts requests could send.
 */
async function forgePost(page: Page, action: string, fields: Record<string, string>): Promise<void> {
  await Promise.all([
    page.waitForNavigation(),
    page.evaluate(
      ([to, extra]) => {
        // biome-ignore lint/suspicious/noExplicitAny: the DOM is typed loosely here (no DOM lib in tsconfig)
        const doc = (globalThis as any).document;
        const csrf = doc.querySelector('form[action="/afmelden"] input[name="csrf"]').value;
        const form = doc.createElement("form");
        form.method = "post";
        form.action = to;
        for (const [name, value] of Object.entries({ csrf, ...(extra as Record<string, string>) })) {
          const input = doc.createElement("input");
          input.type = "hidden";
          input.name = name;
          input.value = value;
          form.appendChild(input);
        }
        doc.body.appendChild(form);
        form.submit();
      },
      [action, fields] as const,
    ),
  ]);
}

describe("Mijn bouwblokken", () => {
  it("a Utrecht admin switches a block on: a bad parameter is refused next to its field, the fixed one becomes Ready live", async () => {
    const page = await signIn(portal.fx.people.utrechtAdmin);
    await page.goto(`${portal.fx.url}/catalogus`);
    expect(await page.getByRole("heading", { name: "Transcriptie van gesprekken en vergaderingen" }).count()).toBe(1);
    await expectNoAxeViolations(page, "Catalogus");
    await screenshot(page, "portal-catalogus");

    await page.goto(`${portal.fx.url}/bouwblokken/inschakelen/transcriptie`);
    await page.getByLabel("maxRecordingLength").fill("4 uur");
    await page.getByRole("button", { name: "Opslaan" }).click();
    const input = page.getByLabel("maxRecordingLength");
    await expect.poll(() => input.getAttribute("aria-invalid"), ANSWER).toBe("true");
    const message = 'parameter maxRecordingLength: "4 uur" is not a duration such as 30s, 5m or 2h';
    expect(await page.locator("#veld-p-maxRecordingLength-error").textContent()).toBe(message);
    expect(await input.getAttribute("aria-describedby")).toContain("veld-p-maxRecordingLength-error");
    // The summary links to the field.
    expect(await page.getByRole("link", { name: message }).getAttribute("href")).toBe("#veld-p-maxRecordingLength");
    expect(await input.inputValue()).toBe("4 uur");
    await expectNoAxeViolations(page, "Inschakelen met een fout");
    await screenshot(page, "portal-inschakelen-fout");

    await input.fill("2h");
    await page.getByRole("button", { name: "Opslaan" }).click();
    await page.waitForURL(`${portal.fx.url}/bouwblokken`);
    expect(await page.locator("#inhoud").getByRole("status").first().textContent()).toContain("Opgeslagen");
    // Marks this page: a reload would lose the mark, so it still being there proves no reload.
    await page.evaluate(() => {
      (globalThis as Record<string, unknown>).__notReloaded = true;
    });
    await expect
      .poll(() => page.getByTestId("health-transcriptie").textContent(), { timeout: 60_000 })
      .toContain("Gereed");
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).__notReloaded)).toBe(true);
    const activation = await portal.fx.admin.client.request<{ spec: { parameters: Record<string, unknown> } }>(
      "GET",
      `${API}/namespaces/utrecht/blockactivations/transcriptie`,
    );
    expect(activation.spec.parameters).toEqual({ maxRecordingLength: "2h" });
    await expectNoAxeViolations(page, "Mijn bouwblokken");
    await screenshot(page, "portal-bouwblokken");
    await page.context().close();
  }, 120_000);
});

describe("Updates", () => {
  it("a viewer reads the update but has no button, and a forged approval is refused by RBAC", async () => {
    const page = await signIn(portal.fx.people.utrechtViewer);
    await page.goto(`${portal.fx.url}/updates`);
    await expect
      .poll(() => page.getByTestId("notes-pseudonimisering").textContent(), { timeout: 60_000 })
      .toBe("IBANs and foreign phone numbers; 30% faster on long documents.");
    expect(await page.getByRole("button", { name: "Versie 1.3.0 goedkeuren" }).count()).toBe(0);
    expect(await page.getByText("Uw account mag updates bekijken maar niet goedkeuren.").count()).toBe(1);
    await forgePost(page, "/updates/pseudonimisering/goedkeuren", { version: "1.3.0" });
    expect(await page.getByTestId("error").textContent()).toMatch(
      /^Geweigerd door de API-server \(RBAC\): .*forbidden/,
    );
    const activation = await portal.fx.admin.client.request<{ spec: { approvedVersion: string } }>(
      "GET",
      `${API}/namespaces/utrecht/blockactivations/pseudonimisering`,
    );
    expect(activation.spec.approvedVersion).toBe("1.2.0");
    await page.context().close();
  }, 90_000);

  it("a Utrecht admin reads the release note and approves by keyboard only; the history names them", async () => {
    const page = await signIn(portal.fx.people.utrechtAdmin);
    await page.goto(`${portal.fx.url}/updates`);
    await expect
      .poll(() => page.getByTestId("notes-pseudonimisering").textContent(), { timeout: 60_000 })
      .toBe("IBANs and foreign phone numbers; 30% faster on long documents.");
    await expectNoAxeViolations(page, "Updates");
    await screenshot(page, "portal-updates");
    await tabAndPress(page, "button", "Versie 1.3.0 goedkeuren");
    await page.waitForURL(`${portal.fx.url}/updates`);
    await expect
      .poll(() => page.locator("#inhoud").getByRole("status").first().textContent(), ANSWER)
      .toContain("Versie 1.3.0 van pseudonimisering is goedgekeurd door j.devries@utrecht.nl.");
    const row = page.locator("#goedkeuringen tbody tr", { hasText: "1.3.0" });
    expect(await row.textContent()).toContain("j.devries@utrecht.nl");
    expect(await row.textContent()).toContain("IBANs and foreign phone numbers");
    const activation = await portal.fx.admin.client.request<{ spec: { approvedVersion: string } }>(
      "GET",
      `${API}/namespaces/utrecht/blockactivations/pseudonimisering`,
    );
    expect(activation.spec.approvedVersion).toBe("1.3.0");
    await expectNoAxeViolations(page, "Updates na goedkeuring");
    await page.context().close();
  }, 90_000);
});

describe("Updates: declining", () => {
  it("a Utrecht admin declines an update by keyboard: it is offered no more, the approved version stays, the history says who", async () => {
    // A second Manual activation of the same block, on 1.2.0, so that 1.3.0 waits for it.
    await portal.fx.admin.client.request("POST", `${API}/namespaces/utrecht/blockactivations`, {
      body: {
        apiVersion: "aihub.gemeenten.nl/v1alpha1",
        kind: "BlockActivation",
        metadata: { name: "pseudonimisering-proef", namespace: "utrecht" },
        spec: {
          block: "pseudonimisering",
          channel: "stable",
          updatePolicy: "Manual",
          approvedVersion: "1.2.0",
          parameters: { strategy: "pseudonym", keepMappingFor: "168h" },
        },
      },
    });
    const page = await signIn(portal.fx.people.utrechtAdmin);
    await page.goto(`${portal.fx.url}/updates`);
    await expect.poll(() => page.getByTestId("notes-pseudonimisering-proef").count(), { timeout: 60_000 }).toBe(1);
    await tabAndPress(page, "button", "Versie 1.3.0 afwijzen");
    await page.waitForURL(`${portal.fx.url}/updates`);
    await expect
      .poll(() => page.locator("#inhoud").getByRole("status").first().textContent(), ANSWER)
      .toContain(
        "Versie 1.3.0 van pseudonimisering-proef is afgewezen door j.devries@utrecht.nl; pseudonimisering-proef blijft versie 1.2.0 draaien.",
      );
    // The operator stops offering it: the page follows without a reload.
    await expect.poll(() => page.getByTestId("notes-pseudonimisering-proef").count(), { timeout: 60_000 }).toBe(0);
    const row = page.locator("#goedkeuringen tbody tr", { hasText: "pseudonimisering-proef" }).filter({
      hasText: "Afgewezen",
    });
    expect(await row.textContent()).toContain("j.devries@utrecht.nl");
    const activation = await portal.fx.admin.client.request<{
      spec: { approvedVersion: string; declinedVersion: string };
      status?: { availableUpdate?: unknown };
    }>("GET", `${API}/namespaces/utrecht/blockactivations/pseudonimisering-proef`);
    expect(activation.spec).toMatchObject({ approvedVersion: "1.2.0", declinedVersion: "1.3.0" });
    expect(activation.status?.availableUpdate).toBeUndefined();
    await expectNoAxeViolations(page, "Updates na afwijzing");
    await page.context().close();
    await portal.fx.admin.client.request("DELETE", `${API}/namespaces/utrecht/blockactivations/pseudonimisering-proef`);
  }, 120_000);
});

describe("one municipality cannot see or change another's", () => {
  it("a Utrecht admin sees and changes nothing of Amsterdam's, in the portal as with the API directly", async () => {
    const page = await signIn(portal.fx.people.utrechtAdmin);
    await page.goto(`${portal.fx.url}/bouwblokken?gemeente=amsterdam`);
    expect(await page.getByTestId("error").textContent()).toContain("U bent geen beheerder of lezer van amsterdam");
    // A forged approval in Amsterdam's namespace reaches the API server with the admin's token and is refused there.
    await forgePost(page, "/updates/transcriptie-raad/goedkeuren?gemeente=amsterdam", { version: "2.0.1" });
    expect(await page.getByTestId("error").textContent()).toMatch(
      /^Geweigerd door de API-server \(RBAC\): .*forbidden/,
    );
    // What kubectl with the same token gets: Forbidden.
    const endpoint = clusterEndpoint(portal.fx.cp.kubeconfigPath);
    const direct = new RestClient({
      ...endpoint,
      authorization: () => `Bearer ${portal.fx.people.utrechtAdmin.token}`,
      source: "test",
    });
    const refused = await direct
      .request("GET", `${API}/namespaces/amsterdam/blockactivations`)
      .catch((e: unknown) => e);
    direct.close();
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe(403);
    const amsterdam = await waitUntil("amsterdam's activation", () =>
      portal.fx.admin.client.request<{ spec: Record<string, unknown> }>(
        "GET",
        `${API}/namespaces/amsterdam/blockactivations/transcriptie-raad`,
      ),
    );
    expect(amsterdam.spec).toMatchObject({ version: "2.0.1", parameters: { maxRecordingLength: "8h" } });
    await page.context().close();
  }, 60_000);
});

describe("Uitrol", () => {
  it("a tenant admin may not see rollouts; the platform team follows one ring by ring and pauses and resumes it", async () => {
    // A new version of bezwaar-intake starts a fleet rollout (30 minutes of bake time per ring).
    const block = await portal.fx.admin.client.request<{ spec: { versions: Record<string, unknown>[] } }>(
      "GET",
      `${API}/aibuildingblocks/bezwaar-intake`,
    );
    const newest = block.spec.versions.filter((v) => v.channel === "stable").at(-1) as Record<string, unknown>;
    await portal.fx.admin.client.request("PATCH", `${API}/aibuildingblocks/bezwaar-intake`, {
      contentType: "application/merge-patch+json",
      body: {
        spec: {
          versions: [
            ...block.spec.versions,
            {
              ...newest,
              version: "1.5.0",
              releaseDate: "2026-11-30",
              releaseNotes: "Dutch sign language video links.",
            },
          ],
        },
      },
    });

    const tenantAdmin = await signIn(portal.fx.people.utrechtAdmin);
    await tenantAdmin.goto(`${portal.fx.url}/uitrol`);
    expect(
      await tenantAdmin.getByText("Alleen het platformteam van het collectief mag uitrols bekijken en sturen.").count(),
    ).toBe(1);
    // Their navigation does not offer it; the platform team's does.
    const nav = (p: typeof tenantAdmin) => p.getByRole("navigation").getByRole("link", { name: "Uitrol" }).count();
    expect(await nav(tenantAdmin)).toBe(0);
    await tenantAdmin.context().close();

    const page = await signIn(portal.fx.people.platform);
    await page.goto(`${portal.fx.url}/uitrol`);
    expect(await nav(page)).toBe(1);
    const pause = page.getByRole("button", { name: "Pauzeren" });
    await expect
      .poll(() => pause.count(), { timeout: 60_000 })
      .toBe(1)
      .catch(async (err: Error) => {
        const rollouts = await portal.fx.admin.client.request<{
          items: { metadata: { name: string }; status?: unknown }[];
        }>("GET", `${API}/blockrollouts`);
        throw new Error(
          `${err.message}; page: ${await page.locator("main").textContent()}; rollouts: ${JSON.stringify(rollouts.items.map((r) => [r.metadata.name, r.status]))}`,
        );
      });
    expect(await page.getByRole("heading", { name: "bezwaar-intake 1.5.0 (stable)" }).count()).toBe(1);
    await expectNoAxeViolations(page, "Uitrol");
    await screenshot(page, "portal-uitrol");
    await tabAndPress(page, "button", "Pauzeren");
    // The answer to the POST is the same page, now with the plugin's message and a resume button.
    await expect.poll(() => page.getByRole("button", { name: "Hervatten" }).count(), ANSWER).toBe(1);
    expect(await page.locator("#inhoud").getByRole("status").first().textContent()).toContain(
      "blockrollout bezwaar-intake-1.5.0 paused: no further activation is moved",
    );
    const rollout = () =>
      portal.fx.admin.client.request<{ spec: { paused?: boolean } }>(
        "GET",
        `${API}/blockrollouts/bezwaar-intake-1.5.0`,
      );
    expect((await rollout()).spec.paused).toBe(true);
    await page.getByRole("button", { name: "Hervatten" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Pauzeren" }).count(), ANSWER).toBe(1);
    expect((await rollout()).spec.paused).toBe(false);
    // Aborting asks first; going back changes nothing.
    await page.getByRole("button", { name: "Afbreken" }).click();
    await expect
      .poll(() => page.getByRole("button", { name: "Ja, breek de uitrol van 1.5.0 af" }).count(), ANSWER)
      .toBe(1);
    await expectNoAxeViolations(page, "Uitrol afbreken bevestigen");
    await page.getByRole("link", { name: "Nee, terug naar Uitrol" }).click();
    await page.waitForURL(`${portal.fx.url}/uitrol`);
    expect(await rollout()).toMatchObject({ spec: { paused: false } });
    expect((await rollout()).spec).not.toHaveProperty("abort", true);
    // Confirmed, it aborts: spec.abort, and the plugin's message says what follows.
    await page.getByRole("button", { name: "Afbreken" }).click();
    await page.getByRole("button", { name: "Ja, breek de uitrol van 1.5.0 af" }).click();
    await expect
      .poll(() => page.locator("#inhoud").getByRole("status").first().textContent(), ANSWER)
      .toContain("blockrollout bezwaar-intake-1.5.0 aborted");
    expect(await rollout()).toMatchObject({ spec: { abort: true } });
    await page.context().close();
  }, 120_000);
});
