import { describe, expect, it } from "vitest";
import type { AIBuildingBlock, BlockRolloutStatus } from "../../api/v1alpha1/index.ts";
import { FleetView } from "../rollout/fleet-view.ts";
import { rolloutGate } from "./rollout-gate.ts";

const img = (v: string) => `registry.gemeenten.nl/aihub/b@sha256:${v.replace(/\./g, "").padEnd(64, "0")}`;
const v = (version: string) => ({ version, image: img(version) });
const block = {
  metadata: { name: "b" },
  spec: {
    versions: ["1.0.0", "1.1.0", "1.2.0"].map((x) => ({ ...v(x), releaseDate: "2027-01-01", releaseNotes: "n" })),
  },
} as unknown as AIBuildingBlock;

const rollout = (version: string, status: BlockRolloutStatus) => ({ metadata: {}, spec: { version }, status });
const entry = (state: string, previousVersion = "1.0.0") => ({
  activation: "utrecht/b",
  ring: "canary" as const,
  state: state as "Updating",
  previousVersion,
  movedAt: "2027-01-01T00:00:00Z",
  message: state === "Failed" ? "CrashLoopBackOff" : undefined,
});

const gate = (running: string | undefined, newest: string, ...rollouts: ReturnType<typeof rollout>[]) =>
  rolloutGate({
    key: "utrecht/b",
    block,
    newest: v(newest),
    running: running ? v(running) : undefined,
    fleet: new FleetView(rollouts),
    ring: "early",
  });

describe("rolloutGate", () => {
  it("keeps the running version until the rollout moves this activation", () => {
    const progressing = rollout("1.1.0", { phase: "Progressing", currentRing: "canary" });
    const held = gate("1.0.0", "1.1.0", progressing);
    expect(held).toMatchObject({ move: false, to: v("1.0.0"), reason: "WaitingForRollout" });
    expect(held.move === false && held.message).toBe(
      "version 1.1.0 reaches this municipality in ring early of its fleet rollout (kubectl get blockrollouts b-1.1.0); 1.0.0 keeps running until then",
    );
    const moved = rollout("1.1.0", { phase: "Progressing", activations: [entry("Updating")] });
    expect(gate("1.0.0", "1.1.0", moved)).toEqual({ move: true, to: v("1.1.0") });
  });

  it("holds when the rollout does not exist yet, and when it succeeded without moving this activation", () => {
    expect(gate("1.0.0", "1.1.0").move).toBe(false);
    // Joined after the rollout succeeded (unpinned, say): it waits for the rollout to move it.
    expect(gate("1.0.0", "1.1.0", rollout("1.1.0", { phase: "Succeeded" })).move).toBe(false);
    const moved = rollout("1.1.0", { phase: "Succeeded", activations: [entry("Healthy")] });
    expect(gate("1.0.0", "1.1.0", moved).move).toBe(true);
  });

  it("gives a new activation the newest version at once", () => {
    expect(gate(undefined, "1.1.0", rollout("1.1.0", { phase: "Progressing" }))).toEqual({
      move: true,
      to: v("1.1.0"),
    });
  });

  it("sends an activation whose health gate failed back to its previous version, even after success", () => {
    const done = rollout("1.1.0", { phase: "Succeeded", activations: [entry("Failed")] });
    const back = gate("1.1.0", "1.1.0", done);
    expect(back).toMatchObject({ move: false, to: v("1.0.0"), reason: "RolledBack" });
    expect(back.move === false && back.message).toContain("failed its health gate here (CrashLoopBackOff)");
  });

  it("sends what a withdrawn version moved back to the version healthy before it", () => {
    // 1.2.0 was withdrawn; the channel's newest offer is 1.1.0, but this activation came from 1.0.0.
    const withdrawn = rollout("1.2.0", { phase: "RollingBack", activations: [entry("RollingBack")] });
    expect(gate("1.2.0", "1.1.0", withdrawn)).toMatchObject({ to: v("1.0.0"), reason: "RolledBack" });
    // Not moved by it (a new activation got it directly): the newest offer.
    const other = rollout("1.2.0", { phase: "RolledBack", activations: [] });
    expect(gate("1.2.0", "1.1.0", other)).toEqual({ move: true, to: v("1.1.0") });
  });
});
