import { describe, expect, it } from "vitest";
import { peerTimeoutMs } from "./peer-process.ts";

describe("peerTimeoutMs", () => {
  it("caps a peer at the configured seconds at 342 municipalities, in proportion for others, at least two minutes", () => {
    expect(peerTimeoutMs(342)).toBe(300_000);
    expect(peerTimeoutMs(1000)).toBe(877_000);
    expect(peerTimeoutMs(34)).toBe(120_000);
    expect(peerTimeoutMs(342, undefined, 600)).toBe(600_000);
  });

  it("gives a peer at least 1.25 times aihub's time until Ready in the same run", () => {
    // A slow machine: aihub Ready after 462.8 s, so the peer runs until 578.5 s, not 300.
    expect(peerTimeoutMs(342, 462.8)).toBe(579_000);
    // A fast one: the configured cap is already longer.
    expect(peerTimeoutMs(342, 210.7)).toBe(300_000);
  });
});
