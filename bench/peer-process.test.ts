import { describe, expect, it } from "vitest";
import { peerTimeoutMs } from "./peer-process.ts";

describe("peerTimeoutMs", () => {
  it("without aihub before it: 300 s at 342 municipalities, in proportion for others, at least two minutes", () => {
    expect(peerTimeoutMs(342)).toBe(300_000);
    expect(peerTimeoutMs(1000)).toBe(877_000);
    expect(peerTimeoutMs(34)).toBe(120_000);
    expect(peerTimeoutMs(342, undefined, 600)).toBe(600_000);
  });

  it("after aihub: aihub's time until Ready, so that a stopped peer was slower than aihub", () => {
    // A slow machine: aihub Ready after 382.3 s, the peer stopped at 382 s, not 300 and not 478.
    expect(peerTimeoutMs(342, 382.3)).toBe(382_000);
    // A fast one: aihub's 210.7 s, not the 300 s that only a peer alone gets.
    expect(peerTimeoutMs(342, 210.7)).toBe(211_000);
    // The CI smoke: aihub Ready after 4 s at 3 municipalities, the peer still gets two minutes.
    expect(peerTimeoutMs(3, 4.1)).toBe(120_000);
  });

  it("takes a configured cap as a floor over aihub's time", () => {
    expect(peerTimeoutMs(342, 382.3, 600)).toBe(600_000);
    expect(peerTimeoutMs(1000, 1510.1, 600)).toBe(1_754_000);
    expect(peerTimeoutMs(342, 382.3, 100)).toBe(382_000);
  });
});
