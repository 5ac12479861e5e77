// vitest global setup for the e2e project: one real control plane for the whole run.
// Test files read its kubeconfig with inject("kubeconfig").
import type { TestProject } from "vitest/node";
import { ControlPlane } from "./control-plane.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    controlPlaneDir: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const cp = await ControlPlane.start();
  console.log(`control plane ready at ${cp.server} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("kubeconfig", cp.kubeconfigPath);
  project.provide("controlPlaneDir", cp.dir);
  return async () => {
    await cp.stop();
  };
}
