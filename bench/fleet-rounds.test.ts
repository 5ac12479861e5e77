// What several rounds of raw client and aihub say together (bench/fleet-rounds.ts). Pure.
import { describe, expect, it } from "vitest";
import { meanInterval, type Round, roundsSummary, t95 } from "./fleet-rounds.ts";

/** A side of a round on a machine whose probe took `meanMs`, 2 cores, none stolen. */
const side = (seconds: number, meanMs = 40, peakRssMb?: number) => ({
  seconds,
  machineSpeed: { pieces: 40, meanMs, minMs: meanMs, maxMs: meanMs, cores: 2, stolenCores: 0 },
  ...(peakRssMb !== undefined && { peakRssMb }),
});
const round = (before: number, aihub: number, after: number, rss?: number): Round => ({
  rawBefore: side(before),
  aihub: side(aihub, 40, rss),
  rawAfter: side(after),
});

describe("rounds together", () => {
  it("takes Student's t from the tables up to 30 degrees of freedom and close to them beyond", () => {
    expect(t95(1)).toBe(12.706);
    expect(t95(4)).toBe(2.776);
    expect(t95(24)).toBe(2.064);
    // The tables: 2.021 at 40, 2.000 at 60, 1.980 at 120.
    expect(t95(40)).toBeCloseTo(2.021, 2);
    expect(t95(60)).toBeCloseTo(2.0, 2);
    expect(t95(120)).toBeCloseTo(1.98, 2);
  });

  it("gives the mean and its 95 % interval, none for a single value", () => {
    // Mean 2, sample standard deviation √(8/3), 4 values: 2 ± 3.182 x √(8/3) / √4.
    const m = meanInterval([0, 2, 2, 4]);
    const half = (3.182 * Math.sqrt(8 / 3)) / 2;
    expect(m?.mean).toBe(2);
    expect(m?.low).toBeCloseTo(2 - half, 10);
    expect(m?.high).toBeCloseTo(2 + half, 10);
    expect(meanInterval([1.2])).toBeUndefined();
  });

  it("counts the rounds at most 1.2 times raw, a round at exactly 1.2 among them", () => {
    const rounds = [round(100, 120, 100, 140), round(100, 130, 100, 150), round(100, 110, 100, 135)];
    // 1.2, 1.3 and 1.1: median 1.2, mean 1.2, standard deviation 0.1: 1.2 ± 4.303 x 0.1 / √3.
    expect(roundsSummary(rounds)).toBe(
      "3 rounds: / raw: median 1.20, mean 1.20 (95 % interval 0.95 to 1.45), 1.10 to 1.30, at most 1.2 in 2 of 3; " +
        "on an equal machine: median 1.20, mean 1.20 (95 % interval 0.95 to 1.45), 1.10 to 1.30, at most 1.2 in 2 of 3; " +
        "aihub peak RSS 135 to 150 MB.",
    );
  });

  it("leaves out what the rounds do not have", () => {
    const bare: Round = { rawBefore: { seconds: 100 }, aihub: { seconds: 115 }, rawAfter: { seconds: 100 } };
    expect(roundsSummary([bare])).toBe("1 round: / raw: median 1.15, 1.15 to 1.15, at most 1.2 in 1 of 1.");
  });
});
