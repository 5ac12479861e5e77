// The four kinds of field the portal's forms use (a block's parameters are strings, numbers,
// enums and booleans), each a Utrecht form control inside form-markup.ts's field(): label, hint
// and error tied to the control by aria-describedby, aria-invalid when the server said it is wrong.
//
// Numbers are text inputs with an inputmode (the GOV.UK and NL Design System advice): a browser's
// own number input rounds, scrolls and refuses input in ways screen readers announce poorly, and
// the server checks the value against the block's schema anyway and says what is wrong.
import { type FieldOptions, field, fieldId } from "../form-markup.ts";
import { html, type Markup } from "./markup.ts";

const invalid = (o: FieldOptions) => (o.error ? " utrecht-textbox--invalid" : "");

export function textField(o: FieldOptions & { value?: string; autocomplete?: string }): Markup {
  return field(
    o,
    (attrs) =>
      html`<input type="text" class="utrecht-textbox utrecht-textbox--html-input${invalid(o)}" ${attrs} value="${o.value ?? ""}"${
        o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ""
      }>`,
  );
}

export function numberField(o: FieldOptions & { value?: string | number; integer?: boolean }): Markup {
  return field(
    o,
    (attrs) =>
      html`<input type="text" inputmode="${o.integer ? "numeric" : "decimal"}" class="utrecht-textbox utrecht-textbox--html-input utrecht-textbox--numeric${invalid(o)}" ${attrs} value="${o.value ?? ""}">`,
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

/** `placeholder` adds a first, empty choice (for a field without a default). */
export function selectField(
  o: FieldOptions & { value?: string; options: readonly SelectOption[]; placeholder?: string },
): Markup {
  return field(
    o,
    (attrs) =>
      html`<select class="utrecht-select utrecht-select--html-select${o.error ? " utrecht-select--invalid" : ""}" ${attrs}>${
        o.placeholder !== undefined ? html`<option value="">${o.placeholder}</option>` : ""
      }${o.options.map(
        (opt) =>
          html`<option value="${opt.value}"${opt.value === o.value ? html` selected` : ""}>${opt.label}</option>`,
      )}</select>`,
  );
}

/**
 * A checkbox with its label after it, as people expect. An unchecked box sends nothing, so the
 * form also sends a hidden "false" first: the server reads the last value of the name.
 */
export function checkboxField(o: FieldOptions & { checked?: boolean }): Markup {
  const id = fieldId(o.name);
  const described = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="utrecht-form-field utrecht-form-field--checkbox${o.error ? " utrecht-form-field--invalid" : ""}">
  <div class="utrecht-form-field__input"><input type="hidden" name="${o.name}" value="false"><input type="checkbox" class="utrecht-checkbox utrecht-checkbox--html-input${
    o.error ? " utrecht-checkbox--invalid" : ""
  }" id="${id}" name="${o.name}" value="true"${o.checked ? html` checked` : ""}${described ? html` aria-describedby="${described}"` : ""}${
    o.error ? html` aria-invalid="true"` : ""
  }></div>
  <div class="utrecht-form-field__label"><label class="utrecht-form-label utrecht-form-label--checkbox" for="${id}">${o.label}</label></div>
  ${o.hint ? html`<div class="utrecht-form-field__description utrecht-form-field-description" id="${id}-hint">${o.hint}</div>` : ""}
  ${o.error ? html`<div class="utrecht-form-field__error-message utrecht-form-field-error-message" id="${id}-error">${o.error}</div>` : ""}
</div>`;
}
