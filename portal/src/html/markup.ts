// HTML built from template literals with every interpolated value escaped, unless it is markup
// made by this module already. Pages never concatenate user or cluster text into HTML by hand:
// an activation's name, a release note or a parameter value is text, and text is escaped here.

/** Markup that is already safe; made only by `html` and `raw`. */
export class Markup {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const escapeText = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

type Part = Markup | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Markup) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeText(String(part));
}

/** The tagged template: `html\`<p>${text}</p>\`` escapes text, keeps Markup, joins arrays. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Markup {
  let out = strings[0] ?? "";
  for (let i = 0; i < parts.length; i++) out += render(parts[i] as Part) + (strings[i + 1] ?? "");
  return new Markup(out);
}

/** Trusted markup (for example the layout's own), not escaped. */
export const raw = (value: string) => new Markup(value);
