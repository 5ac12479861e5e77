// A small controller for testing the runtime against a real API server: for each ConfigMap
// labelled `mirror=source` it applies a child ConfigMap `<name>-mirror` with the same data,
// owned by the source. It knows nothing of aihub; it exercises the machinery.
import { pino } from "pino";
import { Applier } from "../../operator/src/kube/apply.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { type ObjectRef, ResourcePaths } from "../../operator/src/kube/resource-paths.ts";
import type { RestClient } from "../../operator/src/kube/rest-client.ts";
import type { WatchCache } from "../../operator/src/kube/watch-cache.ts";
import { Controller, controllerOwnerKey } from "../../operator/src/runtime/controller.ts";
import type { LeaseSettings } from "../../operator/src/runtime/leader-election.ts";
import { Manager } from "../../operator/src/runtime/manager.ts";
import { OperatorMetrics } from "../../operator/src/runtime/metrics.ts";

export interface MirrorOptions {
  client: RestClient;
  namespace: string;
  /** Extra time each reconcile takes, to make a burst of events visible. */
  reconcileDelayMs?: number;
  leaderElection?: LeaseSettings;
  workers?: number;
}

export interface Mirror {
  manager: Manager;
  controller: Controller;
  metrics: OperatorMetrics;
  /** The sources as this instance's cache has them (kept warm while it does not lead). */
  sources: WatchCache<KubeObject>;
  /** The mirrors as this instance's cache has them. */
  mirrors: WatchCache<KubeObject>;
  /** Keys reconciled, in order. */
  reconciled: string[];
  /** Values of data.value each reconcile saw for a key. */
  seen: Map<string, string[]>;
}

export function mirrorController(o: MirrorOptions): Mirror {
  const metrics = new OperatorMetrics();
  const log = pino({ level: "silent" });
  const manager = new Manager({ client: o.client, log, metrics, leaderElection: o.leaderElection });
  const path = `/api/v1/namespaces/${o.namespace}/configmaps`;
  const sources = manager.cache<KubeObject>({ path, labelSelector: "mirror=source" });
  const mirrors = manager.cache<KubeObject>({ path, labelSelector: "mirror=copy" });
  const applier = new Applier(o.client, new ResourcePaths(o.client), "mirror-controller");
  const reconciled: string[] = [];
  const seen = new Map<string, string[]>();
  const controller = new Controller({
    name: "mirror",
    kind: "ConfigMap",
    primary: sources,
    owned: [{ cache: mirrors, ownerKeys: controllerOwnerKey("ConfigMap") }],
    workers: o.workers ?? 4,
    resyncPeriodMs: 0,
    log,
    metrics,
    reconcile: async (key, ctx) => {
      reconciled.push(key);
      const source = sources.get(key) as (KubeObject & { data?: Record<string, string> }) | undefined;
      if (!source) return undefined;
      seen.set(key, [...(seen.get(key) ?? []), source.data?.value ?? ""]);
      if (o.reconcileDelayMs) await new Promise((r) => setTimeout(r, o.reconcileDelayMs));
      if (ctx.signal.aborted) return undefined;
      const name = `${source.metadata.name}-mirror`;
      const desired: KubeObject & ObjectRef = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name,
          namespace: o.namespace,
          labels: { mirror: "copy" },
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "ConfigMap",
              name: source.metadata.name ?? "",
              uid: source.metadata.uid ?? "",
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        data: { ...source.data },
      };
      await applier.apply(desired, mirrors.get(`${o.namespace}/${name}`));
      return undefined;
    },
  });
  manager.add(controller);
  return { manager, controller, metrics, sources, mirrors, reconciled, seen };
}
