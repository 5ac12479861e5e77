import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CsvError, parseCsv } from "./csv.ts";
import { parseMunicipalities, tenantNameFor } from "./municipalities.ts";

const SHIPPED = "cdk/fleet/municipalities.csv";

/** The message of the CsvError that parsing `text` throws. */
const problems = (text: string) => {
  try {
    parseMunicipalities(text, "fleet.csv");
  } catch (err) {
    if (err instanceof CsvError) return err.message.split("\n");
    throw err;
  }
  throw new Error("parsed without problems");
};

describe("parseCsv", () => {
  it("reads quoted fields (commas, doubled quotes), trims unquoted ones and numbers lines and columns", () => {
    const { records, problems } = parseCsv(
      '\uFEFF# a comment\r\ncode, name ,ring\r\n\r\nGM0518,"\'s-Gravenhage, ""Den Haag""" , general\n  # indented comment\nGM0001,,\n',
    );
    expect(problems).toEqual([]);
    expect(records).toEqual([
      {
        line: 2,
        fields: [
          { value: "code", column: 1 },
          { value: "name", column: 2 },
          { value: "ring", column: 3 },
        ],
      },
      {
        line: 4,
        fields: [
          { value: "GM0518", column: 1 },
          { value: '\'s-Gravenhage, "Den Haag"', column: 2 },
          { value: "general", column: 3 },
        ],
      },
      {
        line: 6,
        fields: [
          { value: "GM0001", column: 1 },
          { value: "", column: 2 },
          { value: "", column: 3 },
        ],
      },
    ]);
  });

  it("reports a malformed line with its line and column and reads the others", () => {
    const { records, problems } = parseCsv('a,b\n"open,b\nx,"y"z\nx,y"\nc,d\n');
    expect(records.map((r) => r.line)).toEqual([1, 5]);
    expect(problems).toEqual([
      { line: 2, column: 1, message: "a quoted field is not closed" },
      { line: 3, column: 2, message: "only a comma may follow a closing quote" },
      { line: 4, column: 2, message: 'a field with a quote must be quoted, the quote written as ""' },
    ]);
  });
});

describe("parseMunicipalities", () => {
  it("reads the shipped fleet: real CBS codes and names, rings, activations, tenant names from the names", () => {
    const fleet = parseMunicipalities(readFileSync(SHIPPED, "utf8"), SHIPPED);
    expect(fleet.length).toBeGreaterThanOrEqual(10);
    const byCode = new Map(fleet.map((m) => [m.code, m]));
    expect(byCode.get("GM0363")).toMatchObject({ name: "Amsterdam", tenant: "amsterdam", ring: "canary" });
    expect(byCode.get("GM0344")).toMatchObject({ name: "Utrecht", tenant: "utrecht", ring: "early" });
    expect(byCode.get("GM0599")).toMatchObject({ name: "Rotterdam", tenant: "rotterdam" });
    expect(byCode.get("GM0518")).toMatchObject({ name: "'s-Gravenhage", tenant: "s-gravenhage" });
    // An empty ring is the CRD's default.
    expect(byCode.get("GM1708")).toMatchObject({ name: "Steenwijkerland", ring: "general" });
    expect(byCode.get("GM0363")?.activations).toEqual(["transcriptie", "pseudonimisering", "uitlegbaarheid"]);
    expect(byCode.get("GM0303")?.activations).toEqual([]);
  });

  it("makes tenant names that are DNS labels from names with accents, apostrophes and spaces", () => {
    expect(tenantNameFor("'s-Gravenhage")).toBe("s-gravenhage");
    expect(tenantNameFor("Súdwest-Fryslân")).toBe("sudwest-fryslan");
    expect(tenantNameFor("Bergen (NH.)")).toBe("bergen-nh");
    expect(tenantNameFor("Noardeast-Fryslân")).toBe("noardeast-fryslan");
  });

  it("takes a tenant column over the name, and columns in any order", () => {
    const [m] = parseMunicipalities("tenant,ring,name,code\nden-haag,early,'s-Gravenhage,GM0518\n", "fleet.csv");
    expect(m).toEqual({
      code: "GM0518",
      name: "'s-Gravenhage",
      tenant: "den-haag",
      ring: "early",
      activations: [],
      line: 2,
    });
  });

  it("accepts exactly the rings of the CRD's enum", () => {
    const crd = parse(readFileSync("crds/aihub.gemeenten.nl_municipaltenants.yaml", "utf8"));
    const rings: string[] = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.rolloutRing.enum;
    expect(rings.length).toBeGreaterThan(0);
    for (const ring of rings) {
      expect(parseMunicipalities(`code,name,ring\nGM0344,Utrecht,${ring}\n`, "f.csv")[0]?.ring).toBe(ring);
    }
  });

  it("refuses a ring out of range, naming the file, line, column and what is accepted", () => {
    expect(problems("code,name,ring\nGM0363,Amsterdam,canary\nGM0344,Utrecht,beta\n")).toEqual([
      'fleet.csv: line 3, column 3 (ring): "beta" is not a rollout ring: use canary, early or general',
    ]);
    expect(problems("code,name,ring\nGM0344,Utrecht,Canary\n")).toEqual([
      'fleet.csv: line 2, column 3 (ring): "Canary" is not a rollout ring: use canary, early or general',
    ]);
  });

  it("reports every problem of the file at once, in the order of its lines", () => {
    const text = [
      "# comment",
      "code,name,ring,activations",
      "GM363,Amsterdam,early,",
      "GM0344,Utrecht,early,transcriptie;chatbot;transcriptie",
      "GM0344,,general,",
      "GM0014,Groningen",
      'GM0080,"Leeuwarden,general,',
      "GM0001,Utrecht,general,",
      `GM0002,${"x".repeat(101)},general,`,
      "GM0003,Kube Proxy,,",
    ].join("\n");
    expect(problems(text)).toEqual([
      'fleet.csv: line 3, column 1 (code): "GM363" is not a CBS municipality code: GM and four digits, for example GM0344',
      'fleet.csv: line 4, column 4 (activations): no default activation for "chatbot": use transcriptie, pseudonimisering or uitlegbaarheid',
      "fleet.csv: line 4, column 4 (activations): transcriptie is listed twice",
      "fleet.csv: line 5, column 1 (code): GM0344 is already declared on line 4",
      "fleet.csv: line 5, column 2 (name): the name must have 1 to 100 characters",
      "fleet.csv: line 6: 2 fields, but the header has 4 columns",
      "fleet.csv: line 7, column 2: a quoted field is not closed",
      "fleet.csv: line 8, column 2 (name): the tenant utrecht is already declared on line 4",
      "fleet.csv: line 9, column 2 (name): the name must have 1 to 100 characters",
      `fleet.csv: line 9, column 2 (name): "${"x".repeat(101)}" is longer than 63 characters; set a column tenant to name it yourself`,
      'fleet.csv: line 10, column 2 (name): "kube-proxy" is one of the platform\'s own namespaces (default, aihub-system, aihub-gateway, aihub-logging, kube-*); set a column tenant to name it yourself',
    ]);
  });

  it("refuses a tenant name that is not a DNS label or is the platform's own", () => {
    expect(problems("code,name,tenant\nGM0344,Utrecht,Utrecht_Stad\nGM0345,Utrecht 2,aihub-system\n")).toEqual([
      "fleet.csv: line 2, column 3 (tenant): \"Utrecht_Stad\" is not a DNS label: use lower-case letters, digits and '-' only, for example utrecht",
      'fleet.csv: line 3, column 3 (tenant): "aihub-system" is one of the platform\'s own namespaces (default, aihub-system, aihub-gateway, aihub-logging, kube-*)',
    ]);
  });

  it("refuses a header with an unknown, a repeated or a missing column before reading any row", () => {
    expect(problems("code,naam,code\nGM0344,Utrecht,GM0344\n")).toEqual([
      'fleet.csv: line 1, column 2: unknown column "naam": use code, name, ring, activations or tenant',
      "fleet.csv: line 1, column 3: column code appears twice",
      "fleet.csv: line 1: the header has no column name",
    ]);
    expect(problems("# only comments\n")).toEqual([
      "fleet.csv: line 1: no header line: expected code,name,ring,activations,tenant",
    ]);
    expect(problems("code,name\n")).toEqual(["fleet.csv: line 1: no municipalities"]);
  });
});
