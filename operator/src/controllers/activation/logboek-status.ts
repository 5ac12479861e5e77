// Whether an activation's records reach the municipality's Logboek Dataverwerkingen, in words:
// the condition LogboekReady. The operator does not read pods (ADR 11): a pod is ready only when
// its logging sidecar is (a native sidecar's readiness counts toward the pod's), so the
// StatefulSet's ready replicas say how many sidecars are ready to forward. The sidecar queues on
// its replica's volume claim what the Logboek has not acknowledged yet.
import type { AIBuildingBlock, MunicipalTenant } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { Verdict } from "./activation-status.ts";

export const LOGBOEK_READY = "LogboekReady";

export function logboekVerdict(o: {
  tenant: MunicipalTenant;
  block: AIBuildingBlock;
  /** The version that runs, if any. */
  version?: string;
  mapping: Record<string, string>;
  replicas: number;
  /** The activation's StatefulSet. */
  workload?: KubeObject;
}): Verdict | undefined {
  const logboek = o.tenant.spec.logboek;
  const activities = o.block.spec.versions.find((v) => v.version === o.version)?.processingActivities ?? [];
  const personal = activities.filter((a) => a.personalData !== false);
  const name = o.tenant.metadata.name ?? "";
  if (!logboek) {
    if (!personal.length) return undefined;
    return {
      status: "False",
      reason: "NotConfigured",
      message: `municipality ${name} has no Logboek (MunicipalTenant ${name} spec.logboek), and version ${o.version} processes personal data (${personal.map((a) => a.id).join(", ")})`,
    };
  }
  const entries = [...new Set(Object.values(o.mapping))].sort();
  const where = `records go to ${logboek.endpoint}${entries.length ? ` as register entries ${entries.join(", ")}` : ""}`;
  if (o.replicas === 0)
    return { status: "Unknown", reason: "NotRunning", message: `${where} once the block runs (it has 0 replicas)` };
  const ready = Number((o.workload?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0);
  return ready > 0
    ? {
        status: "True",
        reason: "SidecarReady",
        message: `${where}; the logging sidecar is ready in ${ready} of ${o.replicas} pods`,
      }
    : {
        status: "False",
        reason: "SidecarNotReady",
        message: `${where}; no pod's logging sidecar is ready yet (0 of ${o.replicas}), so nothing is forwarded`,
      };
}
