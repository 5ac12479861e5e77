// The portal's words, Dutch first and English available. One dictionary per language; the English
// one is typed against the Dutch keys, so a key missing from either is a type error (and the unit
// test checks the same at run time, with the placeholders each text takes). Dutch uses the terms
// of Dutch government services: "Mijn gemeente", "Inloggen", "Risicoklasse", "Wijzigingen
// (release note)".
//
// Which language a request gets: `?lang=` when it names one, then the `lang` cookie (set when a
// person picks a language), then the browser's Accept-Language, then Dutch.

export const LANGUAGES = ["nl", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = "nl";
export const LANG_COOKIE = "lang";

const nl = {
  "portal.name": "AI-bouwblokken voor gemeenten",
  "portal.tagline": "Gedeelde, gecertificeerde AI-bouwblokken van het gemeentelijk collectief",
  "skip.toMain": "Naar de hoofdinhoud",
  "nav.label": "Hoofdmenu",
  "nav.home": "Mijn gemeente",
  "nav.catalog": "Catalogus",
  "nav.activations": "Mijn bouwblokken",
  "nav.updates": "Updates",
  "nav.rollouts": "Uitrol",
  "nav.transparency": "Transparantie",
  "user.signedInAs": "Ingelogd als {user}",
  "user.signIn": "Inloggen",
  "user.signOut": "Uitloggen",
  "lang.label": "Taal",
  "lang.nl": "Nederlands",
  "lang.en": "English",
  "footer.text": "Een voorziening van het gemeentelijk collectief voor AI-bouwblokken.",
  "footer.transparency": "Welke algoritmen gebruikt uw gemeente?",
  "page.title": "{page} - AI-bouwblokken voor gemeenten",
  "action.approve": "Goedkeuren",
  "action.decline": "Afwijzen",
  "action.save": "Opslaan",
  "action.activate": "Inschakelen",
  "action.cancel": "Annuleren",
  "action.pause": "Pauzeren",
  "action.resume": "Hervatten",
  "action.abort": "Afbreken",
  "action.download": "Downloaden",
  "block.name": "Bouwblok",
  "block.category": "Categorie",
  "block.purpose": "Doel",
  "block.riskClass": "Risicoklasse",
  "block.supplier": "Leverancier",
  "block.country": "Land",
  "block.certification": "Certificering",
  "block.certifiedBy": "Gecertificeerd door",
  "block.dpia": "DPIA-referentie",
  "block.validUntil": "Geldig tot",
  "block.version": "Versie",
  "block.versions": "Versies",
  "block.releaseDate": "Releasedatum",
  "block.releaseNote": "Wijzigingen (release note)",
  "block.parameters": "Parameters",
  "block.channel": "Kanaal",
  "param.type": "Type",
  "param.default": "Standaardwaarde",
  "param.required": "Verplicht",
  "param.optional": "(niet verplicht)",
  "param.bounds": "Grenzen",
  "risk.minimal": "Minimaal risico",
  "risk.limited": "Beperkt risico",
  "risk.high": "Hoog risico",
  "risk.unacceptable": "Onaanvaardbaar risico",
  "tenant.municipality": "Gemeente",
  "tenant.code": "CBS-code",
  "tenant.quota": "Quotum",
  "tenant.used": "Gebruikt",
  "tenant.egress": "Gekoppelde systemen",
  "tenant.ring": "Uitrolring",
  "activation.health": "Gezondheid",
  "activation.updatePolicy": "Updatebeleid",
  "activation.automatic": "Automatisch",
  "activation.manual": "Handmatig",
  "status.ready": "Gereed",
  "status.progressing": "Bezig",
  "status.failed": "Mislukt",
  "status.unknown": "Onbekend",
  "status.paused": "Gepauzeerd",
  "status.waiting": "Wacht op goedkeuring",
  "approval.history": "Eerdere goedkeuringen",
  "approval.who": "Door",
  "approval.when": "Wanneer",
  "approval.note": "Toelichting",
  "rollout.ring": "Ring",
  "rollout.progress": "Voortgang",
  "form.errorSummary": "Er is een probleem",
  "form.errorPrefix": "Fout:",
  "form.checkbox.yes": "Ja",
  "form.selectPlaceholder": "Maak een keuze",
  "transparency.title": "Transparantie",
  "transparency.intro": "Welke AI-bouwblokken gebruikt uw gemeente, waarvoor en met welk risico?",
  "transparency.download": "Download de registratie voor het Algoritmeregister (JSON)",
  "transparency.downloadCsv": "Download de registratie voor het Algoritmeregister (CSV)",
  "transparency.none": "Deze gemeente gebruikt nog geen AI-bouwblokken.",
  "error.notFound": "Pagina niet gevonden",
  "error.forbidden": "U heeft geen toegang tot deze pagina",
  "error.server": "Er ging iets mis",
  "notification.info": "Let op",
  "notification.ok": "Gelukt",
  "notification.warning": "Waarschuwing",
  "notification.error": "Fout",
  "live.updated": "Bijgewerkt",
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof nl;
export type Dictionary = Readonly<Record<MessageKey, string>>;

const en: Dictionary = {
  "portal.name": "AI building blocks for municipalities",
  "portal.tagline": "Shared, certified AI building blocks of the municipal collective",
  "skip.toMain": "Skip to main content",
  "nav.label": "Main menu",
  "nav.home": "My municipality",
  "nav.catalog": "Catalogue",
  "nav.activations": "My building blocks",
  "nav.updates": "Updates",
  "nav.rollouts": "Rollout",
  "nav.transparency": "Transparency",
  "user.signedInAs": "Signed in as {user}",
  "user.signIn": "Sign in",
  "user.signOut": "Sign out",
  "lang.label": "Language",
  "lang.nl": "Nederlands",
  "lang.en": "English",
  "footer.text": "A service of the municipal collective for AI building blocks.",
  "footer.transparency": "Which algorithms does your municipality use?",
  "page.title": "{page} - AI building blocks for municipalities",
  "action.approve": "Approve",
  "action.decline": "Decline",
  "action.save": "Save",
  "action.activate": "Switch on",
  "action.cancel": "Cancel",
  "action.pause": "Pause",
  "action.resume": "Resume",
  "action.abort": "Abort",
  "action.download": "Download",
  "block.name": "Building block",
  "block.category": "Category",
  "block.purpose": "Purpose",
  "block.riskClass": "Risk class",
  "block.supplier": "Supplier",
  "block.country": "Country",
  "block.certification": "Certification",
  "block.certifiedBy": "Certified by",
  "block.dpia": "DPIA reference",
  "block.validUntil": "Valid until",
  "block.version": "Version",
  "block.versions": "Versions",
  "block.releaseDate": "Release date",
  "block.releaseNote": "Changes (release note)",
  "block.parameters": "Parameters",
  "block.channel": "Channel",
  "param.type": "Type",
  "param.default": "Default",
  "param.required": "Required",
  "param.optional": "(optional)",
  "param.bounds": "Bounds",
  "risk.minimal": "Minimal risk",
  "risk.limited": "Limited risk",
  "risk.high": "High risk",
  "risk.unacceptable": "Unacceptable risk",
  "tenant.municipality": "Municipality",
  "tenant.code": "CBS code",
  "tenant.quota": "Quota",
  "tenant.used": "Used",
  "tenant.egress": "Connected systems",
  "tenant.ring": "Rollout ring",
  "activation.health": "Health",
  "activation.updatePolicy": "Update policy",
  "activation.automatic": "Automatic",
  "activation.manual": "Manual",
  "status.ready": "Ready",
  "status.progressing": "In progress",
  "status.failed": "Failed",
  "status.unknown": "Unknown",
  "status.paused": "Paused",
  "status.waiting": "Waiting for approval",
  "approval.history": "Earlier approvals",
  "approval.who": "By",
  "approval.when": "When",
  "approval.note": "Note",
  "rollout.ring": "Ring",
  "rollout.progress": "Progress",
  "form.errorSummary": "There is a problem",
  "form.errorPrefix": "Error:",
  "form.checkbox.yes": "Yes",
  "form.selectPlaceholder": "Choose one",
  "transparency.title": "Transparency",
  "transparency.intro": "Which AI building blocks does your municipality use, what for, and at what risk?",
  "transparency.download": "Download the entries for the Algorithm Register (JSON)",
  "transparency.downloadCsv": "Download the entries for the Algorithm Register (CSV)",
  "transparency.none": "This municipality does not use any AI building blocks yet.",
  "error.notFound": "Page not found",
  "error.forbidden": "You do not have access to this page",
  "error.server": "Something went wrong",
  "notification.info": "Note",
  "notification.ok": "Done",
  "notification.warning": "Warning",
  "notification.error": "Error",
  "live.updated": "Updated",
};

export const DICTIONARIES: Readonly<Record<Lang, Dictionary>> = { nl, en };

/** The `{name}` placeholders a text takes, sorted; both languages must take the same ones. */
export const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1] ?? "").sort();

export type Translator = ((key: MessageKey, vars?: Readonly<Record<string, string | number>>) => string) & {
  readonly lang: Lang;
};

/**
 * t(key, vars) in one language. A placeholder without a value is an error, not a silent "{user}"
 * on the page; the values are plain text (the HTML helpers escape them where they land).
 */
export function translator(lang: Lang): Translator {
  const dictionary = DICTIONARIES[lang];
  const t = (key: MessageKey, vars: Readonly<Record<string, string | number>> = {}) =>
    dictionary[key].replace(/\{([a-zA-Z]+)\}/g, (_, name: string) => {
      const value = vars[name];
      if (value === undefined) throw new Error(`i18n: "${key}" (${lang}) needs a value for {${name}}`);
      return String(value);
    });
  return Object.assign(t, { lang });
}

export const isLang = (value: unknown): value is Lang => LANGUAGES.includes(value as Lang);

/** The languages of an Accept-Language header that the portal has, best first (by q, then order). */
export function acceptedLanguages(header: string | undefined): Lang[] {
  if (!header) return [];
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const quality = q ? Number(q.slice(2)) : 1;
      return {
        primary: tag.trim().toLowerCase().split("-")[0] ?? "",
        quality: Number.isNaN(quality) ? 0 : quality,
        index,
      };
    })
    .filter((r) => r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  const out: Lang[] = [];
  for (const r of ranked) if (isLang(r.primary) && !out.includes(r.primary)) out.push(r.primary);
  return out;
}

/** The value of one cookie in a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return undefined;
}

export interface LanguageRequest {
  /** The `lang` query parameter, when the URL has one. */
  query?: string | null;
  /** The Cookie header. */
  cookie?: string;
  /** The Accept-Language header. */
  acceptLanguage?: string;
}

/** `?lang=`, then the `lang` cookie, then Accept-Language, then Dutch. */
export function chooseLanguage(request: LanguageRequest): Lang {
  if (isLang(request.query)) return request.query;
  const fromCookie = cookieValue(request.cookie, LANG_COOKIE);
  if (isLang(fromCookie)) return fromCookie;
  return acceptedLanguages(request.acceptLanguage)[0] ?? DEFAULT_LANG;
}

/** The Set-Cookie value that keeps a chosen language for a year. */
export const languageCookie = (lang: Lang, secure: boolean) =>
  `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
