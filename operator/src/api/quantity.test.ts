import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quantityString } from "../../../test/support/fuzz.ts";
import { canonicalQuantity, MAX_QUANTITY, quantityWithinLimit } from "./quantity.ts";

describe("canonicalQuantity", () => {
  it.each([
    ["1000m", "1"],
    ["0.5", "500m"],
    ["0.1", "100m"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["1.5Gi", "1536Mi"],
    ["100Gi", "100Gi"],
    ["32Gi", "32Gi"],
    ["2000", "2k"],
    ["16", "16"],
    ["500m", "500m"],
    ["1000Ki", "1000Ki"],
    ["0.5Ki", "512"],
    ["1Ki", "1Ki"],
    ["1500m", "1500m"],
    ["0", "0"],
  ])("writes %s as %s", (input, stored) => {
    expect(canonicalQuantity(input)).toBe(stored);
  });

  it("moves decimals to the largest power-of-1000 suffix that leaves a whole number", () => {
    expect(canonicalQuantity("1000")).toBe("1k");
    expect(canonicalQuantity("1000000")).toBe("1M");
    expect(canonicalQuantity("1.5k")).toBe("1500");
    expect(canonicalQuantity("2.5M")).toBe("2500k");
    expect(canonicalQuantity("1000k")).toBe("1M");
    expect(canonicalQuantity("0.001k")).toBe("1");
    expect(canonicalQuantity("1024")).toBe("1024");
    expect(canonicalQuantity(".5")).toBe("500m");
  });

  it("keeps binary values binary with the largest suffix that divides them, else writes a decimal", () => {
    expect(canonicalQuantity("2048Ki")).toBe("2Mi");
    expect(canonicalQuantity("0.5Mi")).toBe("512Ki");
    expect(canonicalQuantity("1024Gi")).toBe("1Ti");
    expect(canonicalQuantity("1.5Ki")).toBe("1536");
    // Not a whole number of bytes: a decimal, in millis.
    expect(canonicalQuantity("1.1Ki")).toBe("1126400m");
    // Below 1024 (and not 0): a decimal.
    expect(canonicalQuantity("0.25Ki")).toBe("256");
  });

  it("rounds up to a whole milli, as the defaulting of a core/v1 ResourceList does", () => {
    expect(canonicalQuantity("0.0001")).toBe("1m");
    expect(canonicalQuantity("1.0001")).toBe("1001m");
    expect(canonicalQuantity("0.0000000001")).toBe("1m");
    expect(canonicalQuantity("1.5m")).toBe("2m");
  });

  it("writes every form of zero as 0", () => {
    expect(canonicalQuantity("0m")).toBe("0");
    expect(canonicalQuantity("0.0")).toBe("0");
    expect(canonicalQuantity("00")).toBe("0");
    expect(canonicalQuantity("0Gi")).toBe("0");
  });

  it("keeps the string the API server's parser keeps as written", () => {
    // Three fraction digits: the parser's fast path judges "1.500" canonical and keeps it.
    expect(canonicalQuantity("1.500")).toBe("1.500");
    expect(canonicalQuantity("12.345k")).toBe("12.345k");
    // Leading zeros are stripped before the check, and the string is kept as it was.
    expect(canonicalQuantity("0100")).toBe("0100");
    expect(canonicalQuantity("01Gi")).toBe("01Gi");
    // Finer than milli: the ResourceList defaulting rounds and drops the string.
    expect(canonicalQuantity("1.000001")).toBe("1001m");
    // A leading zero in the digits, or 000 at their end: recomputed.
    expect(canonicalQuantity("0.500")).toBe("500m");
    expect(canonicalQuantity("1.000")).toBe("1");
    expect(canonicalQuantity("008Gi")).toBe("8Gi");
  });

  it("is a fixpoint for any quantity: what the operator writes comes back unchanged (fast-check)", () => {
    // The operator writes canonicalQuantity(q) and compares it with what the API server returns,
    // which is canonicalQuantity(canonicalQuantity(q)): any difference is a write on every resync.
    fc.assert(
      fc.property(quantityString(), (q) => {
        const once = canonicalQuantity(q);
        expect(canonicalQuantity(once)).toBe(once);
      }),
      { numRuns: 5000, seed: 42 },
    );
  });

  it("is idempotent: a canonical quantity is its own canonical form", () => {
    for (const q of ["1", "500m", "1536Mi", "2k", "512", "1126400m", "1Ti", "9E", "100Gi"]) {
      expect(canonicalQuantity(canonicalQuantity(q))).toBe(canonicalQuantity(q));
    }
  });

  it("handles the largest values exactly", () => {
    expect(canonicalQuantity("7Ei")).toBe("7Ei");
    expect(canonicalQuantity("7.5Ei")).toBe("7680Pi");
    expect(canonicalQuantity("9223372036854775807")).toBe("9223372036854775807");
  });

  // Found by the differential fuzz (test/support/fuzz.ts): the API server stores quantities above
  // 2^63-1, and canonicalQuantity threw for them, so a tenant with quota.memory 9Ei (which the
  // CRD accepted) could not be reconciled. It now writes what the API server writes.
  it("writes a decimal above 2^63-1 exactly, as the API server keeps it", () => {
    expect(canonicalQuantity("9223372036854775808")).toBe("9223372036854775808");
    expect(canonicalQuantity("333589407242978896.999999999E")).toBe("333589407242978896999999999G");
    expect(canonicalQuantity("99999999999999999999999999999999E")).toBe("99999999999999999999999999999999E");
  });

  it("caps a binary value above 2^63-1 at 2^63-1, as the parser does", () => {
    expect(canonicalQuantity("8Ei")).toBe("9223372036854775807");
    expect(canonicalQuantity("9Ei")).toBe("9223372036854775807");
    expect(canonicalQuantity("1000000.2Ei")).toBe("9223372036854775807");
    expect(canonicalQuantity("8192Pi")).toBe("9223372036854775807");
  });

  it("drops the suffix above E, as apimachinery does (1000E comes back as 1)", () => {
    expect(canonicalQuantity("1000E")).toBe("1");
    expect(canonicalQuantity("1000000P")).toBe("1");
    expect(canonicalQuantity("10000000000000000000000")).toBe("10");
    expect(canonicalQuantity("1234000E")).toBe("1234");
  });

  // Found by the differential fuzz: "0062.5Ki" came back as "64k". The API server writes the
  // object to storage as text and parses it again; 64000 bytes, not a whole number of Ki, is
  // written "64000" the first time and read back as a decimal.
  it("parses twice, as the API server does when it writes the object to storage and reads it back", () => {
    expect(canonicalQuantity("62.5Ki")).toBe("64k");
    expect(canonicalQuantity("0062.5Ki")).toBe("64k");
    expect(canonicalQuantity("1.953125Ki")).toBe("2k");
    expect(canonicalQuantity("976.5625Ki")).toBe("1M");
    expect(canonicalQuantity("0.9765625Mi")).toBe("1000Ki");
    // Not a whole number of thousands: the same either way.
    expect(canonicalQuantity("1.25Ki")).toBe("1280");
    expect(canonicalQuantity("1000.5Ki")).toBe("1024512");
  });

  it("tells which quantities Kubernetes stores faithfully: at most 2^63-1, every binary one", () => {
    for (const q of ["9223372036854775807", "9223372036854775807000m", "8Ei", "9Ei", "9223372036854775.807k", "0"])
      expect(quantityWithinLimit(q), q).toBe(true);
    for (const q of ["9223372036854775808", "9223372036854775807.001", "1000E", "9223372036854776k", "10E"])
      expect(quantityWithinLimit(q), q).toBe(false);
    expect(MAX_QUANTITY).toBe(String(2n ** 63n - 1n));
  });

  it("names the value and the accepted forms when the input is not a quantity", () => {
    for (const bad of ["", "1e3", "-1", "1.5Gb", "1 Gi", "Gi", "1.", "500n", "1.5.5"]) {
      expect(() => canonicalQuantity(bad)).toThrow(`"${bad}" is not a resource quantity`);
    }
    expect(() => canonicalQuantity("two")).toThrowErrorMatchingInlineSnapshot(
      `[Error: "two" is not a resource quantity: write a number with an optional suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei), for example 500m, 2 or 4Gi]`,
    );
  });
});
