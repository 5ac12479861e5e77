// The page around every page of the portal, built from NL Design System components (the Utrecht
// component library's classes, themed by the Voorbeeld theme's tokens on <html>), so the portal
// looks and behaves like other municipal applications. What each page gets, in reading order:
// a skip link to the main region; a header with the portal's name, the language switch and the
// signed-in user with a sign-out form (a POST with the session's CSRF token, so a link elsewhere
// cannot sign anyone out); the main navigation with aria-current on the page's own item; the main
// region; a footer. Two navigation landmarks, each with its own label.
//
// Live pages (the server's Server-Sent Events) get data-live on the main region, a polite status
// region that announces refreshes, and the live script; the ids are the live script's.
import type { Assets } from "../assets.ts";
import type { Lang, MessageKey, Translator } from "../i18n.ts";
import { LANGUAGES } from "../i18n.ts";
import { html, type Markup } from "./markup.ts";

/** The main region's id: the skip link's target and what the live script replaces. */
export const MAIN_ID = "inhoud";
export const LIVE_STATUS_ID = "live-status";

export type PageId = "mijn-gemeente" | "catalogus" | "bouwblokken" | "updates" | "uitrol" | "transparantie";

export interface NavItem {
  id: PageId;
  path: string;
  key: MessageKey;
  /** Shown only to a signed-in person. */
  signedIn: boolean;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { id: "mijn-gemeente", path: "/mijn-gemeente", key: "nav.home", signedIn: true },
  { id: "catalogus", path: "/catalogus", key: "nav.catalog", signedIn: true },
  { id: "bouwblokken", path: "/bouwblokken", key: "nav.activations", signedIn: true },
  { id: "updates", path: "/updates", key: "nav.updates", signedIn: true },
  { id: "uitrol", path: "/uitrol", key: "nav.rollouts", signedIn: true },
  { id: "transparantie", path: "/transparantie", key: "nav.transparency", signedIn: false },
];

export const SIGN_IN_PATH = "/aanmelden";
export const SIGN_OUT_PATH = "/afmelden";

export interface LayoutOptions {
  /** The page's own title (translated); the document title adds the portal's name. */
  title: string;
  /** The language of the page is the translator's. */
  t: Translator;
  /** The current path with its query, for aria-current and the language switch. */
  path: string;
  main: Markup;
  assets: Assets;
  /** The signed-in person and the session's CSRF token; absent when signed out. */
  user?: { name: string; csrf: string };
  /** Which navigation items to show; default: all for a signed-in person, the public ones otherwise. */
  nav?: readonly PageId[];
  /** The page's Server-Sent Events URL, when the page follows changes. */
  live?: string;
}

/** The same path in another language: `?lang=` set, the rest of the query kept. */
export function pathInLanguage(path: string, lang: Lang): string {
  const url = new URL(path, "http://portal.invalid");
  url.searchParams.set("lang", lang);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The navigation item a path belongs to: the item whose path is the path or a parent of it. */
export function currentPage(path: string): PageId | undefined {
  const pathname = new URL(path, "http://portal.invalid").pathname;
  return NAV_ITEMS.find((n) => pathname === n.path || pathname.startsWith(`${n.path}/`))?.id;
}

function navigation(o: LayoutOptions): Markup {
  const { t } = o;
  const shown = o.nav ?? NAV_ITEMS.filter((n) => !n.signedIn || o.user).map((n) => n.id);
  const current = currentPage(o.path);
  const items = NAV_ITEMS.filter((n) => shown.includes(n.id));
  return html`<nav class="utrecht-nav-bar" aria-label="${t("nav.label")}">
<div class="utrecht-nav-bar__content">
<ul class="utrecht-nav-list" role="list">${items.map(
    (n) =>
      html`<li class="utrecht-nav-list__item"><a class="utrecht-nav-list__link${n.id === current ? " utrecht-link--current" : ""}" href="${n.path}"${
        n.id === current ? html` aria-current="page"` : ""
      }>${t(n.key)}</a></li>`,
  )}</ul>
</div>
</nav>`;
}

function languageSwitch(o: LayoutOptions): Markup {
  const { t } = o;
  return html`<nav aria-label="${t("lang.label")}"><ul class="portal-languages" role="list">${LANGUAGES.map(
    (lang) =>
      html`<li><a class="utrecht-link" href="${pathInLanguage(o.path, lang)}" lang="${lang}" hreflang="${lang}"${
        lang === t.lang ? html` aria-current="true"` : ""
      }>${t(`lang.${lang}` as const)}</a></li>`,
  )}</ul></nav>`;
}

function account(o: LayoutOptions): Markup {
  const { t } = o;
  if (!o.user)
    return html`<a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--secondary-action" href="${SIGN_IN_PATH}">${t("user.signIn")}</a>`;
  return html`<form method="post" action="${SIGN_OUT_PATH}" class="portal-header__tools">
<p class="utrecht-paragraph">${t("user.signedInAs", { user: o.user.name })}</p>
<input type="hidden" name="csrf" value="${o.user.csrf}">
<button type="submit" class="utrecht-button utrecht-button--secondary-action">${t("user.signOut")}</button>
</form>`;
}

/** The whole HTML document of a page. */
export function layout(o: LayoutOptions): string {
  const { t } = o;
  const doc = html`<html lang="${t.lang}" class="voorbeeld-theme utrecht-root">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t("page.title", { page: o.title })}</title>
${o.assets.stylesheets.map((href) => html`<link rel="stylesheet" href="${href}">\n`)}</head>
<body class="utrecht-document utrecht-surface">
<a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#${MAIN_ID}">${t("skip.toMain")}</a>
<div class="utrecht-page-layout">
<header class="utrecht-page-header">
<div class="utrecht-page-header__content portal-header">
<a class="utrecht-link portal-brand" href="/">${t("portal.name")}</a>
<div class="portal-header__tools">
${languageSwitch(o)}
${account(o)}
</div>
</div>
</header>
${navigation(o)}
<main id="${MAIN_ID}" class="utrecht-page-body portal-main portal-stack" tabindex="-1"${o.live ? html` data-live="${o.live}"` : ""}>
${o.main}
</main>
<footer class="utrecht-page-footer">
<div class="utrecht-page-footer__content">
<p class="utrecht-paragraph">${t("footer.text")}</p>
<p class="utrecht-paragraph"><a class="utrecht-link" href="/transparantie">${t("footer.transparency")}</a></p>
</div>
</footer>
</div>
${
  o.live
    ? html`<div id="${LIVE_STATUS_ID}" class="portal-visually-hidden" role="status" aria-live="polite" data-text="${t("live.updated")}"></div>
<script src="${o.assets.url("live.js")}" defer></script>`
    : ""
}
</body>
</html>
`;
  return `<!doctype html>\n${doc.value}`;
}
