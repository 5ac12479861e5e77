// Form markup that works without JavaScript and for screen readers: every field has a label,
// a hint and its error tied to it with aria-describedby, aria-invalid when it is wrong, and the
// page starts with an error summary whose links move focus to the field (the GOV.UK and NL Design
// System pattern). Every form carries the session's CSRF token.
import { html, type Markup } from "./html/markup.ts";
import type { Translate } from "./page-text.ts";

export interface FieldError {
  /** The field's id (and name); empty for an error of the whole form. */
  field: string;
  message: string;
}

export const fieldId = (name: string) => `veld-${name.replace(/[^a-zA-Z0-9_-]/g, "-")}`;

/** The summary at the top of a form: a titled alert with a link to each field. */
export function errorSummary(errors: readonly FieldError[], t: Translate): Markup {
  if (errors.length === 0) return html``;
  return html`<div class="utrecht-alert utrecht-alert--error portal-error-summary" role="alert" tabindex="-1" id="foutmeldingen" aria-labelledby="foutmeldingen-titel">
  <h2 class="utrecht-heading-2" id="foutmeldingen-titel">${t("errors.summary")}</h2>
  <ul class="utrecht-unordered-list">${errors.map((e) =>
    e.field
      ? html`<li><a class="utrecht-link" href="#${fieldId(e.field)}">${e.message}</a></li>`
      : html`<li>${e.message}</li>`,
  )}</ul>
</div>`;
}

export const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export interface FieldOptions {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
}

/** A label, hint and error around `control(attributes)`: the control gets id, name and the aria attributes. */
export function field(o: FieldOptions, control: (attrs: Markup) => Markup): Markup {
  const id = fieldId(o.name);
  const described = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const attrs = html`id="${id}" name="${o.name}"${o.required ? html` required aria-required="true"` : ""}${
    described ? html` aria-describedby="${described}"` : ""
  }${o.error ? html` aria-invalid="true"` : ""}`;
  return html`<div class="utrecht-form-field${o.error ? " utrecht-form-field--invalid" : ""}">
  <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="${id}">${o.label}</label></div>
  ${o.hint ? html`<div class="utrecht-form-field-description" id="${id}-hint">${o.hint}</div>` : ""}
  ${o.error ? html`<div class="utrecht-form-field-error-message" id="${id}-error">${o.error}</div>` : ""}
  <div class="utrecht-form-field__input">${control(attrs)}</div>
</div>`;
}

/** A POST form with one button (approve, pause, ...): a real button, usable by keyboard. */
export function actionForm(
  action: string,
  csrf: string,
  label: string,
  extra: Markup = html``,
  appearance: "primary-action" | "secondary-action" = "primary-action",
): Markup {
  return html`<form method="post" action="${action}" class="portal-action">${csrfField(csrf)}${extra}<button type="submit" class="utrecht-button utrecht-button--${appearance}">${label}</button></form>`;
}
