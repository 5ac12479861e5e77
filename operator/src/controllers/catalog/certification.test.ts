import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type AIBuildingBlock, aiBuildingBlock } from "../../api/v1alpha1/index.ts";
import {
  type CatalogPolicy,
  CERTIFICATION_REVOKED_ANNOTATION,
  catalogGates,
  certificationGate,
  EU_EEA_COUNTRIES,
  imageRegistry,
  registryGate,
  supplierGate,
  versionGates,
  versionsOrderedGate,
} from "./certification.ts";

const catalog = readdirSync(join("examples", "catalog"))
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => parseAllDocuments(readFileSync(join("examples", "catalog", f), "utf8")))
  .map((doc) => aiBuildingBlock.parse(doc.toJS()));

const example = (name: string): AIBuildingBlock => {
  const block = catalog.find((b) => b.metadata.name === name);
  if (!block) throw new Error(`no example block ${name}`);
  return structuredClone(block);
};

const digest = `@sha256:${"a".repeat(64)}`;
const policy: CatalogPolicy = { allowedRegistries: ["registry.gemeenten.nl"] };
const today = new Date("2026-11-28T12:00:00Z");

const withVersions = (block: AIBuildingBlock, versions: string[]): AIBuildingBlock => {
  const template = block.spec.versions[0];
  if (!template) throw new Error("the example block has no versions");
  return { ...block, spec: { ...block.spec, versions: versions.map((version) => ({ ...template, version })) } };
};

describe("EU_EEA_COUNTRIES", () => {
  it("has the 27 member states and Iceland, Liechtenstein and Norway, once each", () => {
    expect(EU_EEA_COUNTRIES).toHaveLength(30);
    expect(new Set(EU_EEA_COUNTRIES).size).toBe(30);
    expect(EU_EEA_COUNTRIES).toEqual(expect.arrayContaining(["NL", "DE", "GR", "IS", "LI", "NO"]));
    for (const outside of ["GB", "CH", "US", "EL", "UK", "TR"]) expect(EU_EEA_COUNTRIES).not.toContain(outside);
  });
});

describe("the example catalog", () => {
  it.each(catalog.map((b) => [b.metadata.name, b] as const))("passes every gate: %s", (_name, block) => {
    expect(catalogGates(block, policy, today)).toEqual({ ok: true });
  });
});

describe("supplierGate", () => {
  it("accepts suppliers in the EU and the EEA", () => {
    for (const country of ["NL", "DK", "NO", "LI"]) {
      const block = example("juridische-ondersteuning");
      block.spec.supplier.country = country;
      expect(supplierGate(block)).toEqual({ ok: true });
    }
  });

  it("refuses a supplier outside, naming the supplier and the country", () => {
    const block = example("transcriptie");
    block.spec.supplier = { name: "Speech Corp Inc.", country: "US" };
    const gate = supplierGate(block);
    expect(gate).toMatchObject({ ok: false, reason: "SupplierOutsideEU" });
    expect(!gate.ok && gate.message).toMatch(/^supplier Speech Corp Inc\. of block transcriptie is in country US/);
  });

  it("refuses the United Kingdom and Switzerland, which are in neither", () => {
    for (const country of ["GB", "CH"]) {
      const block = example("transcriptie");
      block.spec.supplier.country = country;
      expect(supplierGate(block).ok).toBe(false);
    }
  });
});

describe("certificationGate", () => {
  const block = example("juridische-ondersteuning"); // valid until 2027-03-31

  it("holds through the last day of validity, in UTC", () => {
    expect(certificationGate(block, new Date("2027-03-31T00:00:00Z"))).toEqual({ ok: true });
    expect(certificationGate(block, new Date("2027-03-31T23:59:59.999Z"))).toEqual({ ok: true });
    // Already 1 April in Amsterdam, still 31 March in UTC.
    expect(certificationGate(block, new Date("2027-04-01T01:30:00+02:00"))).toEqual({ ok: true });
  });

  it("fails from the next day, naming the date", () => {
    const gate = certificationGate(block, new Date("2027-04-01T00:00:00Z"));
    expect(gate).toMatchObject({ ok: false, reason: "CertificationExpired" });
    expect(!gate.ok && gate.message).toMatch(/spec\.certification\.validUntil is 2027-03-31/);
  });

  it("fails when the collective revoked the certification, with its reason, even before validUntil", () => {
    const revoked = example("juridische-ondersteuning");
    revoked.metadata.annotations = { [CERTIFICATION_REVOKED_ANNOTATION]: "bias found in audit 2026-11" };
    const gate = certificationGate(revoked, today);
    expect(gate).toMatchObject({ ok: false, reason: "CertificationRevoked" });
    expect(!gate.ok && gate.message).toMatch(/revoked: bias found in audit 2026-11/);
  });

  it("fails a certification that runs more than 5 years from today (9999-12-31 is a placeholder)", () => {
    const forever = example("juridische-ondersteuning");
    forever.spec.certification.validUntil = "9999-12-31";
    const gate = certificationGate(forever, new Date("2026-11-30T12:00:00Z"));
    expect(gate).toMatchObject({ ok: false, reason: "CertificationTooLong" });
    expect(!gate.ok && gate.message).toContain("spec.certification.validUntil is 9999-12-31, more than 5 years");
    forever.spec.certification.validUntil = "2031-11-30";
    expect(certificationGate(forever, new Date("2026-11-30T12:00:00Z"))).toEqual({ ok: true });
    forever.spec.certification.validUntil = "2031-12-01";
    expect(certificationGate(forever, new Date("2026-11-30T12:00:00Z"))).toMatchObject({ ok: false });
  });

  it("ignores an empty revocation annotation", () => {
    const block = example("juridische-ondersteuning");
    block.metadata.annotations = { [CERTIFICATION_REVOKED_ANNOTATION]: "" };
    expect(certificationGate(block, today)).toEqual({ ok: true });
  });
});

describe("imageRegistry", () => {
  it.each([
    ["registry.gemeenten.nl/aihub/block", "registry.gemeenten.nl"],
    ["registry.gemeenten.nl:5000/aihub/block", "registry.gemeenten.nl:5000"],
    ["localhost/block", "localhost"],
    ["localhost:5000/block", "localhost:5000"],
    ["intern:5000/block", "intern:5000"],
    ["aihub/block", "docker.io"],
    ["block", "docker.io"],
    ["docker.io/library/block", "docker.io"],
  ])("%s comes from %s", (name, registry) => {
    expect(imageRegistry(`${name}${digest}`)).toBe(registry);
  });
});

describe("registryGate", () => {
  it("accepts an allowed registry, with or without a port as listed", () => {
    expect(registryGate(`registry.gemeenten.nl/aihub/x${digest}`, policy)).toEqual({ ok: true });
    expect(registryGate(`mirror.eu:5000/x${digest}`, { allowedRegistries: ["mirror.eu:5000"] })).toEqual({ ok: true });
  });

  it("treats a registry with another port as another registry", () => {
    expect(registryGate(`registry.gemeenten.nl:5000/x${digest}`, policy).ok).toBe(false);
  });

  it("refuses another registry, naming it and the allowed ones", () => {
    const gate = registryGate(`ghcr.io/someone/x${digest}`, {
      allowedRegistries: ["registry.gemeenten.nl", "harbor.vng.nl"],
    });
    expect(gate).toMatchObject({ ok: false, reason: "RegistryNotAllowed" });
    expect(!gate.ok && gate.message).toMatch(/registry ghcr\.io, .*allowed: registry\.gemeenten\.nl, harbor\.vng\.nl/);
  });

  it("explains that an image without a registry comes from docker.io", () => {
    const gate = registryGate(`aihub/x${digest}`, policy);
    expect(!gate.ok && gate.message).toMatch(/registry docker\.io \(the image names no registry\)/);
  });
});

describe("versionsOrderedGate", () => {
  const block = example("bezwaar-intake");

  it("accepts versions oldest first, by semver rather than by string", () => {
    expect(versionsOrderedGate(withVersions(block, ["1.9.0", "1.10.0-rc.1", "1.10.0", "2.0.0"]))).toEqual({
      ok: true,
    });
  });

  it("names the first pair out of order", () => {
    const gate = versionsOrderedGate(withVersions(block, ["1.0.0", "1.10.0", "1.9.0", "1.2.0"]));
    expect(gate).toMatchObject({ ok: false, reason: "VersionsOutOfOrder" });
    expect(!gate.ok && gate.message).toMatch(/lists 1\.10\.0 before 1\.9\.0; list versions oldest first/);
  });

  it("refuses the same version twice, also when only build metadata differs", () => {
    const gate = versionsOrderedGate(withVersions(block, ["1.0.0", "1.1.0+build.1", "1.1.0+build.2"]));
    expect(gate).toMatchObject({ ok: false, reason: "VersionsOutOfOrder" });
    expect(!gate.ok && gate.message).toMatch(/1\.1\.0\+build\.1 and 1\.1\.0\+build\.2, which are the same version/);
  });
});

describe("catalogGates", () => {
  it("reports the first failing gate: supplier before certification", () => {
    const block = example("transcriptie");
    block.spec.supplier.country = "US";
    expect(catalogGates(block, policy, new Date("2030-01-01T00:00:00Z"))).toMatchObject({
      reason: "SupplierOutsideEU",
    });
  });

  it("names the version whose image comes from a registry not allowed", () => {
    const block = example("bezwaar-intake");
    const v = block.spec.versions[1];
    if (v) v.image = `ghcr.io/aihub/bezwaar-intake${digest}`;
    const gate = catalogGates(block, policy, today);
    expect(gate).toMatchObject({ ok: false, reason: "RegistryNotAllowed" });
    expect(!gate.ok && gate.message).toMatch(/^version 1\.4\.0 of block bezwaar-intake: image ghcr\.io/);
  });

  it("checks the order of the versions", () => {
    const block = example("bezwaar-intake");
    block.spec.versions.reverse();
    expect(catalogGates(block, policy, today)).toMatchObject({ reason: "VersionsOutOfOrder" });
  });
});

describe("versionGates", () => {
  const block = example("bezwaar-intake");
  const candidate = block.spec.versions[2];
  if (candidate) candidate.image = `ghcr.io/aihub/bezwaar-intake${digest}`;

  it("passes a version whose own image is allowed, whatever another version's image", () => {
    expect(versionGates(block, "1.4.0", policy, today)).toEqual({ ok: true });
  });

  it("fails the version whose image is not allowed", () => {
    expect(versionGates(block, "1.5.0-rc.1", policy, today)).toMatchObject({ reason: "RegistryNotAllowed" });
  });

  it("fails every version once the certification has expired", () => {
    expect(versionGates(block, "1.4.0", policy, new Date("2028-01-01T00:00:00Z"))).toMatchObject({
      reason: "CertificationExpired",
    });
  });

  it("names the published versions when asked for one that is not", () => {
    const gate = versionGates(block, "9.9.9", policy, today);
    expect(gate).toMatchObject({ ok: false, reason: "VersionNotPublished" });
    expect(!gate.ok && gate.message).toMatch(/published: 1\.3\.0, 1\.4\.0, 1\.5\.0-rc\.1/);
  });
});
