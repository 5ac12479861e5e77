import { describe, expect, it } from "vitest";
import { exampleActivation, exampleBlock } from "../../../../test/support/example-catalog.ts";
import { type AIBuildingBlock, type BlockActivation, blockActivation } from "../../api/v1alpha1/index.ts";
import { newerVersions, resolveVersion } from "./version-resolution.ts";

const block = exampleBlock;

const activation = exampleActivation;

/** An activation of `blockName` with the given spec, through the zod schema so defaults apply. */
const activate = (blockName: string, spec: Record<string, unknown>): BlockActivation =>
  blockActivation.parse({
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "BlockActivation",
    metadata: { name: blockName, namespace: "utrecht" },
    spec: { block: blockName, ...spec },
  });

const image = (b: AIBuildingBlock, version: string) => b.spec.versions.find((v) => v.version === version)?.image;

describe("resolveVersion with the examples", () => {
  it("follows the stable channel automatically (Utrecht, objection intake)", () => {
    const b = block("bezwaar-intake");
    expect(resolveVersion(activation("utrecht", "bezwaar-intake"), b)).toEqual({
      ok: true,
      version: "1.4.0",
      image: image(b, "1.4.0"),
    });
  });

  it("follows stable when no channel is given (Steenwijkerland, explainability)", () => {
    const b = block("uitlegbaarheid");
    expect(resolveVersion(activation("steenwijkerland", "uitlegbaarheid"), b)).toEqual({
      ok: true,
      version: "1.1.0",
      image: image(b, "1.1.0"),
    });
  });

  it("runs the approved version and offers the newer one with its release note (Utrecht, pseudonymisation)", () => {
    const b = block("pseudonimisering");
    expect(resolveVersion(activation("utrecht", "pseudonimisering"), b)).toEqual({
      ok: true,
      version: "1.2.0",
      image: image(b, "1.2.0"),
      availableUpdate: {
        version: "1.3.0",
        releaseDate: "2026-09-22",
        releaseNotes: "IBANs and foreign phone numbers; 30% faster on long documents.",
      },
    });
  });

  it("runs a pinned version and offers no update, though a newer one exists (Amsterdam, transcription)", () => {
    const b = block("transcriptie");
    const resolved = resolveVersion(activation("amsterdam", "transcriptie-raad"), b);
    expect(resolved).toEqual({ ok: true, version: "2.0.1", image: image(b, "2.0.1") });
  });
});

describe("resolveVersion", () => {
  const bezwaar = block("bezwaar-intake"); // stable 1.3.0, 1.4.0; candidate 1.5.0-rc.1

  it("follows the candidate channel to its release candidate", () => {
    expect(resolveVersion(activate("bezwaar-intake", { channel: "candidate" }), bezwaar)).toMatchObject({
      ok: true,
      version: "1.5.0-rc.1",
      image: image(bezwaar, "1.5.0-rc.1"),
    });
  });

  it("lets the candidate channel fall back to stable when stable is newer", () => {
    const b = structuredClone(bezwaar);
    b.spec.versions.push({ ...b.spec.versions[1], version: "1.5.0" } as AIBuildingBlock["spec"]["versions"][number]);
    expect(resolveVersion(activate("bezwaar-intake", { channel: "candidate" }), b)).toMatchObject({
      version: "1.5.0",
    });
    // And a block with nothing on candidate at all:
    const pseudo = block("pseudonimisering");
    expect(resolveVersion(activate("pseudonimisering", { channel: "candidate" }), pseudo)).toMatchObject({
      version: "1.3.0",
    });
  });

  it("offers a candidate update to a Manual activation on the candidate channel", () => {
    const resolved = resolveVersion(
      activate("bezwaar-intake", { channel: "candidate", updatePolicy: "Manual", approvedVersion: "1.3.0" }),
      bezwaar,
    );
    expect(resolved).toMatchObject({
      ok: true,
      version: "1.3.0",
      availableUpdate: {
        version: "1.5.0-rc.1",
        releaseDate: "2026-11-20",
        releaseNotes: "Proposes an informal phone call (pre-mediation) for objections that qualify.",
      },
    });
  });

  it("no longer offers a declined version, and offers a newer one again", () => {
    const spec = { channel: "candidate", updatePolicy: "Manual", approvedVersion: "1.3.0" };
    expect(resolveVersion(activate("bezwaar-intake", { ...spec, declinedVersion: "1.5.0-rc.1" }), bezwaar)).toEqual({
      ok: true,
      version: "1.3.0",
      image: image(bezwaar, "1.3.0"),
    });
    expect(resolveVersion(activate("bezwaar-intake", { ...spec, declinedVersion: "1.4.0" }), bezwaar)).toMatchObject({
      ok: true,
      version: "1.3.0",
      availableUpdate: { version: "1.5.0-rc.1" },
    });
  });

  it("offers no update when the approved version is the newest on the channel", () => {
    const resolved = resolveVersion(
      activate("bezwaar-intake", { updatePolicy: "Manual", approvedVersion: "1.4.0" }),
      bezwaar,
    );
    expect(resolved).toEqual({ ok: true, version: "1.4.0", image: image(bezwaar, "1.4.0") });
  });

  it("offers no update when a person approved a version newer than the channel's newest", () => {
    const resolved = resolveVersion(
      activate("bezwaar-intake", { updatePolicy: "Manual", approvedVersion: "1.5.0-rc.1" }),
      bezwaar,
    );
    expect(resolved).toEqual({ ok: true, version: "1.5.0-rc.1", image: image(bezwaar, "1.5.0-rc.1") });
  });

  it("refuses a pinned version that is not published, naming those that are", () => {
    expect(resolveVersion(activate("bezwaar-intake", { version: "2.0.0" }), bezwaar)).toEqual({
      ok: false,
      reason: "VersionNotPublished",
      message: "version 2.0.0 is not published in block bezwaar-intake; published: 1.3.0, 1.4.0, 1.5.0-rc.1",
    });
  });

  it("runs a pinned candidate version", () => {
    expect(resolveVersion(activate("bezwaar-intake", { version: "1.5.0-rc.1" }), bezwaar)).toMatchObject({
      ok: true,
      version: "1.5.0-rc.1",
    });
  });

  it("refuses an approved version that is not published", () => {
    const resolved = resolveVersion(
      activate("bezwaar-intake", { updatePolicy: "Manual", approvedVersion: "1.2.0" }),
      bezwaar,
    );
    expect(resolved).toEqual({
      ok: false,
      reason: "ApprovedVersionNotPublished",
      message: "approved version 1.2.0 is not published in block bezwaar-intake; published: 1.3.0, 1.4.0, 1.5.0-rc.1",
    });
  });

  it("reports a Manual activation without approvedVersion (which the API server refuses) instead of throwing", () => {
    const a = activate("bezwaar-intake", {});
    const manual = { ...a, spec: { ...a.spec, updatePolicy: "Manual" as const } };
    expect(resolveVersion(manual, bezwaar)).toMatchObject({ ok: false, reason: "ApprovedVersionNotPublished" });
  });

  it("says when the channel has no version", () => {
    const rcOnly = structuredClone(bezwaar);
    rcOnly.spec.versions = rcOnly.spec.versions.filter((v) => v.channel === "candidate");
    const resolved = resolveVersion(activate("bezwaar-intake", {}), rcOnly);
    expect(resolved).toMatchObject({ ok: false, reason: "NoVersionOnChannel" });
    expect(!resolved.ok && resolved.message).toMatch(
      /^block bezwaar-intake has no version on the stable channel;.*1\.5\.0-rc\.1/,
    );
  });

  it("keeps a Manual activation on its approved version when the channel has none", () => {
    const rcOnly = structuredClone(bezwaar);
    rcOnly.spec.versions = rcOnly.spec.versions.filter((v) => v.channel === "candidate");
    const resolved = resolveVersion(
      activate("bezwaar-intake", { updatePolicy: "Manual", approvedVersion: "1.5.0-rc.1" }),
      rcOnly,
    );
    expect(resolved).toEqual({ ok: true, version: "1.5.0-rc.1", image: image(bezwaar, "1.5.0-rc.1") });
  });

  it("picks by semver, not by list order", () => {
    const b = structuredClone(bezwaar);
    b.spec.versions.reverse();
    expect(resolveVersion(activate("bezwaar-intake", {}), b)).toMatchObject({ version: "1.4.0" });
  });
});

describe("newerVersions", () => {
  const bezwaar = block("bezwaar-intake");

  it("lists the stable versions newer than the given one, oldest first", () => {
    expect(newerVersions(bezwaar, "stable", "1.2.0").map((v) => v.version)).toEqual(["1.3.0", "1.4.0"]);
    expect(newerVersions(bezwaar, "stable", "1.4.0")).toEqual([]);
  });

  it("includes stable versions on the candidate channel", () => {
    expect(newerVersions(bezwaar, "candidate", "1.3.0").map((v) => v.version)).toEqual(["1.4.0", "1.5.0-rc.1"]);
  });
});

describe("resolveVersion with withdrawn versions", () => {
  it("offers the newest version a fleet rollout did not withdraw", () => {
    const b = block("bezwaar-intake");
    const resolved = resolveVersion(activation("utrecht", "bezwaar-intake"), b, new Set(["1.4.0"]));
    expect(resolved.ok && resolved.version).not.toBe("1.4.0");
    expect(resolved.ok && resolved.version).toBe(
      b.spec.versions
        .map((v) => v.version)
        .filter((v) => v !== "1.4.0" && !v.includes("-"))
        .at(-1),
    );
  });

  it("no longer offers a withdrawn version to a Manual activation", () => {
    const b = block("pseudonimisering");
    const manual = activation("utrecht", "pseudonimisering");
    const offered = resolveVersion(manual, b);
    expect(offered.ok && offered.availableUpdate?.version).toBeTruthy();
    const withdrawn = new Set([offered.ok ? (offered.availableUpdate?.version ?? "") : ""]);
    const after = resolveVersion(manual, b, withdrawn);
    expect(after.ok && after.availableUpdate?.version).not.toBe([...withdrawn][0]);
  });
});
