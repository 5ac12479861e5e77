import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ASSET_SPECS, buildAssets, hashedName, loadAssets } from "./assets.ts";

describe("hashedName", () => {
  it("puts a content hash before the extensions", () => {
    expect(hashedName("portal.css", Buffer.from("a"))).toMatch(/^portal\.[0-9a-f]{16}\.css$/);
    expect(hashedName("noto-sans-latin-wght-normal.woff2", Buffer.from("a"))).toMatch(
      /^noto-sans-latin-wght-normal\.[0-9a-f]{16}\.woff2$/,
    );
    expect(hashedName("x.css", Buffer.from("a"))).not.toBe(hashedName("x.css", Buffer.from("b")));
  });
});

describe("the portal's assets, read from node_modules", () => {
  const assets = loadAssets(join(tmpdir(), "aihub-no-such-dir"));

  it("serves each with its content type and a year's caching, and 304 to a browser that has it", () => {
    const css = assets.all.find((a) => a.name === "utrecht-components.css");
    expect(css?.body.length).toBeGreaterThan(100_000);
    const r = assets.respond(css?.file ?? "");
    expect(r?.status).toBe(200);
    expect(r?.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(r?.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(r?.body?.equals(css?.body ?? Buffer.alloc(0))).toBe(true);
    expect(assets.respond(css?.file ?? "", css?.etag)?.status).toBe(304);
    expect(assets.respond("utrecht-components.css")).toBeUndefined();
  });

  it("has the theme's tokens under its theme class, and fonts.css pointing at the hashed fonts", () => {
    const theme = assets.all.find((a) => a.name === "voorbeeld-theme.css")?.body.toString() ?? "";
    expect(theme).toContain(".voorbeeld-theme {");
    const fonts = assets.all.find((a) => a.name === "fonts.css")?.body.toString() ?? "";
    expect(fonts).toContain(`src:url(${assets.url("noto-sans-latin-wght-normal.woff2")}) format("woff2-variations")`);
    expect(assets.respond(assets.url("noto-sans-latin-wght-normal.woff2").slice(8))?.headers["content-type"]).toBe(
      "font/woff2",
    );
  });

  it("names every asset in the router's file pattern (lower case, dots and dashes)", () => {
    const pattern = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
    expect(assets.all.map((a) => a.file).filter((f) => !pattern.test(f))).toEqual([]);
  });

  it("says which asset is missing and how to make it", () => {
    const dir = mkdtempSync(join(tmpdir(), "aihub-assets-"));
    try {
      expect(() => loadAssets(dir)).toThrow(
        /portal asset "noto-sans-latin-wght-normal.woff2" not found in .*: run 'make portal-assets'/,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("refuses a generated asset that refers to one after it", () => {
    const specs = [...ASSET_SPECS].reverse();
    expect(() => buildAssets(() => Buffer.from("x"), specs)).toThrow(/must come before the one that refers to it/);
  });
});
