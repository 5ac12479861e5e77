// The form in which the API server stores a resource quantity, so that a desired object compares
// equal to the one read back (otherwise every resync writes). It follows apimachinery's
// resource.Quantity as it treats a core/v1 ResourceList (quotas, limit ranges, container and
// volume resources):
// - the value is kept exactly, rounded up to a whole milli: parsing rounds up to nano, and the
//   v1 defaulting of every ResourceList (SetDefaults_ResourceList) rounds up again to milli;
// - a binary suffix (Ki..Ei) keeps the value binary, written with the largest binary suffix that
//   divides it, unless it is not whole or is below 1024: then it is written as a decimal;
// - a decimal is written with the largest power-of-1000 suffix (m, "", k, M, G, T, P, E) that
//   leaves a whole number;
// - except that the parser keeps the input string as it was when it judges it canonical on
//   its fast path ("1.500" stays "1.500", "0100" stays "0100"), and so does the server.
// Quantities in custom resources are plain strings and are not touched by the API server.
import { QUANTITY_PATTERN } from "./v1alpha1/common.ts";

const pattern = new RegExp(QUANTITY_PATTERN);

const DECIMAL_EXPONENTS: Record<string, number> = { m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWERS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIXES = ["m", "", "k", "M", "G", "T", "P", "E"];
const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** 2^63-1: no quantity may be larger (binary ones are capped, decimal ones lose their suffix). */
const MAX_MILLIS = ((1n << 63n) - 1n) * 1000n;

/** The quantity `q` as the API server writes it back in a core/v1 ResourceList. */
export function canonicalQuantity(q: string): string {
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
  // The integer part as the parser sees it: leading zeros dropped, "0" when nothing is left.
  const num = whole.replace(/^0+/, "") || "0";
  if (q === "0" || keptAsWritten(num, fraction, suffix, binaryPower)) return q;

  // The exact value is digits / 10^fraction.length * multiplier; in millis, rounded up.
  const digits = BigInt(`${whole}${fraction}`);
  const multiplier =
    binaryPower === undefined
      ? 10n ** BigInt((DECIMAL_EXPONENTS[suffix] ?? 0) + 3)
      : 1000n * 1024n ** BigInt(binaryPower);
  const millis = ceilDiv(digits * multiplier, 10n ** BigInt(fraction.length));
  if (millis === 0n) return "0";
  if (millis > MAX_MILLIS) throw new Error(`"${q}" is larger than the largest quantity Kubernetes stores (2^63-1)`);

  if (binaryPower !== undefined && millis >= 1024_000n && millis % 1000n === 0n) {
    let value = millis / 1000n;
    let power = 0;
    while (power < BINARY_SUFFIXES.length - 1 && value % 1024n === 0n) {
      value /= 1024n;
      power++;
    }
    return `${value}${BINARY_SUFFIXES[power]}`;
  }
  let value = millis;
  let index = 0;
  while (index < DECIMAL_SUFFIXES.length - 1 && value % 1000n === 0n) {
    value /= 1000n;
    index++;
  }
  return `${value}${DECIMAL_SUFFIXES[index]}`;
}

/**
 * Whether the parser's fast path keeps the string as written (it then serialises that string
 * as it is): a binary number without fraction whose digits are not a multiple of 8, or a decimal
 * whose digits do not end in 000, do not start with 0, and whose scale is a multiple of 3 no
 * finer than milli (finer ones are rounded by the ResourceList defaulting, which drops the string).
 */
function keptAsWritten(num: string, fraction: string, suffix: string, binaryPower: number | undefined): boolean {
  if (binaryPower !== undefined) {
    const precision = 15 - num.length - 3 * binaryPower - 1;
    return fraction === "" && precision >= 0 && BigInt(num) % 8n !== 0n;
  }
  const precision = 18 - num.length - fraction.length;
  const scale = (DECIMAL_EXPONENTS[suffix] ?? 0) - fraction.length;
  const shifted = num + fraction;
  return precision >= 0 && scale >= -3 && scale % 3 === 0 && !shifted.endsWith("000") && !shifted.startsWith("0");
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
