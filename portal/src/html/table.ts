// A data table as screen readers need it: a caption that names it, column headers with
// scope="col", and optionally the first cell of each row as its row header (scope="row"), so a
// cell is read with the block or municipality it belongs to. Utrecht's table classes; wrapped in a
// container that scrolls sideways on a narrow screen instead of the whole page.
import { html, type Markup } from "./markup.ts";

/** What the html template accepts: text (escaped), numbers, Markup, arrays of them. */
type Part = Parameters<typeof html>[1];

export interface Column {
  header: Part;
  /** Numbers are aligned to the end. */
  numeric?: boolean;
}

export interface TableOptions {
  caption: Part;
  columns: readonly Column[];
  rows: readonly (readonly Part[])[];
  /** The first cell of each row heads that row (th scope="row"). Default true. */
  rowHeaders?: boolean;
  /** Shown in one full-width row when there are no rows. */
  empty?: Part;
  id?: string;
}

export function table(o: TableOptions): Markup {
  const rowHeaders = o.rowHeaders ?? true;
  o.rows.forEach((row, i) => {
    if (row.length !== o.columns.length)
      throw new Error(`table row ${i} has ${row.length} cells; the table has ${o.columns.length} columns`);
  });
  const numeric = (c: Column | undefined) => (c?.numeric ? " utrecht-table__cell--numeric-data" : "");
  const body =
    o.rows.length === 0 && o.empty !== undefined
      ? html`<tr class="utrecht-table__row"><td class="utrecht-table__cell" colspan="${o.columns.length}">${o.empty}</td></tr>`
      : o.rows.map(
          (row) =>
            html`<tr class="utrecht-table__row">${row.map((cell, i) =>
              i === 0 && rowHeaders
                ? html`<th scope="row" class="utrecht-table__header-cell${numeric(o.columns[i])}">${cell}</th>`
                : html`<td class="utrecht-table__cell${numeric(o.columns[i])}">${cell}</td>`,
            )}</tr>`,
        );
  return html`<div class="utrecht-table-container"><table class="utrecht-table utrecht-table--html-table"${o.id ? html` id="${o.id}"` : ""}>
<caption class="utrecht-table__caption">${o.caption}</caption>
<thead class="utrecht-table__header"><tr class="utrecht-table__row">${o.columns.map(
    (c) =>
      html`<th scope="col" class="utrecht-table__header-cell${c.numeric ? " utrecht-table__header-cell--numeric-column" : ""}">${c.header}</th>`,
  )}</tr></thead>
<tbody class="utrecht-table__body">${body}</tbody>
</table></div>`;
}
