// `make dev`: aihub to try out. Uses $KUBECONFIG when set, else starts the local control
// plane; installs the CRDs, applies examples/, runs the operator (its JSON logs on stdout),
// prints how to use kubectl, and runs until Ctrl-C, then stops the operator and cleans up.
import { type ChildProcess, spawn } from "node:child_process";
import { answerHelp } from "../../bench/help.ts";
import { applyManifests, connect, EXAMPLE_FOLDERS, installCrds, installPolicies } from "../support/cluster.ts";
import { readManifests } from "../support/manifests.ts";
import { operatorNodeEnv, operatorNodeOptions } from "../support/operator-node-options.ts";
import { ControlPlane } from "./control-plane.ts";

answerHelp(import.meta.url);

const log = (msg: string) => console.log(`[dev] ${msg}`);

let controlPlane: ControlPlane | undefined;
if (process.env.KUBECONFIG) {
  log(`using the cluster of KUBECONFIG=${process.env.KUBECONFIG}`);
} else {
  log(
    "starting the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok with 3 fake nodes)",
  );
  controlPlane = await ControlPlane.start({ nodes: 3 });
  log(`control plane ready at ${controlPlane.server}`);
}

let operator: ChildProcess | undefined;
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  if (operator && operator.exitCode === null) {
    const exited = new Promise((r) => operator?.once("exit", r));
    operator.kill("SIGTERM");
    await exited;
  }
  await controlPlane?.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

try {
  const cluster = await connect(controlPlane?.kubeconfigPath);
  const crds = await installCrds(cluster);
  log(`CRDs established: ${crds.map((c) => c.metadata?.name).join(", ")}`);
  await installPolicies(cluster);
  log("admission policies installed (tenant deletion protection)");
  const applied = await applyManifests(cluster, readManifests(...EXAMPLE_FOLDERS));
  cluster.client.close();
  log(`applied ${applied.length} examples from ${EXAMPLE_FOLDERS.join(", ")}`);
} catch (err) {
  console.error(`[dev] setup failed: ${(err as Error).message}`);
  await controlPlane?.stop();
  process.exit(1);
}

const kubeconfigPath = controlPlane?.kubeconfigPath ?? process.env.KUBECONFIG ?? "";
log(
  "starting the operator (health on 127.0.0.1:8081, plain HTTP metrics on 127.0.0.1:8080, webhook on 127.0.0.1:9443)",
);
operator = spawn(
  process.execPath,
  [
    ...operatorNodeOptions(),
    "operator/src/main.ts",
    "--health-probe-bind-address=127.0.0.1:8081",
    "--metrics-bind-address=127.0.0.1:8080",
    "--metrics-secure=false",
    // The local API server reaches the admission webhook on loopback.
    ...(controlPlane ? ["--webhook-bind-address=127.0.0.1:9443", "--webhook-url=https://127.0.0.1:9443"] : []),
  ],
  { env: { ...operatorNodeEnv(), KUBECONFIG: kubeconfigPath }, stdio: "inherit" },
);
operator.once("exit", (code) => {
  if (!stopping) {
    console.error(`[dev] the operator exited with code ${code}`);
    void shutdown("operator exit");
  }
});

console.log(`
Use kubectl against it (kubectl is unpacked by 'make tools'):

  export KUBECONFIG=${kubeconfigPath}
  kubectl get aihub -A
  kubectl explain blockactivation.spec
  curl -s 127.0.0.1:8080/metrics | grep controller_runtime_reconcile_total

Press Ctrl-C to stop the operator${controlPlane ? " and the control plane, and remove its files" : ""}.
`);
