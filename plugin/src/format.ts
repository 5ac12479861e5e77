// Output: kubectl-style tables (upper-case headers, columns three spaces apart) and the same data
// as JSON or YAML with stable field names.
import { stringify } from "yaml";
import type { OutputFormat } from "./args.ts";

export type Cell = string | number | boolean | undefined | null;

/** What an absent value looks like in a table. */
export const NONE = "-";

const text = (c: Cell) => (c === undefined || c === null || c === "" ? NONE : String(c));

/** Aligned columns; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => text(r[i])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("   ")
        .trimEnd(),
    )
    .join("\n")
    .concat("\n");
}

/** The data as JSON (two-space indent) or YAML; both end with a newline. */
export function serialise(data: unknown, format: Exclude<OutputFormat, "table">): string {
  return format === "json" ? `${JSON.stringify(data, null, 2)}\n` : stringify(data, { lineWidth: 0 });
}

/** A long text indented under a heading, wrapped at `width` columns. */
export function indented(body: string, indent = "    ", width = 100): string {
  const lines: string[] = [];
  for (const paragraph of body.trim().split(/\n/)) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(indent + line);
  }
  return `${lines.join("\n")}\n`;
}
