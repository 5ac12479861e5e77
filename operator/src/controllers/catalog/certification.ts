// The catalog's gates: what a block (and each of its versions) must satisfy before any municipality
// may run it. Each gate is a pure decision with the clock passed in; a failing gate carries a
// CamelCase reason for a condition and a message that says what to fix.
import { compareSemver } from "../../api/semver.ts";
import type { AIBuildingBlock } from "../../api/v1alpha1/index.ts";

/** The 27 EU member states plus the EEA's Iceland, Liechtenstein and Norway (ISO 3166-1 alpha-2). */
export const EU_EEA_COUNTRIES: readonly string[] = [
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
  "IS",
  "LI",
  "NO",
];

const euEea = new Set(EU_EEA_COUNTRIES);

/** Set by the collective to withdraw a block at once; the value is the reason, shown to municipalities. */
export const CERTIFICATION_REVOKED_ANNOTATION = "aihub.gemeenten.nl/certification-revoked";

/** docker's default registry, for images whose name starts with no registry host. */
export const DEFAULT_REGISTRY = "docker.io";

export interface CatalogPolicy {
  /** Registry hosts, optionally with a port, that images may come from, e.g. "registry.gemeenten.nl". */
  allowedRegistries: string[];
}

export type Gate = { ok: true } | { ok: false; reason: string; message: string };

type BlockVersion = AIBuildingBlock["spec"]["versions"][number];

const OK: Gate = { ok: true };

const blockName = (block: AIBuildingBlock) => block.metadata.name ?? "(unnamed)";

export function supplierGate(block: AIBuildingBlock): Gate {
  const { name, country } = block.spec.supplier;
  if (euEea.has(country)) return OK;
  return {
    ok: false,
    reason: "SupplierOutsideEU",
    message:
      `supplier ${name} of block ${blockName(block)} is in country ${country}, which is outside the EU and EEA; ` +
      `only suppliers in ${EU_EEA_COUNTRIES.join(", ")} are accepted`,
  };
}

/** The first instant after `date` (YYYY-MM-DD) in UTC: a certification is valid through that whole day. */
function endOfDayUtc(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y ?? Number.NaN, (m ?? Number.NaN) - 1, (d ?? Number.NaN) + 1);
}

/**
 * The longest a certification may run from today. The EU AI Act (Article 44) limits a notified
 * body's certificate to five years (four for the high-risk uses of its Annex III): a date further
 * away, such as 9999-12-31, is a placeholder, not a certification.
 */
export const MAX_CERTIFICATION_YEARS = 5;

/** What is wrong with `validUntil` as seen on `today`, when it lies too far ahead; else undefined. */
export function certificationTooLong(validUntil: string, today: Date): string | undefined {
  const limit = new Date(today);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_CERTIFICATION_YEARS);
  if (endOfDayUtc(validUntil) <= endOfDayUtc(limit.toISOString().slice(0, 10))) return undefined;
  return (
    `spec.certification.validUntil is ${validUntil}, more than ${MAX_CERTIFICATION_YEARS} years from today; ` +
    `a certificate under the EU AI Act is valid for at most ${MAX_CERTIFICATION_YEARS} years, so set the date on the certificate`
  );
}

export function certificationGate(block: AIBuildingBlock, today: Date): Gate {
  // Revocation comes first: it is the collective's explicit word and overrides any date.
  const revoked = block.metadata.annotations?.[CERTIFICATION_REVOKED_ANNOTATION];
  if (revoked !== undefined && revoked !== "") {
    return {
      ok: false,
      reason: "CertificationRevoked",
      message:
        `the certification of block ${blockName(block)} was revoked: ${revoked.trim() || "no reason given"}; ` +
        `remove the annotation ${CERTIFICATION_REVOKED_ANNOTATION} once the block is certified again`,
    };
  }
  const { validUntil } = block.spec.certification;
  const tooLong = certificationTooLong(validUntil, today);
  if (tooLong) return { ok: false, reason: "CertificationTooLong", message: `block ${blockName(block)}: ${tooLong}` };
  const end = endOfDayUtc(validUntil);
  // An unreadable date fails closed: an uncertified block must not roll out.
  if (!Number.isNaN(end) && today.getTime() < end) return OK;
  return {
    ok: false,
    reason: "CertificationExpired",
    message:
      `the certification of block ${blockName(block)} expired: spec.certification.validUntil is ${validUntil} ` +
      "(valid through the end of that day, UTC); renew the certification and set a later validUntil",
  };
}

/** The registry host of an image reference, by docker's rule; docker.io when the name starts with none. */
export function imageRegistry(image: string): string {
  const slash = image.indexOf("/");
  if (slash === -1) return DEFAULT_REGISTRY;
  const first = image.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : DEFAULT_REGISTRY;
}

export function registryGate(image: string, policy: CatalogPolicy): Gate {
  const registry = imageRegistry(image);
  // Host names are case-insensitive; image references are lower case anyway.
  if (policy.allowedRegistries.some((r) => r.toLowerCase() === registry.toLowerCase())) return OK;
  const implied = registry === DEFAULT_REGISTRY && !image.startsWith(`${DEFAULT_REGISTRY}/`);
  const allowed =
    policy.allowedRegistries.length > 0
      ? `allowed: ${policy.allowedRegistries.join(", ")}`
      : "no registry is allowed (the operator's allowed registries are empty)";
  return {
    ok: false,
    reason: "RegistryNotAllowed",
    message:
      `image ${image} comes from registry ${registry}${implied ? " (the image names no registry)" : ""}, ` +
      `which is not allowed; publish it to an allowed registry (${allowed})`,
  };
}

export function versionsOrderedGate(block: AIBuildingBlock): Gate {
  const versions = block.spec.versions;
  for (let i = 1; i < versions.length; i++) {
    const previous = versions[i - 1]?.version ?? "";
    const current = versions[i]?.version ?? "";
    const order = compareSemver(previous, current);
    if (order < 0) continue;
    return {
      ok: false,
      reason: "VersionsOutOfOrder",
      message:
        order === 0
          ? `spec.versions of block ${blockName(block)} lists ${previous} and ${current}, which are the same version; ` +
            "list each version once, oldest first"
          : `spec.versions of block ${blockName(block)} lists ${previous} before ${current}; ` +
            "list versions oldest first (ascending semver)",
    };
  }
  return OK;
}

function versionRegistryGate(block: AIBuildingBlock, version: BlockVersion, policy: CatalogPolicy): Gate {
  const gate = registryGate(version.image, policy);
  if (gate.ok) return gate;
  return { ...gate, message: `version ${version.version} of block ${blockName(block)}: ${gate.message}` };
}

const firstFailing = (gates: (() => Gate)[]): Gate => {
  for (const gate of gates) {
    const result = gate();
    if (!result.ok) return result;
  }
  return OK;
};

/** Whether the block as a whole may be offered: supplier, certification, version order, every image's registry. */
export function catalogGates(block: AIBuildingBlock, policy: CatalogPolicy, today: Date): Gate {
  return firstFailing([
    () => supplierGate(block),
    () => certificationGate(block, today),
    () => versionsOrderedGate(block),
    ...block.spec.versions.map((v) => () => versionRegistryGate(block, v, policy)),
  ]);
}

/**
 * Whether one version may be rolled out: the block's supplier and certification, and that version's
 * image registry. Other versions' problems do not hold this one back.
 */
export function versionGates(block: AIBuildingBlock, version: string, policy: CatalogPolicy, today: Date): Gate {
  const entry = block.spec.versions.find((v) => v.version === version);
  if (!entry) {
    return {
      ok: false,
      reason: "VersionNotPublished",
      message:
        `version ${version} is not published in block ${blockName(block)}; ` +
        `published: ${block.spec.versions.map((v) => v.version).join(", ")}`,
    };
  }
  return firstFailing([
    () => supplierGate(block),
    () => certificationGate(block, today),
    () => versionRegistryGate(block, entry, policy),
  ]);
}
