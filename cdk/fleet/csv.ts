// A small CSV reader that remembers where each field is, so that an error can name its line and
// column. RFC 4180 within one line: fields are separated by commas; a field that holds a comma
// or a quote is quoted with ", and "" inside it is one quote. Unquoted fields are trimmed. Blank
// lines and lines that start with # are skipped. A leading byte order mark (spreadsheets write
// one) is ignored.

export interface CsvField {
  value: string;
  /** The field's position in its record, from 1. */
  column: number;
}

export interface CsvRecord {
  /** The line in the file, from 1. */
  line: number;
  fields: CsvField[];
}

/** A problem at a place in the file; `column` is the field's position in its record, from 1. */
export interface CsvProblem {
  line: number;
  column?: number;
  /** The column's name from the header, when known. */
  name?: string;
  message: string;
}

export const describeProblem = (file: string, p: CsvProblem) =>
  `${file}: line ${p.line}${p.column ? `, column ${p.column}` : ""}${p.name ? ` (${p.name})` : ""}: ${p.message}`;

/** Thrown with every problem found in a file, one line each, in the order of the file. */
export class CsvError extends Error {
  readonly problems: CsvProblem[];
  constructor(file: string, problems: CsvProblem[]) {
    super(problems.map((p) => describeProblem(file, p)).join("\n"));
    this.name = "CsvError";
    this.problems = problems;
  }
}

function parseLine(text: string, line: number): CsvField[] {
  const fields: CsvField[] = [];
  let i = 0;
  for (;;) {
    const column = fields.length + 1;
    let value = "";
    let rest = text.slice(i);
    if (rest.trimStart().startsWith('"')) {
      i += rest.length - rest.trimStart().length + 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new CsvError("", [{ line, column, message: "a quoted field is not closed" }]);
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      rest = text.slice(i);
      const after = rest.length - rest.trimStart().length;
      if (i + after < text.length && text[i + after] !== ",") {
        throw new CsvError("", [{ line, column, message: "only a comma may follow a closing quote" }]);
      }
      i += after;
    } else {
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? text.length : comma;
      const raw = text.slice(i, end);
      if (raw.includes('"')) {
        throw new CsvError("", [
          { line, column, message: 'a field with a quote must be quoted, the quote written as ""' },
        ]);
      }
      value = raw.trim();
      i = end;
    }
    fields.push({ value, column });
    if (i >= text.length) return fields;
    i += 1; // the comma
  }
}

/** The records of `text`, header included, and the problems of the lines that are not records. */
export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [index, content] of lines.entries()) {
    if (content.trim() === "" || content.trimStart().startsWith("#")) continue;
    try {
      records.push({ line: index + 1, fields: parseLine(content, index + 1) });
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      problems.push(...err.problems);
    }
  }
  return { records, problems };
}
