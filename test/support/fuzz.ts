// Differential fuzzing of the aihub API: random objects of the three kinds, near the examples,
// go both to the zod schema that the reconcilers parse with and to a real API server (a
// server-side dry-run create), and quantities both to canonicalQuantity and to the API server
// (a dry-run ResourceQuota). Every object the API server accepts must be one the operator can
// reconcile; every disagreement is counted by what it is:
// - serverOnly: the API server accepts, the operator refuses what it stores (the reconciler
//   could not reconcile it): serious;
// - webhookOnly: the same, where the CRD cannot express the check and the admission webhook
//   closes it (a block's parameter default, which takes any scalar: CEL cannot see it); the
//   catalog reconciler reports such a block InvalidSpec. Counted apart, not a failure;
// - operatorOnly: zod accepts, the API server refuses: the operator's schema is looser;
// - view: both accept, but what the operator reads is not what the API server stores;
// - throws: the zod schema threw instead of answering.
// Cases are reproducible from their seed (fast-check's fc.sample); both answers and what was done
// to the example are kept for the report.
// Used by test/e2e/fuzz.test.ts (a few hundred cases) and `make fuzz` (bench/fuzz.ts).
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import type { z } from "zod";
import { canonicalQuantity, QUANTITY_PATTERN } from "../../operator/src/api/quantity.ts";
import {
  aiBuildingBlockSpec,
  blockActivationSpec,
  municipalTenantSpec,
  tenantQuota,
} from "../../operator/src/api/v1alpha1/index.ts";
import type { ResourcePaths } from "../../operator/src/kube/resource-paths.ts";
import { ApiError, type RestClient } from "../../operator/src/kube/rest-client.ts";
import { readManifests } from "./manifests.ts";

export const FUZZ_KINDS = ["MunicipalTenant", "AIBuildingBlock", "BlockActivation"] as const;
export type FuzzKind = (typeof FUZZ_KINDS)[number];

type Json = unknown;
type Obj = Record<string, Json>;
export interface FuzzObject extends Obj {
  apiVersion: string;
  kind: FuzzKind;
  metadata: { name: string; namespace?: string };
  spec: Obj;
}

/** One generated case: the object and what was done to the example it started from. */
export interface FuzzCase {
  kind: FuzzKind;
  object: FuzzObject;
  edits: string[];
}

const SPEC_SCHEMAS: Record<FuzzKind, z.ZodType> = {
  MunicipalTenant: municipalTenantSpec,
  AIBuildingBlock: aiBuildingBlockSpec,
  BlockActivation: blockActivationSpec,
};

// ---------------------------------------------------------------------------------------------
// Values: pools of near-valid values per field (the valid ones first), and generic odd values.

const hex64 = "846b1511e669fc1e24b6ae1bd930017cb0784e00fb13d4ea2c2afefc6c3980cc";

/** Lengths around the limits the schemas set (in characters as the API server counts them). */
const LENGTHS = [0, 1, 2, 5, 6, 32, 33, 43, 44, 63, 64, 100, 101, 253, 254, 256, 257, 512, 513, 1024, 1025, 2048, 2049];
const LONG_LENGTHS = [4096, 4097, 8192, 8193, 16384, 16385];
/**
 * Characters of one, two, three and four UTF-8 bytes (an emoji is two UTF-16 units, one code point
 * for both zod and the API server), a no-break space, and a lone surrogate (which Go stores as U+FFFD).
 */
const CHARS = ["x", "é", "中", "😀", "\u00a0", "\ud800"];

const NUMBERS = [
  -1,
  0,
  1,
  2,
  7,
  20,
  21,
  30,
  50,
  60,
  61,
  64,
  65,
  100,
  101,
  200,
  201,
  365,
  366,
  1000,
  1001,
  1023,
  1024,
  8080,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 60,
  2 ** 63,
  1e21,
  -(2 ** 53 - 1),
  -(2 ** 53),
  -(2 ** 60),
  0.5,
  1.5,
  -0.5,
  1e-7,
];

const WRONG_TYPES: Json[] = [true, false, null, {}, [], "", "1", "true", 1, 1.5, { a: 1 }, ["a"], [1, 2]];

const DATES = [
  "2026-10-01",
  "2027-12-31",
  "2024-02-29",
  "2000-02-29",
  "0000-02-29",
  "9999-12-31",
  "2026-02-29",
  "1900-02-29",
  "2026-04-31",
  "2026-13-01",
  "2026-1-01",
  "20261001",
  "2026-10-01T00:00:00Z",
  " 2026-10-01",
  "2026-10-0１",
];

const SEMVERS = [
  "1.0.0",
  "1.3.0",
  "1.4.0",
  "1.5.0-rc.1",
  "2.0.1",
  "0.0.0",
  "10.20.30",
  "1.0.0-alpha.beta-1",
  "1.0.0+build.1",
  "1.0.0-rc.1+b",
  "01.0.0",
  "1.0",
  "v1.0.0",
  "1.0.0-",
  "1.0.0-01",
  "1.0.0-α",
  `${"9".repeat(61)}.0.0`,
  `${"9".repeat(60)}.0.0`,
  `1.0.0-${"a".repeat(58)}`,
];

const QUANTITY_VALUES = [
  "1",
  "500m",
  "4Gi",
  "16",
  "64Gi",
  "0",
  "0.5",
  "1.5Gi",
  "0100",
  "1.500",
  ".5",
  "8Ei",
  "9Ei",
  "1000E",
  "9223372036854775807",
  "9223372036854775808",
  "99999999999999999999999999999999",
  "1e3",
  "-1",
  "1.",
  "1 Gi",
  "1KI",
  "Gi",
  "",
  "١",
  "１",
];

const CIDRS = [
  "10.0.0.0/8",
  "10.19.0.1/16",
  "192.0.2.10/32",
  "0.0.0.0/0",
  "2001:db8::/32",
  "2001:DB8::1/128",
  "::/0",
  "::1.2.3.4/128",
  "1:2:3:4:5:6:1.2.3.4/96",
  "1:2:3:4:5:6:7:8/64",
  "fe80::/10",
  "10.0.0.0/33",
  "010.0.0.0/8",
  "10.0.0/8",
  "10.0.0.0",
  "10.0.0.0/08",
  "10.0.0.0/+8",
  "10.0.0.0/-1",
  "1.2.3.256/32",
  "::ffff:10.0.0.0/104",
  "::ffff:a00:0/104",
  "1::2::3/64",
  "2001:db8::1%eth0/64",
  "1:2:3:4:5:6:7:8:9/64",
  "1:2:3:4:5:6:7::/64",
  "::1:2:3:4:5:6:7:8/64",
  "1:2:3:4:5:1.2.3.4/96",
  "12345::/16",
  "::/129",
  "zaken.example.nl/32",
  " 10.0.0.0/8",
  "10.0.0.0/8/8",
  "0.0.0.0/00",
  ":/0",
];

const IMAGES = [
  `registry.gemeenten.nl/aihub/x@sha256:${hex64}`,
  `localhost:5000/a/b@sha256:${hex64}`,
  `r.nl/a_b/c-d.e@sha256:${hex64}`,
  `registry.gemeenten.nl/aihub/x@sha256:${hex64.toUpperCase()}`,
  `registry.gemeenten.nl/aihub/x@sha256:${hex64.slice(1)}`,
  "registry.gemeenten.nl/aihub/x:1.0.0",
  `a@sha256:${hex64}`,
  `Registry.nl/a@sha256:${hex64}`,
  `r.nl//a@sha256:${hex64}`,
  `r.nl/a@sha256:${hex64}\n`,
  `r.nl/${"a".repeat(440)}@sha256:${hex64}`,
];

const DNS_LABELS = [
  "zaaksysteem",
  "a",
  "a1",
  "bezwaar-intake",
  "a".repeat(63),
  "a".repeat(64),
  "-a",
  "a-",
  "A",
  "a.b",
  "",
];
const PARAMETER_NAMES = [
  "maxWords",
  "tone",
  "a",
  "a1B",
  "a".repeat(63),
  "a".repeat(64),
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__proto__",
  "Max",
  "max-words",
  "",
];
const SUBJECTS = [
  "gm0344-informatiebeheer",
  "j.devries@utrecht.nl",
  "system:authenticated",
  "system:masters",
  "System:x",
];
const URLS = [
  "https://hook.example.nl/go",
  "https://例え.jp/",
  "https://a\u00a0b",
  "https://a\u2003b",
  "https://a\u000bb",
  "https://a\tb",
  "https://a b",
  "https://",
  "http://hook.example.nl",
  `https://${"a".repeat(2040)}`,
];
const DURATIONS = [
  "15m",
  "30m",
  "1h30m",
  "0s",
  "10ms",
  "999999h",
  "1000000h",
  "30",
  "1.5h",
  "-1m",
  "1d",
  "ms",
  "1h".repeat(16),
];
const COUNTS = ["0", "1", "10%", "100%", "9999", "0%", "101%", "10000", "05", "5 %", "%", "-1"];
const CLOCKS = ["00:00", "23:59", "02:00", "24:00", "9:00", "09:60", "0900", "12:00:00"];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Values for a field, by its path with list indexes left out ("egress.cidr") or by its last key. */
const FIELD_VALUES: Record<string, Json[]> = {
  municipalityCode: ["GM0344", "GM0001", "GM9999", "GM034", "GM03444", "gm0344", "GM034a", "GM０344", "GM0344 "],
  country: ["NL", "DE", "DK", "BE", "US", "nl", "NLD", "N", "", "ÑL"],
  riskClass: ["minimal", "limited", "high", "High", "unacceptable", ""],
  category: ["intake", "other", "translation", "Intake", "chat", ""],
  channel: ["stable", "candidate", "Stable", "beta", ""],
  updatePolicy: ["Automatic", "Manual", "manual", ""],
  rolloutRing: ["canary", "early", "general", "Canary", "late"],
  protocol: ["TCP", "UDP", "SCTP", "tcp"],
  type: ["string", "integer", "boolean", "enum", "duration", "url", "float", "String"],
  version: SEMVERS,
  approvedVersion: SEMVERS,
  releaseDate: DATES,
  validUntil: DATES,
  endOfLife: DATES,
  image: IMAGES,
  cidr: CIDRS,
  cpu: QUANTITY_VALUES,
  memory: QUANTITY_VALUES,
  storage: QUANTITY_VALUES,
  pods: [1, 50, 1000, 0, 1001, 1.5],
  activations: [1, 30, 200, 0, 201],
  port: [443, 1024, 8080, 65535, 0, 80, 1023, 65536],
  replicas: [0, 1, 20, 21, -1],
  samplePercentage: [0, 50, 100, 101, -1],
  endOfLifeNoticeDays: [0, 30, 365, 366, -1],
  timeoutSeconds: [1, 10, 60, 0, 61],
  minimum: [0, 1, -5, 2 ** 53 - 1, 2 ** 53, 2 ** 60, -(2 ** 53), -(2 ** 60), 1.5],
  maximum: [10, 500, 2 ** 53 - 1, 2 ** 53, 2 ** 60, -(2 ** 60), 1.5],
  maxLength: [1, 64, 65536, 0, 65537],
  default: [
    "nl",
    42,
    true,
    "30s",
    "-5m",
    "https://zaken.example.nl",
    "http://x",
    1.5,
    2 ** 53,
    { a: 1 },
    [1],
    "x".repeat(1025),
  ],
  required: [true, false, "true"],
  deprecated: [true, false, "yes"],
  deletionProtection: [true, false, "yes"],
  "parameters.name": PARAMETER_NAMES,
  "egress.name": DNS_LABELS,
  "rings.name": ["canary", "early", "general", "late"],
  block: DNS_LABELS,
  "admins.groups": SUBJECTS,
  "admins.users": SUBJECTS,
  "viewers.groups": SUBJECTS,
  "viewers.users": SUBJECTS,
  url: URLS,
  maxConcurrent: COUNTS,
  maxFailures: COUNTS,
  bakeTime: DURATIONS,
  progressDeadline: DURATIONS,
  start: CLOCKS,
  end: CLOCKS,
  days: WEEKDAYS.concat(["monday", "Funday"]),
  allowedValues: ["nl", "fy", "en", "", "x".repeat(254)],
};

/** The values for the field at `path` ("spec.egress[0].cidr" → "egress.cidr", then "cidr"). */
function fieldValues(path: (string | number)[]): Json[] | undefined {
  const keys = path.filter((k): k is string => typeof k === "string");
  const last = keys[keys.length - 1] ?? "";
  const parent = keys[keys.length - 2];
  return (parent !== undefined ? FIELD_VALUES[`${parent}.${last}`] : undefined) ?? FIELD_VALUES[last];
}

// ---------------------------------------------------------------------------------------------
// Additions: optional sections the examples lack, generated near valid.

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
/** Mostly one of the first `valid` values, sometimes any of them. */
const mostly = <T>(values: readonly T[], valid: number) =>
  fc.oneof({ weight: 7, arbitrary: pick(values.slice(0, valid)) }, { weight: 1, arbitrary: pick(values) });

/** Absent three times in four. */
const sometimes = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

/** Networks in many shapes: IPv4 fields with leading zeros or above 255, IPv6 groups, ::, IPv4 tails, zones, odd lengths. */
export const cidrArb: fc.Arbitrary<string> = (() => {
  const often = <T>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: odd });
  const octet = often(fc.integer({ min: 0, max: 255 }).map(String), pick(["00", "010", "256", "999", ""]));
  const v4 = fc
    .tuple(fc.array(octet, { minLength: 4, maxLength: 4 }), fc.nat({ max: 15 }), octet)
    .map(([f, n, extra]) => (n === 0 ? f.slice(0, 3) : n === 1 ? [...f, extra] : f).join("."));
  const group = often(
    fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)),
    pick(["FFFF", "0000", "00000", "12345", "g", ""]),
  );
  // n groups, a :: at `at` when fewer than eight, an IPv4 tail for the last two groups.
  const v6 = fc
    .tuple(
      fc.integer({ min: 0, max: 9 }),
      fc.nat(),
      fc.nat({ max: 5 }),
      fc.array(group, { minLength: 9, maxLength: 9 }),
      v4,
      fc.nat({ max: 19 }),
    )
    .map(([n, atPick, tailPick, groups, tail, zone]) => {
      const withTail = tailPick === 0;
      const count = withTail ? Math.max(0, n - 2) : n;
      const parts = groups.slice(0, count);
      const ellipsis = n < 8 || atPick % 7 === 0;
      let text: string;
      if (ellipsis) {
        const at = atPick % (parts.length + 1);
        text = `${parts.slice(0, at).join(":")}::${parts.slice(at).join(":")}`;
      } else {
        text = parts.join(":");
      }
      if (withTail) text = text.endsWith(":") || text === "" ? `${text}${tail}` : `${text}:${tail}`;
      if (atPick % 11 === 0) text = `::ffff:${tail}`;
      return zone === 0 ? `${text}%eth0` : text;
    });
  const bits = often(fc.integer({ min: 0, max: 130 }).map(String), pick(["08", "+8", "-1", "", "1e1", "00"]));
  return fc.tuple(fc.oneof(v4, v6), bits, fc.nat({ max: 19 })).map(([a, b, n]) => (n === 0 ? a : `${a}/${b}`));
})();

/** Image references around the digest rule: registries, ports, paths, separators, digests. */
const imageArb: fc.Arbitrary<string> = fc
  .tuple(
    pick(["registry.gemeenten.nl", "localhost:5000", "r.nl", "R.nl", "r_nl", "r.nl:", "r..nl", ""]),
    fc.array(pick(["aihub", "a-b", "a_b", "a.b", "a__b", "-a", "A", ""]), { minLength: 0, maxLength: 3 }),
    pick(["@sha256:", ":1.0@sha256:", "@sha512:", "@"]),
    fc.oneof(
      pick([hex64, hex64.toUpperCase(), hex64.slice(1), `${hex64}0`]),
      fc.string({ unit: pick("0123456789abcdef".split("")), minLength: 64, maxLength: 64 }),
    ),
  )
  .map(([registry, path, at, digest]) => `${[registry, ...path].join("/")}${at}${digest}`);

const quantityArb = () =>
  fc.oneof(
    { weight: 3, arbitrary: mostly(QUANTITY_VALUES, 10) },
    { weight: 1, arbitrary: quantityString() },
  ) as fc.Arbitrary<string>;

const resourcesArb = fc.record(
  {
    requests: fc.record({ cpu: quantityArb(), memory: quantityArb() }, { requiredKeys: [] }),
    limits: fc.record({ cpu: quantityArb(), memory: quantityArb() }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const tenantAdditions: Record<string, fc.Arbitrary<Json>> = {
  quota: fc.record(
    {
      cpu: quantityArb(),
      memory: quantityArb(),
      pods: mostly(FIELD_VALUES.pods ?? [], 3),
      storage: quantityArb(),
      activations: mostly(FIELD_VALUES.activations ?? [], 3),
    },
    { requiredKeys: [] },
  ),
  maintenanceWindows: fc.array(
    fc.record({
      days: fc.oneof(
        fc.uniqueArray(pick(WEEKDAYS), { minLength: 1, maxLength: 7 }),
        fc.array(mostly(FIELD_VALUES.days ?? [], 7), { maxLength: 8 }),
      ),
      start: mostly(CLOCKS, 3),
      end: mostly(CLOCKS, 3),
    }),
    { maxLength: 3 },
  ),
  egress: fc.array(
    fc.record(
      {
        name: mostly(["archief", "brp", "zaken-api", ...DNS_LABELS], 3),
        cidr: fc.oneof({ weight: 3, arbitrary: mostly(CIDRS, 11) }, { weight: 2, arbitrary: cidrArb }),
        ports: fc.array(
          fc.record({ port: mostly(FIELD_VALUES.port ?? [], 4), protocol: mostly(["TCP", "UDP", "SCTP"], 2) }),
          {
            minLength: 1,
            maxLength: 2,
          },
        ),
        description: fc.string({ unit: "binary", maxLength: 40 }),
      },
      { requiredKeys: ["name", "cidr", "ports"] },
    ),
    { maxLength: 3 },
  ),
  admins: fc.record(
    {
      groups: fc.oneof(
        fc.uniqueArray(mostly(SUBJECTS, 2), { maxLength: 3 }),
        fc.array(pick(SUBJECTS), { maxLength: 3 }),
      ),
      users: fc.oneof(
        fc.uniqueArray(mostly(SUBJECTS, 2), { maxLength: 3 }),
        fc.array(pick(SUBJECTS), { maxLength: 3 }),
      ),
    },
    { requiredKeys: [] },
  ),
  rolloutRing: mostly(FIELD_VALUES.rolloutRing ?? [], 3),
  deletionProtection: mostly([true, false, "false"], 2),
};

const parameterDefinitionArb = fc
  .record(
    {
      name: mostly(PARAMETER_NAMES, 5),
      type: mostly(FIELD_VALUES.type ?? [], 6),
      description: mostly(["What it changes.", "x".repeat(1024), "😀".repeat(1024), ""], 3),
      required: fc.boolean(),
      default: fc.option(mostly(FIELD_VALUES.default ?? [], 6), { nil: undefined }),
      minimum: fc.option(mostly(FIELD_VALUES.minimum ?? [], 4), { nil: undefined }),
      maximum: fc.option(mostly(FIELD_VALUES.maximum ?? [], 3), { nil: undefined }),
      maxLength: fc.option(mostly(FIELD_VALUES.maxLength ?? [], 3), { nil: undefined }),
      allowedValues: fc.option(fc.array(mostly(FIELD_VALUES.allowedValues ?? [], 3), { minLength: 1, maxLength: 3 }), {
        nil: undefined,
      }),
    },
    { requiredKeys: ["name", "type", "description"] },
  )
  // Make the definition fit its type more often than chance would.
  .map((d) => {
    const def = { ...d } as Obj;
    for (const k of Object.keys(def)) if (def[k] === undefined) delete def[k];
    if (def.type === "enum" && def.allowedValues === undefined) def.allowedValues = ["nl", "en"];
    if (def.type !== "enum" && Array.isArray(def.allowedValues) && d.name.length % 2 === 0) delete def.allowedValues;
    if (def.type !== "integer" && d.name.length % 3 !== 0) {
      delete def.minimum;
      delete def.maximum;
    }
    if (def.type !== "string" && d.name.length % 3 !== 1) delete def.maxLength;
    return def;
  });

const versionArb = fc.record(
  {
    version: mostly(SEMVERS, 7),
    image: fc.oneof({ weight: 3, arbitrary: mostly(IMAGES, 3) }, { weight: 1, arbitrary: imageArb }),
    channel: mostly(["stable", "candidate", "beta"], 2),
    releaseDate: mostly(DATES, 6),
    deprecated: fc.boolean(),
    endOfLife: mostly(DATES, 6),
    releaseNotes: mostly(["Fixes.", "x".repeat(8192), "😀".repeat(8192), ""], 3),
  },
  { requiredKeys: ["version", "image", "releaseDate", "releaseNotes"] },
);

const blockAdditions: Record<string, fc.Arbitrary<Json>> = {
  parameters: fc.array(parameterDefinitionArb, { maxLength: 3 }),
  versions: fc.array(versionArb, { minLength: 1, maxLength: 3 }),
  runtime: fc.record(
    { port: mostly([8080, 1024, 65535, 443, 0, 65536], 3), resources: resourcesArb },
    { requiredKeys: [] },
  ),
  rollout: fc.record(
    {
      maxConcurrent: mostly(COUNTS, 5),
      bakeTime: mostly(DURATIONS, 6),
      progressDeadline: mostly(DURATIONS, 6),
      maxFailures: mostly(COUNTS, 5),
      rings: fc.array(
        fc.record(
          {
            name: mostly(["canary", "early", "general", "late"], 3),
            maxConcurrent: mostly(COUNTS, 5),
            bakeTime: mostly(DURATIONS, 6),
          },
          { requiredKeys: ["name"] },
        ),
        { maxLength: 3 },
      ),
      analysis: fc.record(
        {
          url: mostly(URLS, 2),
          caBundle: mostly(
            ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "😀".repeat(9000), "x".repeat(16385)],
            1,
          ),
          timeoutSeconds: mostly(FIELD_VALUES.timeoutSeconds ?? [], 3),
        },
        { requiredKeys: ["url"] },
      ),
    },
    { requiredKeys: [] },
  ),
  endOfLifeNoticeDays: mostly(FIELD_VALUES.endOfLifeNoticeDays ?? [], 3),
};

const PARAMETER_KEYS = [
  "caseSystemUrl",
  "responseDeadlineDays",
  "language",
  "tone",
  "__proto__",
  "constructor",
  "k".repeat(64),
  "",
  "Ünïcode",
];

const activationAdditions: Record<string, fc.Arbitrary<Json>> = {
  versioning: fc.oneof(
    fc.record({ channel: mostly(["stable", "candidate", "beta"], 2) }),
    fc.record({ version: mostly(SEMVERS, 5) }),
    fc.record({ updatePolicy: fc.constant("Manual"), approvedVersion: mostly(SEMVERS, 5) }),
    fc.record({
      updatePolicy: fc.constant("Manual"),
      approvedVersion: mostly(SEMVERS, 5),
      channel: fc.constant("candidate"),
    }),
    fc.record({ channel: fc.constant("stable"), version: mostly(SEMVERS, 5) }),
    fc.record({ approvedVersion: mostly(SEMVERS, 5) }),
    fc.record({ updatePolicy: fc.constant("Manual") }),
    fc.record({
      version: mostly(SEMVERS, 5),
      updatePolicy: fc.constant("Manual"),
      approvedVersion: mostly(SEMVERS, 5),
    }),
  ),
  parameters: fc.dictionary(
    mostly(PARAMETER_KEYS, 4),
    fc.oneof(
      mostly(["https://zaken.example.nl/api", 42, true, "nl", "x".repeat(1025), 1.5, null, { a: 1 }, [1]], 4),
      fc.string({ unit: "binary", maxLength: 10 }),
    ),
    { maxKeys: 4 },
  ),
  humanInTheLoop: fc.record(
    {
      required: fc.boolean(),
      reviewerGroup: mostly(["gm0344-team-bezwaar", "x".repeat(253), "😀".repeat(253), ""], 3),
      samplePercentage: mostly(FIELD_VALUES.samplePercentage ?? [], 3),
    },
    { requiredKeys: [] },
  ),
  replicas: mostly(FIELD_VALUES.replicas ?? [], 3),
  resources: resourcesArb,
};

const ADDITIONS: Record<FuzzKind, Record<string, fc.Arbitrary<Json>>> = {
  MunicipalTenant: tenantAdditions,
  AIBuildingBlock: blockAdditions,
  BlockActivation: activationAdditions,
};

// ---------------------------------------------------------------------------------------------
// Edits: generic mutations at a random place of the object.

const EDIT_OPS = [
  "fieldValue",
  "fieldValue",
  "fieldValue",
  "longString",
  "wrongType",
  "number",
  "delete",
  "empty",
  "duplicate",
  "extraField",
  "unicode",
] as const;

interface Edit {
  op: (typeof EDIT_OPS)[number];
  at: number;
  choice: number;
  unicode: string;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  op: pick(EDIT_OPS),
  at: fc.nat(),
  choice: fc.nat(),
  unicode: fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
});

type Path = (string | number)[];

/** Every place in `value` below `path`, containers included. */
function places(value: Json, path: Path = []): Path[] {
  const here = path.length ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => places(v, [...path, i]))];
  if (value && typeof value === "object")
    return [...here, ...Object.entries(value).flatMap(([k, v]) => places(v, [...path, k]))];
  return here;
}

function getAt(root: Json, path: Path): Json {
  return path.reduce<Json>((o, k) => (o as Record<string | number, Json> | undefined)?.[k], root);
}

/** Sets a property as an own property, also "__proto__" (which plain assignment would not create). */
function setOwn(o: Record<string | number, Json>, key: string | number, value: Json) {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function setAt(root: Json, path: Path, value: Json) {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, Json>;
  setOwn(parent, path[path.length - 1] as string | number, value);
}

function deleteAt(root: Json, path: Path) {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Obj)[key];
}

const nth = <T>(values: readonly T[], i: number): T => values[i % values.length] as T;

/** Applies one edit to `spec`; returns what it did, for the report. */
function applyEdit(spec: Obj, e: Edit): string {
  const all = places(spec);
  if (all.length === 0) return "none";
  const path = nth(all, e.at);
  const shown = `spec.${path.map((k) => (typeof k === "number" ? `[${k}]` : k)).join(".")}`.replace(/\.\[/g, "[");
  const current = getAt(spec, path);
  switch (e.op) {
    case "fieldValue": {
      const values = fieldValues(path) ?? NUMBERS;
      const v = nth(values, e.choice);
      setAt(spec, path, structuredClone(v));
      return `${shown}=${JSON.stringify(v)?.slice(0, 40)}`;
    }
    case "longString": {
      const n = nth([...LENGTHS, ...LONG_LENGTHS], e.choice);
      const c = nth(CHARS, Math.floor(e.choice / 7));
      setAt(spec, path, c.repeat(n));
      return `${shown}=${JSON.stringify(c)}×${n}`;
    }
    case "wrongType": {
      const v = nth(WRONG_TYPES, e.choice);
      setAt(spec, path, structuredClone(v));
      return `${shown}=${JSON.stringify(v)}`;
    }
    case "number": {
      const v = nth(NUMBERS, e.choice);
      setAt(spec, path, v);
      return `${shown}=${v}`;
    }
    case "delete":
      deleteAt(spec, path);
      return `delete ${shown}`;
    case "empty":
      setAt(spec, path, Array.isArray(current) ? [] : current && typeof current === "object" ? {} : "");
      return `empty ${shown}`;
    case "duplicate": {
      const parent = getAt(spec, path.slice(0, -1));
      if (Array.isArray(parent) && parent.length < 200) {
        parent.push(structuredClone(current));
        return `duplicate ${shown}`;
      }
      setAt(spec, path, structuredClone(current));
      return "none";
    }
    case "extraField": {
      const target = current && typeof current === "object" && !Array.isArray(current) ? current : spec;
      const key = nth(["bogus", "displayname", "__proto__", "x-extra", "Spec"], e.choice);
      setOwn(target as Obj, key, nth(["x", 1, true, { a: 1 }], e.choice));
      return `extra field ${key}`;
    }
    case "unicode":
      setAt(spec, path, e.unicode);
      return `${shown}=${JSON.stringify(e.unicode)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Cases.

const examplesDir = (folder: string) => fileURLToPath(new URL(`../../examples/${folder}`, import.meta.url));

function examples(): Record<FuzzKind, FuzzObject[]> {
  const read = (folder: string) => readManifests(examplesDir(folder)) as unknown as FuzzObject[];
  return { MunicipalTenant: read("tenants"), AIBuildingBlock: read("catalog"), BlockActivation: read("activations") };
}

/** Cases of one kind: an example, some optional sections added, then up to three edits. */
export function caseArbitrary(kind: FuzzKind, namespace: string): fc.Arbitrary<FuzzCase> {
  const bases = examples()[kind];
  const additions = ADDITIONS[kind];
  const addition = fc.record(Object.fromEntries(Object.entries(additions).map(([k, a]) => [k, sometimes(a)])));
  return fc
    .record({
      base: fc.nat({ max: bases.length - 1 }),
      add: addition,
      edits: fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        { weight: 2, arbitrary: fc.array(editArb, { minLength: 1, maxLength: 1 }) },
        { weight: 1, arbitrary: fc.array(editArb, { minLength: 2, maxLength: 3 }) },
      ),
    })
    .map(({ base, add, edits }) => {
      const object = structuredClone(bases[base] as FuzzObject);
      // Cluster-scoped names of their own: other tests on the same control plane create the
      // examples' blocks and tenants, and a dry run of an existing name is refused as existing.
      object.metadata =
        kind === "BlockActivation"
          ? { name: object.metadata.name, namespace }
          : { name: `fuzz-${object.metadata.name}` };
      const done: string[] = [`${kind} ${object.metadata.name}`];
      for (const [key, value] of Object.entries(add)) {
        if (value === undefined) continue;
        if (key === "versioning") {
          for (const k of ["channel", "version", "updatePolicy", "approvedVersion"]) delete object.spec[k];
          Object.assign(object.spec, structuredClone(value));
        } else if (key === "versions" || key === "egress") {
          const list = [...((object.spec[key] as Json[] | undefined) ?? []), ...(value as Json[])];
          object.spec[key] = structuredClone(list);
        } else if (key === "parameters" && kind === "BlockActivation") {
          const params = (object.spec.parameters ?? {}) as Obj;
          for (const [k, v] of Object.entries(value as Obj)) setOwn(params, k, structuredClone(v));
          object.spec.parameters = params;
        } else if (key === "parameters") {
          object.spec.parameters = [...((object.spec.parameters as Json[] | undefined) ?? []), ...(value as Json[])];
        } else {
          object.spec[key] = structuredClone(value);
        }
        done.push(`+${key}`);
      }
      for (const e of edits) done.push(applyEdit(object.spec, e));
      return { kind, object, edits: done };
    });
}

/** `runs` cases, as evenly over the three kinds as they divide, reproducible from `seed`. */
export function sampleCases(runs: number, seed: number, namespace: string): FuzzCase[] {
  const perKind = FUZZ_KINDS.map((_, i) => Math.floor(runs / 3) + (i < runs % 3 ? 1 : 0));
  return FUZZ_KINDS.flatMap((kind, i) =>
    (perKind[i] ?? 0) > 0 ? fc.sample(caseArbitrary(kind, namespace), { seed: seed + i, numRuns: perKind[i] }) : [],
  );
}

// ---------------------------------------------------------------------------------------------
// Judging one case.

export interface Issue {
  path: PropertyKey[];
  message: string;
}

/** What the operator makes of a spec: the reconciler's parse, and the quantities it canonicalises. */
export function operatorReads(
  kind: FuzzKind,
  spec: Json,
): { ok: true; data: Json } | { ok: false; issues: Issue[]; threw?: true } {
  let parsed: ReturnType<z.ZodType["safeParse"]>;
  try {
    parsed = SPEC_SCHEMAS[kind].safeParse(spec);
  } catch (err) {
    return { ok: false, threw: true, issues: [{ path: [], message: `the schema threw: ${String(err)}` }] };
  }
  if (!parsed.success)
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) };
  const data = parsed.data as Obj;
  const quantities: [string, string | undefined][] = [];
  if (kind === "MunicipalTenant") {
    const q = tenantQuota.parse(data.quota ?? {});
    quantities.push(["quota.cpu", q.cpu], ["quota.memory", q.memory], ["quota.storage", q.storage]);
  } else {
    const resources = (kind === "BlockActivation" ? data.resources : (data.runtime as Obj | undefined)?.resources) as
      | Record<string, Record<string, string>>
      | undefined;
    for (const list of ["requests", "limits"])
      for (const [name, q] of Object.entries(resources?.[list] ?? {}))
        quantities.push([`resources.${list}.${name}`, q]);
  }
  for (const [where, q] of quantities) {
    if (q === undefined) continue;
    try {
      canonicalQuantity(q);
    } catch (err) {
      return {
        ok: false,
        issues: [{ path: where.split("."), message: `canonicalQuantity: ${(err as Error).message}` }],
      };
    }
  }
  return { ok: true, data };
}

export type Verdict =
  | "agreeAccepted"
  | "agreeRefused"
  /** The API server dropped what zod refuses (a null), and the operator reads what it stored. */
  | "agreePruned"
  | "serverOnly"
  | "webhookOnly"
  | "operatorOnly"
  | "view"
  /** zod threw instead of answering (a refinement that assumed a shape), whatever the API server said. */
  | "throws";

export const DISAGREEMENTS: readonly Verdict[] = ["serverOnly", "operatorOnly", "view", "throws"];

/**
 * Whether every issue is one the CRD cannot express and the webhook closes: a block's parameter
 * default (any scalar, so CEL cannot see it; validate-block-spec.ts checks it with zod).
 */
function closedByWebhook(kind: FuzzKind, issues: Issue[]): boolean {
  return (
    kind === "AIBuildingBlock" &&
    issues.every((i) => i.path[0] === "parameters" && typeof i.path[1] === "number" && i.path[2] === "default")
  );
}

/** Where two JSON values first differ (whatever the key order), or undefined when they are the same. */
function difference(a: Json, b: Json, path: Path = []): { path: Path; a: Json; b: Json } | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { path, a: `${a.length} items`, b: `${b.length} items` };
    for (const [i, v] of a.entries()) {
      const d = difference(v, b[i], [...path, i]);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!Object.hasOwn(a, k) || !Object.hasOwn(b, k)) {
        return {
          path: [...path, k],
          a: Object.hasOwn(a, k) ? (a as Obj)[k] : "<absent>",
          b: Object.hasOwn(b, k) ? (b as Obj)[k] : "<absent>",
        };
      }
      const d = difference((a as Obj)[k], (b as Obj)[k], [...path, k]);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b) ? undefined : { path, a, b };
}

export interface Judged {
  case: FuzzCase;
  verdict: Verdict;
  server: { accepted: boolean; message?: string };
  issues?: Issue[];
}

/** The verdict on one case, from the API server's answer (its stored spec, or its refusal). */
export function judge(
  c: FuzzCase,
  server: { accepted: true; stored: Obj } | { accepted: false; message: string },
): Judged {
  const input = operatorReads(c.kind, c.object.spec);
  const stored = server.accepted ? operatorReads(c.kind, server.stored.spec) : undefined;
  for (const r of [input, stored]) {
    if (r && !r.ok && r.threw) return { case: c, verdict: "throws", server, issues: r.issues };
  }
  if (server.accepted && stored) {
    const read = stored;
    if (!read.ok) {
      const verdict = closedByWebhook(c.kind, read.issues) ? "webhookOnly" : "serverOnly";
      return { case: c, verdict, server: { accepted: true }, issues: read.issues };
    }
    const d = difference(server.stored.spec, read.data);
    if (d) {
      return {
        case: c,
        verdict: "view",
        server: { accepted: true },
        issues: [
          {
            path: d.path,
            message: `stored ${JSON.stringify(d.a)?.slice(0, 80)}, operator reads ${JSON.stringify(d.b)?.slice(0, 80)}`,
          },
        ],
      };
    }
    return { case: c, verdict: input.ok ? "agreeAccepted" : "agreePruned", server: { accepted: true } };
  }
  return input.ok
    ? { case: c, verdict: "operatorOnly", server }
    : { case: c, verdict: "agreeRefused", server, issues: input.issues };
}

// ---------------------------------------------------------------------------------------------
// Talking to the API server.

export interface FuzzTarget {
  client: RestClient;
  paths: ResourcePaths;
  /** An existing namespace for the namespaced kinds and the ResourceQuotas. */
  namespace: string;
}

/** A dry-run create; refusals (4xx) are answers, anything else is retried, then thrown. */
async function dryRunCreate(
  t: FuzzTarget,
  obj: Obj & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } },
): Promise<{ accepted: true; stored: Obj } | { accepted: false; message: string }> {
  const path = await t.paths.collectionPathOf(obj);
  for (let attempt = 1; ; attempt++) {
    try {
      const stored = await t.client.request<Obj>("POST", path, { body: obj, query: { dryRun: "All" } });
      return { accepted: true, stored };
    } catch (err) {
      if (err instanceof ApiError && err.code >= 400 && err.code < 500 && err.code !== 429) {
        return { accepted: false, message: err.message };
      }
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

export interface KindFigures {
  cases: number;
  accepted: number;
  refused: number;
  verdicts: Record<Verdict, number>;
}

export interface ObjectFuzzReport {
  seed: number;
  seconds: number;
  byKind: Record<FuzzKind, KindFigures>;
  /** Every disagreement and every webhook-only case, in the order of the cases. */
  findings: Judged[];
}

const emptyVerdicts = (): Record<Verdict, number> => ({
  agreeAccepted: 0,
  agreeRefused: 0,
  agreePruned: 0,
  serverOnly: 0,
  webhookOnly: 0,
  operatorOnly: 0,
  view: 0,
  throws: 0,
});

/** Sends `runs` cases from `seed` to the API server and to zod. */
export async function fuzzObjects(
  t: FuzzTarget,
  o: { runs: number; seed: number; concurrency?: number },
): Promise<ObjectFuzzReport> {
  const started = performance.now();
  const cases = sampleCases(o.runs, o.seed, t.namespace);
  const judged: (Judged | undefined)[] = new Array(cases.length);
  await pool(
    cases.map((c, i) => [c, i] as const),
    o.concurrency ?? 4,
    async ([c, i]) => {
      judged[i] = judge(c, await dryRunCreate(t, c.object));
    },
  );
  const byKind = Object.fromEntries(
    FUZZ_KINDS.map((k) => [k, { cases: 0, accepted: 0, refused: 0, verdicts: emptyVerdicts() }]),
  ) as Record<FuzzKind, KindFigures>;
  const findings: Judged[] = [];
  for (const j of judged) {
    if (!j) continue;
    const f = byKind[j.case.kind];
    f.cases++;
    if (j.server.accepted) f.accepted++;
    else f.refused++;
    f.verdicts[j.verdict]++;
    if (j.verdict === "webhookOnly" || DISAGREEMENTS.includes(j.verdict)) findings.push(j);
  }
  return { seed: o.seed, seconds: (performance.now() - started) / 1000, byKind, findings };
}

export const total = (r: ObjectFuzzReport, f: (k: KindFigures) => number) =>
  FUZZ_KINDS.reduce((sum, k) => sum + f(r.byKind[k]), 0);

export const disagreements = (r: ObjectFuzzReport) => r.findings.filter((j) => DISAGREEMENTS.includes(j.verdict));

// ---------------------------------------------------------------------------------------------
// Quantities.

/** Quantity strings that match QUANTITY_PATTERN, in many shapes. */
export function quantityString(): fc.Arbitrary<string> {
  const digits = (min: number, max: number) =>
    fc.string({ unit: pick("0123456789".split("")), minLength: min, maxLength: max });
  const special = pick([
    "0",
    "1",
    "7",
    "8",
    "9",
    "16",
    "999",
    "1000",
    "1023",
    "1024",
    "1536",
    "4096",
    "1000000",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "123456789012345678",
    "1234567890123456789",
  ]);
  const whole = fc.oneof(
    { weight: 2, arbitrary: special },
    { weight: 3, arbitrary: digits(1, 4) },
    { weight: 1, arbitrary: digits(5, 25) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          digits(1, 3).map((z) => z.replace(/./g, "0")),
          digits(1, 6),
        )
        .map(([z, d]) => z + d),
    },
  );
  const fraction = fc.oneof(
    { weight: 3, arbitrary: fc.constant("") },
    { weight: 2, arbitrary: digits(1, 3) },
    { weight: 1, arbitrary: pick(["5", "500", "000", "0001", "25", "125", "001", "999999999", "0000000001"]) },
    { weight: 1, arbitrary: digits(4, 12) },
  );
  const suffix = pick(["", "", "", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]);
  const shaped = fc
    .tuple(fc.boolean(), whole, fraction, suffix)
    .map(([noWhole, w, f, s]) => (noWhole && f ? `.${f}` : f ? `${w}.${f}` : w) + s);
  // Binary values with a fraction that come to a whole number of thousands: written "64000" by
  // the first String(), read back as a decimal ("64k").
  const thousands = fc
    .tuple(fc.integer({ min: 1, max: 5000 }), pick(["Ki", "Mi", "Gi"]), digits(0, 2))
    .map(([n, suffix, zeros]) => {
      const value = BigInt(n) * 1000n * 10n ** BigInt(zeros.length);
      const unit = { Ki: 1024n, Mi: 1024n ** 2n, Gi: 1024n ** 3n }[suffix] ?? 1024n;
      // value / unit as an exact decimal: unit is a power of two, so 10^k * value / unit is whole for k large enough.
      let k = 0;
      while ((value * 10n ** BigInt(k)) % unit !== 0n) k++;
      const scaled = ((value * 10n ** BigInt(k)) / unit).toString().padStart(k + 1, "0");
      return `${scaled.slice(0, scaled.length - k)}${k ? `.${scaled.slice(scaled.length - k)}` : ""}${suffix}`;
    });
  return fc
    .oneof(
      { weight: 4, arbitrary: shaped },
      { weight: 1, arbitrary: fc.stringMatching(new RegExp(QUANTITY_PATTERN)) },
      { weight: 1, arbitrary: thousands },
    )
    .filter((q) => new RegExp(QUANTITY_PATTERN).test(q));
}

export interface QuantityFinding {
  quantity: string;
  server: string;
  ours: string;
}

export interface QuantityFuzzReport {
  seed: number;
  seconds: number;
  compared: number;
  /** Pattern-valid quantities the API server refused (none expected). */
  refused: string[];
  differ: QuantityFinding[];
}

const QUOTA_KEYS_PER_OBJECT = 40;

/** Sends `runs` quantities from `seed` to the API server in ResourceQuotas and compares with canonicalQuantity. */
export async function fuzzQuantities(
  t: FuzzTarget,
  o: { runs: number; seed: number; concurrency?: number },
): Promise<QuantityFuzzReport> {
  const started = performance.now();
  const quantities = o.runs > 0 ? fc.sample(quantityString(), { seed: o.seed, numRuns: o.runs }) : [];
  const batches: string[][] = [];
  for (let i = 0; i < quantities.length; i += QUOTA_KEYS_PER_OBJECT)
    batches.push(quantities.slice(i, i + QUOTA_KEYS_PER_OBJECT));
  const report: QuantityFuzzReport = { seed: o.seed, seconds: 0, compared: 0, refused: [], differ: [] };
  const quota = (qs: string[]) => ({
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "fuzz", namespace: t.namespace },
    spec: { hard: Object.fromEntries(qs.map((q, i) => [`requests.fuzz.aihub.example/q${i}`, q])) },
  });
  const compare = async (qs: string[]): Promise<void> => {
    const answer = await dryRunCreate(t, quota(qs));
    if (!answer.accepted) {
      if (qs.length === 1) report.refused.push(qs[0] as string);
      else for (const q of qs) await compare([q]);
      return;
    }
    const hard = (answer.stored.spec as { hard: Record<string, string> }).hard;
    qs.forEach((q, i) => {
      const server = hard[`requests.fuzz.aihub.example/q${i}`] ?? "<missing>";
      let ours: string;
      try {
        ours = canonicalQuantity(q);
      } catch (err) {
        ours = `throws: ${(err as Error).message}`;
      }
      report.compared++;
      if (ours !== server) report.differ.push({ quantity: q, server, ours });
    });
  };
  await pool(batches, o.concurrency ?? 4, compare);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

export const VERDICT_TEXT: Record<Verdict, string> = {
  agreeAccepted: "both accept",
  agreeRefused: "both refuse",
  agreePruned: "both accept what the API server stores (it dropped a null that zod refuses)",
  serverOnly: "API server accepts, operator refuses (cannot reconcile)",
  webhookOnly: "API server accepts, operator refuses, webhook refuses (the CRD cannot express it)",
  operatorOnly: "operator accepts, API server refuses (operator's schema looser)",
  view: "both accept, operator reads something else than the API server stores",
  throws: "the zod schema threw instead of answering",
};

/** One line per disagreement or webhook-only case: the verdict, the edits, and both answers. */
export function describeFinding(j: Judged): string {
  const issues = (j.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  return [
    `${j.verdict} (${VERDICT_TEXT[j.verdict]}): ${j.case.edits.join(", ")}`,
    `  api server: ${j.server.accepted ? "accepted" : `refused: ${j.server.message?.slice(0, 400)}`}`,
    `  operator:   ${issues ? issues.slice(0, 400) : "accepted"}`,
    `  spec:       ${JSON.stringify(j.case.object.spec).slice(0, 600)}`,
  ].join("\n");
}

/** The one-line summary a run prints. */
export function summaryLine(r: ObjectFuzzReport, q?: QuantityFuzzReport): string {
  const cases = total(r, (k) => k.cases);
  const parts = [
    `fuzz seed ${r.seed}: ${cases} objects (${FUZZ_KINDS.map((k) => `${k} ${r.byKind[k].cases}`).join(", ")})`,
    `${total(r, (k) => k.accepted)} accepted, ${total(r, (k) => k.refused)} refused by the API server`,
    `${disagreements(r).length} disagreements (server-only ${total(r, (k) => k.verdicts.serverOnly)}, operator-only ${total(r, (k) => k.verdicts.operatorOnly)}, view ${total(r, (k) => k.verdicts.view)}, zod threw ${total(r, (k) => k.verdicts.throws)})`,
    `${total(r, (k) => k.verdicts.webhookOnly)} closed by the webhook only`,
  ];
  if (q) parts.push(`quantities: ${q.compared} compared, ${q.differ.length} differ, ${q.refused.length} refused`);
  return parts.join("; ");
}
