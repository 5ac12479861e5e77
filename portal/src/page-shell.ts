// The page around a page's main region. Until the shared layout (html/layout.ts, NL Design
// System) is wired in, this is the portal's own minimal shell: skip link, header with the
// signed-in user and sign-out, navigation, language switch, the main region (#inhoud) that
// live updates replace, and a polite live region that announces them.
import { html, type Markup } from "./html/markup.ts";
import type { Lang, TextKey, Translate } from "./page-text.ts";

export interface ShellOptions {
  lang: Lang;
  t: Translate;
  title: string;
  /** The path of the current page, for aria-current and the language switch. */
  path: string;
  main: Markup;
  user?: { username: string; csrf: string };
  /** The SSE endpoint of this page, when it is live. */
  live?: string;
}

const NAV: { path: string; key: TextKey; signedIn: boolean }[] = [
  { path: "/mijn-gemeente", key: "nav.mijn-gemeente", signedIn: true },
  { path: "/catalogus", key: "nav.catalogus", signedIn: true },
  { path: "/bouwblokken", key: "nav.bouwblokken", signedIn: true },
  { path: "/updates", key: "nav.updates", signedIn: true },
  { path: "/uitrol", key: "nav.uitrol", signedIn: true },
  { path: "/transparantie", key: "nav.transparantie", signedIn: false },
];

export function pageShell(o: ShellOptions): string {
  const { t } = o;
  const other: Lang = o.lang === "nl" ? "en" : "nl";
  const nav = NAV.filter((n) => !n.signedIn || o.user);
  return `<!doctype html>${
    html`<html lang="${o.lang}" class="utrecht-theme">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} - ${t("app.name")}</title>
<link rel="stylesheet" href="/assets/portal.css">
</head>
<body class="utrecht-page-body">
<a class="utrecht-link utrecht-skip-link" href="#inhoud">${o.lang === "nl" ? "Naar de inhoud" : "Skip to content"}</a>
<header class="utrecht-page-header">
<p class="portal-app-name">${t("app.name")}</p>
${
  o.user
    ? html`<form method="post" action="/afmelden" class="portal-signout"><span>${t("signedin.as", { user: o.user.username })}</span> <input type="hidden" name="csrf" value="${o.user.csrf}"><button type="submit" class="utrecht-button utrecht-button--secondary-action">${t("signout.submit")}</button></form>`
    : ""
}
<a class="utrecht-link portal-lang" href="${o.path}?lang=${other}" lang="${other}" hreflang="${other}">${other === "en" ? "English" : "Nederlands"}</a>
</header>
<nav class="utrecht-nav-bar" aria-label="${o.lang === "nl" ? "Hoofdmenu" : "Main menu"}"><ul class="utrecht-nav-list">${nav.map(
      (n) =>
        html`<li class="utrecht-nav-list__item"><a class="utrecht-link utrecht-nav-list__link" href="${n.path}"${
          o.path.startsWith(n.path) ? html` aria-current="page"` : ""
        }>${t(n.key)}</a></li>`,
    )}</ul></nav>
<main id="inhoud" class="utrecht-page-content" tabindex="-1"${o.live ? html` data-live="${o.live}"` : ""}>
${o.main}
</main>
<div id="live-status" class="portal-visually-hidden" role="status" aria-live="polite" data-text="${t("live.updated")}"></div>
${o.live ? html`<script src="/assets/live.js" defer></script>` : ""}
</body>
</html>`.value
  }`;
}
