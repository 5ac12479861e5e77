// Term and value pairs (a block's supplier, risk class, DPIA reference; a tenant's quota) as a
// <dl>, which screen readers announce as a list of name and value: the Utrecht data list.
import { html, type Markup } from "./markup.ts";

/** What the html template accepts: text (escaped), numbers, Markup, arrays of them. */
type Part = Parameters<typeof html>[1];

/** A value of undefined or "" leaves its pair out; `missing` shows instead when given. */
export function descriptionList(items: readonly (readonly [term: Part, value: Part])[], missing?: Part): Markup {
  const shown = items
    .map(([term, value]) => [term, value === undefined || value === null || value === "" ? missing : value] as const)
    .filter(([, value]) => value !== undefined);
  return html`<dl class="utrecht-data-list utrecht-data-list--rows">${shown.map(
    ([term, value]) =>
      html`<div class="utrecht-data-list__item"><dt class="utrecht-data-list__item-key">${term}</dt><dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">${value}</dd></div>`,
  )}</dl>`;
}
