// The browser support the portal's tests stand on (test/support/browser.ts), proven on two static
// pages this test serves: an accessible one passes the axe check, one with a known WCAG failure
// (an image without a text alternative) fails it, and the message names the rule and the element.
// The keyboard helpers reach a button by its accessible name and press it; screenshots are written
// only when asked for.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  expectNoAxeViolations,
  localPagesInBrowser,
  newPage,
  screenshot,
  tabTo,
} from "../support/browser.ts";

const GOOD = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Proefpagina</title></head>
<body>
  <header><a href="#main">Naar de inhoud</a><p>Gemeenteportaal</p></header>
  <main id="main">
    <h1>Proefpagina</h1>
    <form>
      <label for="naam">Naam</label> <input id="naam" name="naam">
      <button type="button" id="go" onclick="document.getElementById('out').textContent = 'Goedgekeurd'">Goedkeuren</button>
    </form>
    <p id="out" role="status"></p>
  </main>
  <footer><p>Voettekst</p></footer>
</body></html>`;

const BAD = GOOD.replace("<h1>Proefpagina</h1>", '<h1>Proefpagina</h1><img src="/logo.png" id="logo">');

const local = localPagesInBrowser((req, res) => {
  const page = req.url === "/good" ? GOOD : req.url === "/bad" ? BAD : undefined;
  if (!page) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
});

describe("browser support", () => {
  it("passes an accessible page with zero violations", async () => {
    const { context, page } = await newPage(local.browser);
    await page.goto(`${local.url}/good`);
    expect(await axeViolations(page)).toEqual([]);
    await expectNoAxeViolations(page, "the good page");
    await context.close();
  });

  it("fails a page with an image without alt text, naming the rule, impact and element", async () => {
    const { context, page } = await newPage(local.browser);
    await page.goto(`${local.url}/bad`);
    const failure = await expectNoAxeViolations(page, "the bad page").then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(failure).toContain("the bad page");
    expect(failure).toMatch(/- image-alt \(critical\): Images must have alternative text/);
    expect(failure).toContain("at #logo");
    await context.close();
  });

  it("tabs to a button by its accessible name and presses it with the keyboard", async () => {
    const { context, page } = await newPage(local.browser);
    await page.goto(`${local.url}/good`);
    // Skip link, the name field, then the button: three presses of Tab.
    const presses = await tabTo(page, page.getByRole("button", { name: "Goedkeuren" }));
    expect(presses).toBe(3);
    await page.keyboard.press("Enter");
    expect(await page.getByRole("status").textContent()).toBe("Goedgekeurd");
    const missing = await tabTo(page, page.getByRole("button", { name: "Afwijzen" }), { maxPresses: 5 }).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(missing).toMatch(/never got focus after 5 presses of Tab/);
    expect(missing).toContain('button "Goedkeuren"');
    await context.close();
  });

  it("writes a screenshot only when AIHUB_SCREENSHOTS=1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aihub-shots-"));
    const before = process.env.AIHUB_SCREENSHOTS;
    const { context, page } = await newPage(local.browser);
    try {
      await page.goto(`${local.url}/good`);
      delete process.env.AIHUB_SCREENSHOTS;
      expect(await screenshot(page, "proef", dir)).toBeUndefined();
      expect(existsSync(join(dir, "proef.png"))).toBe(false);
      process.env.AIHUB_SCREENSHOTS = "1";
      const path = await screenshot(page, "proef", dir);
      expect(path).toBe(join(dir, "proef.png"));
      // PNG signature.
      expect(readFileSync(join(dir, "proef.png")).subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    } finally {
      if (before === undefined) delete process.env.AIHUB_SCREENSHOTS;
      else process.env.AIHUB_SCREENSHOTS = before;
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
