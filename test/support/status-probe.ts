// A kind of the tests' own with a status subresource, for tests of status writes on the shared
// control plane: the operators that other files run there reconcile every MunicipalTenant, and
// would write a tenant's status between a test's writes. No operator watches this kind.
import type { KubeObject } from "../../operator/src/kube/object.ts";
import type { ObjectRef } from "../../operator/src/kube/resource-paths.ts";
import { applyCrds, type Cluster } from "./cluster.ts";

const GROUP = "e2e.aihub.example";
export const STATUS_PROBES_PATH = `/apis/${GROUP}/v1/statusprobes`;

export const statusProbeRef = (name: string): KubeObject & ObjectRef => ({
  apiVersion: `${GROUP}/v1`,
  kind: "StatusProbe",
  metadata: { name },
});

const preserved = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

/** Installs the cluster-scoped StatusProbe CRD (any spec and status) and waits until it is Established. */
export async function installStatusProbeCrd(cluster: Cluster): Promise<void> {
  await applyCrds(cluster, [
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `statusprobes.${GROUP}` },
      spec: {
        group: GROUP,
        scope: "Cluster",
        names: { plural: "statusprobes", singular: "statusprobe", kind: "StatusProbe", listKind: "StatusProbeList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: "object", properties: { spec: preserved, status: preserved } } },
          },
        ],
      },
    } as KubeObject & ObjectRef,
  ]);
}
