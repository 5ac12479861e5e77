import { describe, expect, it } from "vitest";
import type { AIBuildingBlock } from "../../api/v1alpha1/index.ts";
import { catalogStatus, latestVersions, onlyCountDiffers } from "./catalog-status.ts";

const fine = { gate: { ok: true as const }, activations: 2 };

const block = (versions: { version: string; channel?: "stable" | "candidate" }[]): AIBuildingBlock =>
  ({
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "AIBuildingBlock",
    metadata: { name: "b", generation: 3 },
    spec: {
      certification: { riskClass: "limited", certifiedBy: "Loket", validUntil: "2027-01-01" },
      versions: versions.map((v) => ({ image: "x", releaseDate: "2026-01-01", releaseNotes: "n", ...v })),
    },
  }) as unknown as AIBuildingBlock;

describe("latestVersions", () => {
  it("picks the newest per channel by semver, not by list order or string order", () => {
    const b = block([
      { version: "1.10.0", channel: "stable" },
      { version: "1.9.0", channel: "stable" },
      { version: "2.0.0-rc.1", channel: "candidate" },
    ]);
    expect(latestVersions(b)).toEqual({ stable: "1.10.0", candidate: "2.0.0-rc.1" });
  });

  it("lets the candidate channel follow stable when stable is newer", () => {
    expect(latestVersions(block([{ version: "1.0.0-rc.1", channel: "candidate" }, { version: "1.0.0" }]))).toEqual({
      stable: "1.0.0",
      candidate: "1.0.0",
    });
  });
});

describe("catalogStatus", () => {
  const now = new Date("2026-11-28T12:00:00Z");

  it("is Ready when a stable version exists, with the generation it saw", () => {
    const s = catalogStatus(block([{ version: "1.0.0" }]), now, fine);
    expect(s.observedGeneration).toBe(3);
    expect(s.conditions?.[0]).toMatchObject({
      type: "Ready",
      status: "True",
      reason: "Published",
      observedGeneration: 3,
    });
  });

  it("reports a failed gate as Certified False and keeps Ready False, with the count of activations", () => {
    const s = catalogStatus(block([{ version: "1.0.0" }]), now, {
      gate: { ok: false, reason: "CertificationExpired", message: "the certification expired on 2026-01-01" },
      activations: 3,
    });
    expect(s.activations).toBe(3);
    expect(s.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      "Ready=False/CertificationExpired",
      "Certified=False/CertificationExpired",
    ]);
  });

  it("says what to do when nothing is on the stable channel", () => {
    const s = catalogStatus(block([{ version: "1.0.0-rc.1", channel: "candidate" }]), now, fine);
    expect(s.conditions?.[0]).toMatchObject({ status: "False", reason: "NoStableVersion" });
    expect(s.conditions?.[0]?.message).toMatch(/publish one with channel: stable/);
  });

  it("computes the same status again for an unchanged block, so a resync writes nothing", () => {
    const b = block([{ version: "1.0.0" }]);
    const first = catalogStatus(b, now, fine);
    const again = catalogStatus(
      { ...b, status: JSON.parse(JSON.stringify(first)) },
      new Date("2026-11-29T00:00:00Z"),
      fine,
    );
    expect(again).toEqual(first);
  });
});

describe("onlyCountDiffers (a new count alone is written at most every few seconds)", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const live = catalogStatus(block([{ version: "1.0.0" }]), now, fine);

  it("is true when the activation count is all that changed", () => {
    expect(onlyCountDiffers(live, { ...live, activations: 3 })).toBe(true);
  });

  it("is false when nothing changed, or something besides the count did", () => {
    expect(onlyCountDiffers(live, { ...live })).toBe(false);
    const newer = catalogStatus(block([{ version: "1.0.0" }, { version: "1.1.0" }]), now, { ...fine, activations: 3 });
    expect(onlyCountDiffers(live, newer)).toBe(false);
  });
});
