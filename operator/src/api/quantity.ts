// The form in which the API server stores a resource quantity, so that a desired object compares
// equal to the one read back (otherwise every resync writes). It is apimachinery's
// resource.Quantity as a core/v1 ResourceList (quotas, limit ranges, container and volume
// resources) treats it, step by step:
// 1. ParseQuantity. Its fast path keeps the input string as it was when it judges it canonical
//    ("1.500" stays "1.500", "0100" stays "0100"); otherwise the value is kept exactly, rounded up
//    to a whole nano, and a binary value (Ki..Ei) above 2^63-1 is capped at 2^63-1.
// 2. The v1 defaulting of every ResourceList (SetDefaults_ResourceList) rounds up to a whole milli,
//    which drops a kept string that is finer than milli.
// 3. String(): the kept string, else the canonical form. A binary value stays binary, written with
//    the largest binary suffix that divides it, unless it is below 1024 or not whole: then it is
//    written as a decimal. A decimal is written with the largest power-of-1000 suffix (m, "", k,
//    M, G, T, P, E) that leaves a whole number; above E there is no suffix, and apimachinery then
//    writes the digits without one: "1000E" comes back as "1". quantityWithinLimit tells whether
//    a value is small enough to be stored faithfully.
// 4. The object is written to storage as text and read back: steps 1 to 3 once more.
// Checked against a real API server by `make fuzz` and test/e2e/fuzz.test.ts.
// Quantities in custom resources are plain strings and are not touched by the API server.

/** A Kubernetes resource quantity such as `500m`, `2`, `4Gi` (no sign, no exponent). */
export const QUANTITY_PATTERN = "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

const pattern = new RegExp(QUANTITY_PATTERN);

const DECIMAL_EXPONENTS: Record<string, number> = { m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWERS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIX_OF_EXPONENT: Record<number, string> = {
  [-3]: "m",
  0: "",
  3: "k",
  6: "M",
  9: "G",
  12: "T",
  15: "P",
  18: "E",
};
const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** 2^63-1: the largest quantity Kubernetes stores; larger binary ones are capped at it. */
const MAX_INT64 = (1n << 63n) - 1n;

interface Parsed {
  /** The exact value in millis, rounded up, as the API server holds it after the ResourceList defaulting. */
  millis: bigint;
  binary: boolean;
  /** Whether the parser keeps the input string and the server writes it back as it was. */
  keptAsWritten: boolean;
}

function parse(q: string): Parsed {
  const match = pattern.exec(q);
  if (!match) {
    throw new Error(
      `"${q}" is not a resource quantity: write a number with an optional suffix ` +
        "(m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei), for example 500m, 2 or 4Gi",
    );
  }
  const [whole = "", fraction = ""] = (match[1] ?? "").split(".");
  const suffix = match[3] ?? "";
  const binaryPower = BINARY_POWERS[suffix];
  const binary = binaryPower !== undefined;
  // The integer part as the parser sees it: leading zeros dropped, "0" when nothing is left.
  const num = whole.replace(/^0+/, "") || "0";

  // The exact value is digits / 10^fraction.length * multiplier; in millis, rounded up (parsing
  // rounds up to nano, the ResourceList defaulting again to milli: together, up to milli).
  const digits = BigInt(`${whole}${fraction}`);
  const multiplier = binary
    ? 1000n * 1024n ** BigInt(binaryPower)
    : 10n ** BigInt((DECIMAL_EXPONENTS[suffix] ?? 0) + 3);
  let millis = ceilDiv(digits * multiplier, 10n ** BigInt(fraction.length));
  if (binary && millis > MAX_INT64 * 1000n) millis = MAX_INT64 * 1000n;

  return { millis, binary, keptAsWritten: q === "0" || fastPathKeeps(num, fraction, suffix, binaryPower) };
}

/**
 * Whether ParseQuantity's fast path keeps the string as written and the ResourceList defaulting
 * leaves it: the fast path takes a binary number without fraction and a decimal of at most 18
 * digits at a scale no finer than nano; it keeps a binary one whose digits are not a multiple of
 * 8, and a decimal one whose digits do not end in 000 or start with 0 and whose scale is a
 * multiple of 3; the defaulting drops the string when the scale is finer than milli.
 */
function fastPathKeeps(num: string, fraction: string, suffix: string, binaryPower: number | undefined): boolean {
  if (binaryPower !== undefined) {
    const precision = 15 - num.length - 3 * binaryPower - 1;
    return fraction === "" && precision >= 0 && BigInt(num) % 8n !== 0n;
  }
  const precision = 18 - num.length - fraction.length;
  const scale = (DECIMAL_EXPONENTS[suffix] ?? 0) - fraction.length;
  const shifted = num + fraction;
  return precision >= 0 && scale >= -3 && scale % 3 === 0 && !shifted.endsWith("000") && !shifted.startsWith("0");
}

/**
 * The quantity `q` as the API server writes it back in a core/v1 ResourceList. The API server
 * parses what it receives, writes it to storage as text (String()) and parses that again, so what
 * it returns has been through both: "62.5Ki" is 64000 bytes, written "64000" (binary, not a whole
 * number of Ki), and read back as a decimal, "64k".
 */
export function canonicalQuantity(q: string): string {
  return parsedAndWritten(parsedAndWritten(q));
}

/** One parse (with the ResourceList defaulting) and String(). */
function parsedAndWritten(q: string): string {
  const { millis, binary, keptAsWritten } = parse(q);
  if (keptAsWritten) return q;
  if (millis === 0n) return "0";

  if (binary && millis >= 1024_000n && millis % 1000n === 0n) {
    let value = millis / 1000n;
    let power = 0;
    while (power < BINARY_SUFFIXES.length - 1 && value >= 1024n && value % 1024n === 0n) {
      value /= 1024n;
      power++;
    }
    return `${value}${BINARY_SUFFIXES[power]}`;
  }
  // The mantissa without trailing zeros, then the exponent down to a multiple of 3.
  let mantissa = millis;
  let exponent = -3;
  while (mantissa >= 10n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  // apimachinery has no suffix above E (10^18) and writes the digits without one.
  return `${mantissa}${DECIMAL_SUFFIX_OF_EXPONENT[exponent] ?? ""}`;
}

/** The largest quantity a quantity field takes: 2^63-1, which Kubernetes stores faithfully. */
export const MAX_QUANTITY = "9223372036854775807";

/**
 * Whether `q` is at most 2^63-1 as the API server parses it (a binary value is capped at 2^63-1
 * when parsed, so every binary quantity is). Larger decimal ones lose their value: "1000E" is
 * stored as "1". The CEL rule `quantity(self).compareTo(quantity('9223372036854775807')) <= 0`
 * decides the same on the API server.
 */
export function quantityWithinLimit(q: string): boolean {
  const match = pattern.exec(q);
  if (!match) return false;
  const [whole = "", fraction = ""] = (match[1] ?? "").split(".");
  const suffix = match[3] ?? "";
  const binaryPower = BINARY_POWERS[suffix];
  if (binaryPower !== undefined) return true;
  const digits = BigInt(`${whole}${fraction}`);
  const exponent = (DECIMAL_EXPONENTS[suffix] ?? 0) - fraction.length;
  // value = digits * 10^exponent <= MAX_INT64
  return exponent >= 0 ? digits * 10n ** BigInt(exponent) <= MAX_INT64 : digits <= MAX_INT64 * 10n ** BigInt(-exponent);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
