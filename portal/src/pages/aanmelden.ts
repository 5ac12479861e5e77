// Aanmelden: locally, a form that takes a token the API server accepts. The token goes to the
// server in a POST and stays there (session-store.ts); the page never holds it afterwards.
import { errorSummary, type FieldError, field } from "../form-markup.ts";
import { html, type Markup } from "../html/markup.ts";
import type { Translate } from "../page-text.ts";

export function renderSignIn(v: { nonce: string; errors: FieldError[]; oidc?: boolean }, t: Translate): Markup {
  const tokenError = v.errors.find((e) => e.field === "token")?.message;
  return html`<h1 class="utrecht-heading-1">${t("signin.title")}</h1>
${errorSummary(v.errors, t)}
${
  v.oidc
    ? html`<p class="utrecht-paragraph"><a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" href="/aanmelden/oidc">${t("signin.oidc")}</a></p>`
    : ""
}
<p class="utrecht-paragraph">${t("signin.intro")}</p>
<form method="post" action="/aanmelden" class="utrecht-form" novalidate>
<input type="hidden" name="csrf" value="${v.nonce}">
${field({ name: "token", label: t("signin.token"), hint: t("signin.token.hint"), ...(tokenError && { error: tokenError }), required: true }, (attrs) => html`<input type="password" class="utrecht-textbox utrecht-textbox--html-input" autocomplete="off" spellcheck="false" ${attrs}>`)}
<button type="submit" class="utrecht-button utrecht-button--primary-action">${t("signin.submit")}</button>
</form>`;
}
