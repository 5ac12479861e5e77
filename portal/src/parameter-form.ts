// A block's parameters as a form, and the form's answers as parameter values. The values are
// checked by the same zod schema as the admission webhook (operator/src/api/parameters.ts), so a
// person sees the webhook's own message next to the field before anything is sent; the webhook
// stays the authority, and its refusal is put next to the field it names (webhookErrors).
import { type ParameterValue, validateParameters } from "../../operator/src/api/parameters.ts";
import type { ParameterDefinition } from "../../operator/src/api/v1alpha1/index.ts";
import type { FieldError } from "./form-markup.ts";

/** The form field of a parameter. */
export const parameterField = (name: string) => `p.${name}`;

/**
 * What the person typed, as the values the API takes: an empty field is left out (the block's
 * default applies), integers and booleans are converted when they look like one; anything else
 * stays text, so that the schema's message says what is wrong with it.
 */
export function formValues(
  defs: readonly ParameterDefinition[],
  form: URLSearchParams,
): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  for (const def of defs) {
    const raw = form.getAll(parameterField(def.name)).at(-1)?.trim() ?? "";
    if (raw === "") continue;
    if (def.type === "integer" && /^[-+]?[0-9]+$/.test(raw)) values[def.name] = Number(raw);
    else if (def.type === "boolean" && (raw === "true" || raw === "false")) values[def.name] = raw === "true";
    else values[def.name] = raw;
  }
  return values;
}

/** The schema's verdict, one error per field. */
export function checkParameters(
  defs: ParameterDefinition[],
  values: Record<string, ParameterValue>,
  block: string,
): FieldError[] {
  const result = validateParameters(defs, values, block);
  if (result.ok) return [];
  return result.errors.map((e) => ({
    field: defs.some((d) => d.name === e.parameter) ? parameterField(e.parameter) : "",
    message: e.message,
  }));
}

/**
 * The API server's refusal (the webhook's message, its parts separated by "; ") split over the
 * fields it names: "parameter <name>" or "spec.parameters.<name>"; the rest goes to the summary.
 */
export function webhookErrors(message: string, defs: readonly ParameterDefinition[]): FieldError[] {
  const body = message.replace(/^admission webhook "[^"]*" denied the request: /, "");
  return body
    .split(/; (?=[a-z])/)
    .filter(Boolean)
    .map((part) => {
      const def = defs.find((d) => part.includes(`parameter ${d.name}`) || part.includes(`spec.parameters.${d.name}`));
      return { field: def ? parameterField(def.name) : "", message: part };
    });
}
