// Every program of the project answers --help: prints what it does and exits 0, without
// starting anything (no control plane, no build).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const node = (file: string) => [process.execPath, file] as const;
const programs: [string, readonly string[], string][] = [
  ["the operator", node("operator/src/main.ts"), "aihub operator"],
  ["make dev", node("test/controlplane/dev.ts"), "`make dev`"],
  ["make crds", node("operator/src/api/generate-crds.ts"), "usage: node operator/src/api/generate-crds.ts"],
  ["make fleet", node("cdk/fleet/main.ts"), "`make fleet`"],
  ["the cdk8s constructs' generator", node("cdk/generate-imports.ts"), "usage: node cdk/generate-imports.ts"],
  ["make bench", node("bench/fleet.ts"), "make bench"],
  ["the fleet run's tables from its JSON", node("bench/fleet-print.ts"), "node bench/fleet-print.ts FILE"],
  ["make bench-rollout", node("bench/rollout.ts"), "make bench-rollout"],
  ["make bench-runtime", node("bench/runtime-apply.ts"), "make bench-runtime"],
  ["make bench-create", node("bench/create-vs-apply.ts"), "make bench-create"],
  ["make chaos", node("bench/chaos.ts"), "make chaos"],
  ["make fuzz", node("bench/fuzz.ts"), "make fuzz"],
  ["make bench-logging", node("bench/logging.ts"), "make bench-logging"],
  ["the sidecar build", ["bash", "sidecar/build.sh"], "Builds the logging sidecar"],
  ["the heap summary", node("bench/heap-summary.ts"), "Summarises a V8 heap snapshot"],
  ["the CPU profile summary", node("bench/cpu-profile-summary.ts"), "Summarises a V8 CPU profile"],
  ["the benchmarks' speed probe", node("bench/speed-probe.ts"), "node bench/speed-probe.ts [EVERY_MS]"],
  ["the control-plane build", ["bash", "test/controlplane/build-binaries.sh"], "Builds the control-plane binaries"],
  ["the kwok build", ["bash", "test/controlplane/build-kwok.sh"], "Builds kwok"],
  ["the controller-runtime peer's build", ["bash", "bench/peer/build.sh"], "Builds aihub-peer"],
  ["the kubectl and helm build", ["bash", "test/controlplane/build-tools.sh"], "Builds kubectl"],
  ["make image", node("operator/image/build.ts"), "Builds the aihub operator's OCI image"],
  ["the umoci build", ["bash", "operator/image/build-umoci.sh"], "Builds umoci"],
  ["kubectl aihub (the kubectl plugin)", ["plugin/bin/kubectl-aihub"], "Usage: kubectl aihub COMMAND"],
  ["make sidecar-image", node("operator/image/build-sidecar.ts"), "Builds the OCI image of the logging sidecar"],
  ["the portal", node("portal/src/main.ts"), "aihub portal"],
  ["make portal", node("portal/src/dev.ts"), "make portal"],
  ["make bench-portal", node("bench/portal-watches.ts"), "make bench-portal"],
];

describe("--help", () => {
  it.each(programs)("%s prints what it does and exits 0", (_name, command, says) => {
    const [bin, ...args] = command;
    const r = spawnSync(bin as string, [...args, "--help"], { encoding: "utf8", timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(says);
  });
});
