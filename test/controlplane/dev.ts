// `make dev`: a cluster to try aihub on. Uses $KUBECONFIG when set, else starts the local
// control plane; installs the CRDs, applies examples/, prints how to use kubectl, and runs
// until Ctrl-C, then cleans up.
import { KubeConfig } from "@kubernetes/client-node";
import { applyManifests, connect, EXAMPLE_FOLDERS, installCrds } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";
import { ControlPlane } from "./control-plane.ts";

const log = (msg: string) => console.log(`[dev] ${msg}`);

let controlPlane: ControlPlane | undefined;
const kc = new KubeConfig();
if (process.env.KUBECONFIG) {
  kc.loadFromDefault();
  log(`using the cluster of KUBECONFIG=${process.env.KUBECONFIG} (context ${kc.getCurrentContext()})`);
} else {
  log("starting the local control plane (etcd, kube-apiserver, kube-controller-manager)");
  controlPlane = await ControlPlane.start();
  kc.loadFromFile(controlPlane.kubeconfigPath);
  log(`control plane ready at ${controlPlane.server}`);
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await controlPlane?.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

try {
  const cluster = await connect(kc);
  const crds = await installCrds(cluster);
  log(`CRDs established: ${crds.map((c) => c.metadata?.name).join(", ")}`);
  const applied = await applyManifests(cluster, readManifests(...EXAMPLE_FOLDERS));
  cluster.client.close();
  log(`applied ${applied.length} examples from ${EXAMPLE_FOLDERS.join(", ")}`);
} catch (err) {
  console.error(`[dev] setup failed: ${(err as Error).message}`);
  await controlPlane?.stop();
  process.exit(1);
}

if (controlPlane) {
  console.log(`
Use kubectl against it (kubectl is unpacked by 'make tools'):

  export KUBECONFIG=${controlPlane.kubeconfigPath}
  kubectl get aihub -A
  kubectl explain blockactivation.spec

Press Ctrl-C to stop the control plane and remove its files.
`);
  // Stay alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
} else {
  log("done");
}
