import { describe, expect, it } from "vitest";
import {
  acceptedLanguages,
  chooseLanguage,
  DICTIONARIES,
  LANGUAGES,
  languageCookie,
  type MessageKey,
  placeholders,
  translator,
} from "./i18n.ts";

describe("dictionaries", () => {
  const nlKeys = Object.keys(DICTIONARIES.nl).sort();

  it.each(LANGUAGES)("%s has every key, each with a non-empty text", (lang) => {
    const dictionary = DICTIONARIES[lang];
    expect(Object.keys(dictionary).sort()).toEqual(nlKeys);
    const empty = Object.entries(dictionary).filter(([, text]) => text.trim() === "");
    expect(empty).toEqual([]);
  });

  it("gives every text the same placeholders in both languages", () => {
    const mismatched = nlKeys.filter(
      (key) =>
        placeholders(DICTIONARIES.nl[key as MessageKey]).join() !==
        placeholders(DICTIONARIES.en[key as MessageKey]).join(),
    );
    expect(mismatched).toEqual([]);
  });

  it("uses the Dutch government terms", () => {
    const t = translator("nl");
    const terms: [MessageKey, string][] = [
      ["nav.home", "Mijn gemeente"],
      ["nav.catalog", "Catalogus"],
      ["nav.activations", "Mijn bouwblokken"],
      ["nav.updates", "Updates"],
      ["nav.rollouts", "Uitrol"],
      ["nav.transparency", "Transparantie"],
      ["user.signIn", "Inloggen"],
      ["user.signOut", "Uitloggen"],
      ["action.approve", "Goedkeuren"],
      ["action.decline", "Afwijzen"],
      ["block.riskClass", "Risicoklasse"],
      ["block.supplier", "Leverancier"],
      ["block.certification", "Certificering"],
      ["block.validUntil", "Geldig tot"],
      ["block.version", "Versie"],
      ["block.parameters", "Parameters"],
      ["block.releaseNote", "Wijzigingen (release note)"],
    ];
    expect(terms.filter(([key, text]) => t(key) !== text)).toEqual([]);
  });
});

describe("translator", () => {
  it("fills placeholders and says which one is missing", () => {
    expect(translator("nl")("user.signedInAs", { user: "Jan de Vries" })).toBe("Ingelogd als Jan de Vries");
    expect(translator("en")("user.signedInAs", { user: "Jan" })).toBe("Signed in as Jan");
    expect(() => translator("en")("user.signedInAs")).toThrow('i18n: "user.signedInAs" (en) needs a value for {user}');
    expect(translator("en").lang).toBe("en");
  });

  it("finds placeholders", () => {
    expect(placeholders("{page} - {site} {page}")).toEqual(["page", "page", "site"]);
  });
});

describe("chooseLanguage", () => {
  it("takes ?lang= first, then the cookie, then Accept-Language, then Dutch", () => {
    expect(chooseLanguage({ query: "en", cookie: "lang=nl", acceptLanguage: "nl" })).toBe("en");
    expect(chooseLanguage({ query: "fr", cookie: "sid=x; lang=en", acceptLanguage: "nl" })).toBe("en");
    expect(chooseLanguage({ cookie: "lang=de", acceptLanguage: "en-GB,en;q=0.9" })).toBe("en");
    expect(chooseLanguage({ acceptLanguage: "de-DE,fr;q=0.8" })).toBe("nl");
    expect(chooseLanguage({})).toBe("nl");
  });

  it("ranks Accept-Language by quality, then by order, and drops q=0", () => {
    expect(acceptedLanguages("nl;q=0.5, en-US;q=0.8, de")).toEqual(["en", "nl"]);
    expect(acceptedLanguages("en;q=0, nl-BE")).toEqual(["nl"]);
    expect(acceptedLanguages("NL-nl,EN")).toEqual(["nl", "en"]);
    expect(acceptedLanguages("*")).toEqual([]);
    expect(acceptedLanguages(undefined)).toEqual([]);
  });

  it("keeps a chosen language in a cookie for a year, Secure over https", () => {
    expect(languageCookie("en", true)).toBe("lang=en; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax; Secure");
    expect(languageCookie("nl", false)).not.toContain("Secure");
  });
});
