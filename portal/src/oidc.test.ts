import { describe, expect, it } from "vitest";
import { jwtClaims, OidcClient } from "./oidc.ts";

const client = () =>
  new OidcClient({
    issuerUrl: "https://127.0.0.1:1",
    clientId: "aihub-portal",
    clientSecret: "s",
    redirectUri: "http://127.0.0.1/aanmelden/oidc/terug",
  });

describe("OidcClient.finish", () => {
  it("refuses a sign-in this browser did not start, before asking the provider anything", async () => {
    await expect(client().finish(new URLSearchParams({ code: "c", state: "s" }), "s")).rejects.toThrow(
      "the sign-in expired or was not started in this browser; please start again",
    );
    await expect(client().finish(new URLSearchParams({ code: "c", state: "s" }), undefined)).rejects.toThrow(
      /not started in this browser/,
    );
  });
  it("passes on the provider's refusal", async () => {
    await expect(
      client().finish(new URLSearchParams({ error: "access_denied", error_description: "geen toegang" }), undefined),
    ).rejects.toThrow("the identity provider refused the sign-in: access_denied geen toegang");
  });
});

describe("jwtClaims", () => {
  it("reads a JWT's claims and refuses what is not one", () => {
    const token = `x.${Buffer.from(JSON.stringify({ nonce: "n", aud: "aihub-portal" })).toString("base64url")}.y`;
    expect(jwtClaims(token)).toEqual({ nonce: "n", aud: "aihub-portal" });
    expect(() => jwtClaims("opaque")).toThrow("the ID token is not a JWT");
  });
});
