// Ordering versions by semantic versioning 2.0.0 precedence (build metadata is ignored).
import { SEMVER_PATTERN } from "./v1alpha1/common.ts";

const pattern = new RegExp(SEMVER_PATTERN);

interface Parsed {
  core: [number, number, number];
  pre: string[];
}

function parse(v: string): Parsed {
  const m = pattern.exec(v);
  if (!m) throw new Error(`"${v}" is not a semantic version (MAJOR.MINOR.PATCH, for example 1.4.0)`);
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].slice(1).split(".") : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^[0-9]+$/.test(a);
  const bn = /^[0-9]+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an !== bn) return an ? -1 : 1; // numeric identifiers sort before alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a < b, 0 when they have equal precedence, positive when a > b. */
export function compareSemver(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = Math.sign((pa.core[i] ?? 0) - (pb.core[i] ?? 0));
    if (d !== 0) return d;
  }
  // A pre-release has lower precedence than the release itself.
  if (pa.pre.length === 0 || pb.pre.length === 0) return Math.sign(pb.pre.length - pa.pre.length);
  for (let i = 0; i < Math.min(pa.pre.length, pb.pre.length); i++) {
    const d = compareIdentifiers(pa.pre[i] ?? "", pb.pre[i] ?? "");
    if (d !== 0) return d;
  }
  return Math.sign(pa.pre.length - pb.pre.length);
}

export const isSemver = (v: string) => pattern.test(v);
