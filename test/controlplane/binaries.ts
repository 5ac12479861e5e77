// Finds the control-plane binaries, building them from their Go modules on first use.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
export type Component = (typeof COMPONENTS)[number];

const here = dirname(fileURLToPath(import.meta.url));
const buildScript = join(here, "build-binaries.sh");
const kwokScript = join(here, "build-kwok.sh");

/**
 * The folder holding the binaries. `AIHUB_CONTROLPLANE_BIN` points at prebuilt ones;
 * otherwise build-binaries.sh builds what is missing into ~/.cache/aihub/controlplane/.
 */
export function controlPlaneBinDir(): string {
  const preset = process.env.AIHUB_CONTROLPLANE_BIN;
  if (preset) {
    const missing = COMPONENTS.filter((c) => !existsSync(join(preset, c)));
    if (missing.length) throw new Error(`AIHUB_CONTROLPLANE_BIN=${preset} lacks ${missing.join(", ")}`);
    return preset;
  }
  const result = spawnSync("bash", [buildScript], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`building the control plane failed (exit ${result.status}); run ${buildScript} to see why`);
  }
  const lines = result.stdout.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}

/** The folder with kwok and its stages.yaml (`AIHUB_KWOK_DIR`, or built into ~/.cache/aihub). */
export function kwokDir(): string {
  const preset = process.env.AIHUB_KWOK_DIR;
  if (preset) {
    if (!existsSync(join(preset, "kwok")) || !existsSync(join(preset, "stages.yaml"))) {
      throw new Error(`AIHUB_KWOK_DIR=${preset} lacks kwok or stages.yaml`);
    }
    return preset;
  }
  const result = spawnSync("bash", [kwokScript], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`building kwok failed (exit ${result.status}); run ${kwokScript} to see why`);
  return result.stdout.trim().split("\n").at(-1) ?? "";
}
