// What the fleet and rollout benchmarks share: the control plane they start and how they wait.
import { ControlPlane } from "../test/controlplane/control-plane.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh local control plane with `nodes` kwok nodes, its API server allowed 800 requests (400 mutating) in flight. */
export const startControlPlane = (nodes: number) =>
  ControlPlane.start({
    nodes,
    apiServerArgs: ["--max-requests-inflight=800", "--max-mutating-requests-inflight=400"],
    timeoutMs: 180_000,
  });

/** Checks `probe` every 250 ms until it holds, and returns the seconds that took; throws after `timeoutMs`. */
export async function waitFor(what: string, probe: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!probe()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(250);
  }
  return (performance.now() - started) / 1000;
}
