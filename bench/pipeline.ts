// Where the activations' pods are in kube-controller-manager's pipeline (StatefulSet, pod, claim
// and volume, scheduled, Ready): from the objects' own times after a phase, and the claims by
// watch during it. What the fleet benchmark's timelines and pod steps are made of.
import type { KubeObject } from "../operator/src/kube/object.ts";
import type { RestClient } from "../operator/src/kube/rest-client.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import type { TimelineRow } from "./measure.ts";

type Condition = { type: string; status: string; lastTransitionTime?: string };
type Pod = KubeObject & {
  spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] };
  status?: { conditions?: Condition[] };
};
type Volume = KubeObject & { spec?: { claimRef?: { namespace?: string; name?: string } } };

/** Seconds: the median, the 90th percentile and the largest. */
export interface Spread {
  p50: number;
  p90: number;
  max: number;
}

/** The spread of `values` (nearest rank), undefined for none. */
export function spread(values: number[]): Spread | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return { p50: at(0.5), p90: at(0.9), max: sorted.at(-1) as number };
}

/**
 * The steps of each Ready pod, in seconds, from the objects' own times (whole seconds): when its
 * StatefulSet was created after the phase began (the contender's part), then kube-controller-
 * manager's StatefulSet controller creating the pod, its volume provisioner creating the
 * PersistentVolume for the pod's claim, kube-scheduler placing the pod, and kwok making it Ready.
 */
export interface PodSteps {
  workload: Spread;
  pod?: Spread;
  volume?: Spread;
  scheduled?: Spread;
  ready?: Spread;
}

const conditionTime = (p: Pod, type: string) => {
  const c = p.status?.conditions?.find((c) => c.type === type && c.status === "True" && c.lastTransitionTime);
  return c ? Date.parse(c.lastTransitionTime as string) : undefined;
};
const createdAt = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? "");
const ownerOf = (p: Pod) =>
  `${p.metadata.namespace}/${p.metadata.ownerReferences?.find((r) => r.kind === "StatefulSet")?.name}`;

/** One Ready pod's times (epoch ms), from the objects: its StatefulSet's creation, its own, its volume's, scheduled, Ready. */
interface ReadyPod {
  workload?: number;
  pod: number;
  volume?: number;
  scheduled?: number;
  ready: number;
}

/** The times of each pod that is Ready (a pod that is not counts in nothing). */
function readyPods(workloads: KubeObject[], pods: Pod[], volumes: Volume[]): ReadyPod[] {
  const created = new Map(workloads.map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, createdAt(w)]));
  const provisioned = new Map(
    volumes.map((v) => [`${v.spec?.claimRef?.namespace}/${v.spec?.claimRef?.name}`, createdAt(v)]),
  );
  return pods.flatMap((p) => {
    const ready = conditionTime(p, "Ready");
    if (ready === undefined) return [];
    const claims = (p.spec?.volumes ?? []).flatMap((v) => v.persistentVolumeClaim?.claimName ?? []);
    const volume = claims.length
      ? Math.max(...claims.map((c) => provisioned.get(`${p.metadata.namespace}/${c}`) ?? Number.NaN))
      : undefined;
    return [
      {
        workload: created.get(ownerOf(p)),
        pod: createdAt(p),
        volume,
        scheduled: conditionTime(p, "PodScheduled"),
        ready,
      },
    ];
  });
}

const known = (t: number | undefined): t is number => t !== undefined && Number.isFinite(t);

/** Where each Ready pod's time went (`PodSteps`); undefined when no pod is Ready. */
function podSteps(ready: ReadyPod[], startedAtMs: number): PodSteps | undefined {
  const steps = { workload: [], pod: [], volume: [], scheduled: [], ready: [] } as Record<keyof PodSteps, number[]>;
  const add = (step: keyof PodSteps, from: number | undefined, to: number | undefined) => {
    if (known(from) && known(to)) steps[step].push((to - from) / 1000);
  };
  // The objects' times have whole seconds: the phase's start too, so that no step is below 0.
  const start = Math.floor(startedAtMs / 1000) * 1000;
  for (const r of ready) {
    add("workload", start, r.workload);
    add("pod", r.workload, r.pod);
    add("volume", r.pod, r.volume);
    add("scheduled", r.volume ?? r.pod, r.scheduled);
    add("ready", r.scheduled, r.ready);
  }
  if (!steps.workload.length) return undefined;
  const out: PodSteps = { workload: spread(steps.workload) as Spread };
  for (const step of ["pod", "volume", "scheduled", "ready"] as const) {
    const s = spread(steps[step]);
    if (s) out[step] = s;
  }
  return out;
}

export interface PodsSummary {
  /** Seconds from the phase's start until the last pod was Ready (rounded up); undefined while fewer than expected are. */
  lastSeconds?: number;
  /** How long each Ready pod took after its StatefulSet was created. */
  afterWorkload?: Spread;
  steps?: PodSteps;
  /** When each StatefulSet and pod reached each stage (epoch ms, whole seconds), for `withStages`; not for a report. */
  stages: Stages;
}

/** Per stage of an activation's pod (its StatefulSet made, it made, scheduled, Ready), the epoch ms at which each reached it. */
export type Stages = Record<"statefulsets" | "pods" | "pods scheduled" | "pods Ready", number[]>;

/**
 * `rows` with a column per stage: how many StatefulSets or pods had reached it by each row's time (the
 * objects' times have whole seconds, so a stage counts from the second after it, as the phase's
 * childrenSeconds does). Read once after the phase, so the timeline shows when the contender's
 * StatefulSets came and how kube-controller-manager, the scheduler and kwok followed them, at no
 * cost during the phase. `timelineStartMs` is the epoch ms at which the timeline's t is 0.
 */
export function withStages(rows: TimelineRow[], timelineStartMs: number, stages: Stages): TimelineRow[] {
  return rows.map((row) => {
    const at = timelineStartMs + row.t * 1000;
    const out: TimelineRow = { ...row };
    for (const [name, times] of Object.entries(stages)) out[name] = times.filter((ms) => ms + 1000 <= at).length;
    return out;
  });
}

/**
 * What the activations' pods say about a phase, from the objects' own times (whole seconds): when
 * the last of `expected` pods was Ready after `startedAtMs` (epoch ms), how long each took after its
 * StatefulSet was created, and the steps of that time. Each Ready pod is read once, for all three.
 */
export function podsSummary(
  workloads: KubeObject[],
  pods: Pod[],
  volumes: Volume[],
  startedAtMs: number,
  expected: number,
): PodsSummary {
  const ready = readyPods(workloads, pods, volumes);
  return {
    lastSeconds:
      ready.length >= expected && ready.length > 0
        ? (Math.max(...ready.map((r) => r.ready)) + 1000 - startedAtMs) / 1000
        : undefined,
    afterWorkload: spread(ready.flatMap((r) => (known(r.workload) ? [(r.ready - r.workload) / 1000] : []))),
    steps: podSteps(ready, startedAtMs),
    stages: {
      statefulsets: workloads.map(createdAt),
      pods: pods.map(createdAt),
      "pods scheduled": pods.flatMap((p) => conditionTime(p, "PodScheduled") ?? []),
      "pods Ready": ready.map((r) => r.ready),
    },
  };
}

/**
 * When the activations' pods were Ready (`podsSummary`), read once after a phase: the cluster's
 * own part of a phase, the same for every contender; what comes after it is the contender
 * reporting Ready.
 */
export async function podsReady(client: RestClient, startedAtMs: number, expected: number): Promise<PodsSummary> {
  const query = { labelSelector: "aihub.gemeenten.nl/activation" };
  const pods = await client.request<{ items: Pod[] }>("GET", "/api/v1/pods", { query });
  const workloads = await client.request<{ items: KubeObject[] }>("GET", "/apis/apps/v1/statefulsets", { query });
  const volumes = await client.request<{ items: Volume[] }>("GET", "/api/v1/persistentvolumes");
  return podsSummary(workloads.items, pods.items, volumes.items, startedAtMs, expected);
}

type Claim = KubeObject & { status?: { phase?: string } };

/** How many of `claims` exist and how many are Bound: a timeline's columns. */
export function claimCounts(claims: Claim[]): Record<string, number> {
  return { claims: claims.length, "claims bound": claims.filter((c) => c.status?.phase === "Bound").length };
}

/**
 * The cluster's PersistentVolumeClaims by watch, for a phase's timeline: each pod waits for its
 * claim, which kube-controller-manager's volume controller provisions and binds with one worker
 * for claims and one for volumes (one claim at a time), and the scheduler places the pod after.
 * The same watch in every phase; its events are small (about 1 kB).
 */
export function watchClaims(client: RestClient) {
  const cache = new WatchCache<Claim>({ client, path: "/api/v1/persistentvolumeclaims" });
  cache.start();
  return {
    synced: () => cache.waitForSync(),
    counts: () => claimCounts(cache.list()),
    stop: () => cache.stop(),
  };
}
