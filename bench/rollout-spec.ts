// The rollout benchmark's fleet: the fleet benchmark's municipalities in rings of about 5, 20 and
// 75 percent, each with one activation of a block of the benchmark's own, and its versions.
import type { RingName, RolloutStrategy } from "../operator/src/api/v1alpha1/index.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import { FAILING_DIGEST_PREFIX } from "../test/controlplane/control-plane.ts";
import { fleetTenant, tenantName } from "./fleet-spec.ts";

type Manifest = KubeObject & { apiVersion: string; kind: string };

export const BLOCK = "uitrol-proef";

/** 5% canary (every 20th), 20% early (every 5th, one on), the rest general. */
export const ringOf = (i: number): RingName => (i % 20 === 0 ? "canary" : i % 5 === 1 ? "early" : "general");

export function rolloutTenant(i: number): Manifest {
  const t = fleetTenant(i);
  return { ...t, spec: { ...(t.spec as Record<string, unknown>), rolloutRing: ringOf(i) } };
}

export function rolloutActivation(i: number): Manifest {
  return {
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "BlockActivation",
    metadata: { name: BLOCK, namespace: tenantName(i) },
    spec: { block: BLOCK, channel: "stable", updatePolicy: "Automatic", replicas: 1 },
  };
}

/** A version of the block; a bad one's image digest starts with 0bad, whose pods kwok never makes Ready. */
export function blockVersion(version: string, bad = false) {
  const prefix = bad ? FAILING_DIGEST_PREFIX : "";
  const digest = prefix + version.replace(/\D/g, "").padEnd(64 - prefix.length, "a");
  return {
    version,
    image: `registry.gemeenten.nl/aihub/${BLOCK}@sha256:${digest}`,
    channel: "stable",
    releaseDate: "2026-11-29",
    releaseNotes: `Benchmark release ${version}${bad ? " (never becomes ready)" : ""}.`,
  };
}

export function rolloutBlock(rollout: Partial<RolloutStrategy>): Manifest {
  return {
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "AIBuildingBlock",
    metadata: { name: BLOCK },
    spec: {
      displayName: "Uitrol-proef",
      description: "A block of the rollout benchmark's own.",
      category: "other",
      supplier: { name: "Voorbeeld B.V.", country: "NL" },
      certification: { riskClass: "minimal", certifiedBy: "Loket", validUntil: "2030-12-31" },
      versions: [blockVersion("1.0.0")],
      rollout,
    },
  };
}
