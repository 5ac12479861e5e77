// The fleet's municipalities, read from a CSV with a header line:
//
//   code         the CBS code, GM and four digits (GM0344)                           required
//   name         the name as CBS writes it ('s-Gravenhage), shown to residents      required
//   ring         canary, early or general: when automatic updates arrive            empty: general
//   activations  blocks switched on with the platform's defaults, separated by ;    empty: none
//   tenant       the tenant's name, which becomes its namespace                      empty: from the name
//
// Every problem in the file is reported with its line and column; nothing is synthesised from a
// file with problems. The checks are the CRD's own (pattern, length, enum), taken from the
// generated constructs where they carry them, so that a fleet that passes here is accepted by
// the API server.
import { MunicipalTenantSpecRolloutRing } from "../src/imports/aihub.gemeenten.nl.ts";
import { CsvError, type CsvField, type CsvProblem, parseCsv } from "./csv.ts";
import { DEFAULT_ACTIVATIONS } from "./default-activations.ts";

export interface Municipality {
  /** CBS code, for example GM0344. */
  code: string;
  /** The municipality's name, for example Utrecht. */
  name: string;
  /** The MunicipalTenant's name and so its namespace's, for example utrecht. */
  tenant: string;
  ring: MunicipalTenantSpecRolloutRing;
  /** Blocks of DEFAULT_ACTIVATIONS to switch on, in the order of the file. */
  activations: string[];
  /** Where it was declared, for messages. */
  line: number;
}

export const COLUMNS = ["code", "name", "ring", "activations", "tenant"] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: Column[] = ["code", "name"];

const RINGS: readonly string[] = Object.values(MunicipalTenantSpecRolloutRing);
const RESERVED_NAMES = ["default", "aihub-system", "aihub-gateway", "aihub-logging"];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const or = (words: readonly string[]) =>
  words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : (words[0] ?? "");

/** A tenant name from a municipality's name: 's-Gravenhage is s-gravenhage, Súdwest-Fryslân sudwest-fryslan. */
export function tenantNameFor(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Why `tenant` cannot be a tenant's name (the CRD's rules for metadata.name), or undefined. */
function tenantNameProblem(tenant: string): string | undefined {
  if (tenant.length > 63) return `"${tenant}" is longer than 63 characters`;
  if (!DNS_LABEL.test(tenant)) {
    return `"${tenant}" is not a DNS label: use lower-case letters, digits and '-' only, for example utrecht`;
  }
  if (RESERVED_NAMES.includes(tenant) || tenant.startsWith("kube-")) {
    return `"${tenant}" is one of the platform's own namespaces (${RESERVED_NAMES.join(", ")}, kube-*)`;
  }
  return undefined;
}

/** The municipalities declared in `text` (a CSV file's content); throws a CsvError listing every problem. */
export function parseMunicipalities(text: string, file: string): Municipality[] {
  const { records, problems } = parseCsv(text);
  const [header, ...rows] = records;
  if (!header || (problems[0] && problems[0].line < header.line)) {
    throw new CsvError(file, [
      ...problems,
      ...(header ? [] : [{ line: 1, message: `no header line: expected ${COLUMNS.join(",")}` }]),
    ]);
  }
  const at = new Map<Column, number>();
  const headerProblems: CsvProblem[] = [];
  for (const f of header.fields) {
    const name = f.value.toLowerCase() as Column;
    if (!COLUMNS.includes(name)) {
      headerProblems.push({
        line: header.line,
        column: f.column,
        message: `unknown column "${f.value}": use ${or(COLUMNS)}`,
      });
    } else if (at.has(name)) {
      headerProblems.push({ line: header.line, column: f.column, message: `column ${name} appears twice` });
    } else at.set(name, f.column);
  }
  for (const name of REQUIRED) {
    if (!at.has(name)) headerProblems.push({ line: header.line, message: `the header has no column ${name}` });
  }
  // Without a header that can be read, the rows cannot be.
  if (headerProblems.length) throw new CsvError(file, [...headerProblems, ...problems]);

  const municipalities: Municipality[] = [];
  const byCode = new Map<string, number>();
  const byTenant = new Map<string, number>();
  for (const row of rows) {
    const rowProblems: CsvProblem[] = [];
    if (row.fields.length !== header.fields.length) {
      problems.push({
        line: row.line,
        message: `${row.fields.length} fields, but the header has ${header.fields.length} columns`,
      });
      continue;
    }
    const field = (name: Column): CsvField | undefined => {
      const column = at.get(name);
      return column === undefined ? undefined : row.fields[column - 1];
    };
    const problem = (name: Column, message: string) =>
      rowProblems.push({ line: row.line, column: at.get(name), name, message });

    const code = field("code")?.value ?? "";
    if (!/^GM[0-9]{4}$/.test(code)) {
      problem("code", `"${code}" is not a CBS municipality code: GM and four digits, for example GM0344`);
    } else if (byCode.has(code)) problem("code", `${code} is already declared on line ${byCode.get(code)}`);
    else byCode.set(code, row.line);

    const name = field("name")?.value ?? "";
    if (name.length < 1 || name.length > 100) problem("name", "the name must have 1 to 100 characters");

    const given = field("tenant")?.value ?? "";
    const tenant = given || tenantNameFor(name);
    const tenantColumn: Column = given ? "tenant" : "name";
    const nameProblem = name && tenantNameProblem(tenant);
    if (nameProblem) {
      problem(tenantColumn, `${nameProblem}${given ? "" : "; set a column tenant to name it yourself"}`);
    } else if (name && byTenant.has(tenant)) {
      problem(tenantColumn, `the tenant ${tenant} is already declared on line ${byTenant.get(tenant)}`);
    } else if (name) byTenant.set(tenant, row.line);

    const ring = field("ring")?.value || MunicipalTenantSpecRolloutRing.GENERAL;
    if (!RINGS.includes(ring)) problem("ring", `"${ring}" is not a rollout ring: use ${or(RINGS)}`);

    const activations = (field("activations")?.value ?? "")
      .split(";")
      .map((b) => b.trim())
      .filter(Boolean);
    const known = Object.keys(DEFAULT_ACTIVATIONS);
    for (const [i, block] of activations.entries()) {
      if (!known.includes(block)) problem("activations", `no default activation for "${block}": use ${or(known)}`);
      else if (activations.indexOf(block) < i) problem("activations", `${block} is listed twice`);
    }

    if (rowProblems.length) problems.push(...rowProblems);
    else {
      municipalities.push({
        code,
        name,
        tenant,
        ring: ring as MunicipalTenantSpecRolloutRing,
        activations,
        line: row.line,
      });
    }
  }
  if (problems.length)
    throw new CsvError(
      file,
      problems.sort((a, b) => a.line - b.line),
    );
  if (municipalities.length === 0) throw new CsvError(file, [{ line: header.line, message: "no municipalities" }]);
  return municipalities;
}
