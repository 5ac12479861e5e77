// Fleet rollouts. Two controllers:
// - the publisher (one key per block) creates a BlockRollout when a version becomes the newest on
//   a channel, with the block's strategy copied in;
// - the rollout controller (one key per BlockRollout) gathers what the plan needs (the
//   activations that follow the version, their tenants' rings and windows, freezes, newer
//   versions), runs planRollout, and writes the status: the only place the rollout remembers
//   anything. The activation controller reads that status to decide which version to run.

import type { Logger } from "pino";
import { BLOCK_LABEL } from "../../../../cdk/src/activation/labels.ts";
import { safeParseOnce } from "../../api/parse-once.ts";
import { compareSemver } from "../../api/semver.ts";
import {
  type AIBuildingBlock,
  aiBuildingBlockSpec,
  blockRolloutSpec,
  type MunicipalTenant,
  type RolloutFreeze,
  rolloutStrategy,
} from "../../api/v1alpha1/index.ts";
import { isAlreadyExists, isConflict } from "../../kube/api-error.ts";
import type { EventRecorder } from "../../kube/events.ts";
import { type KubeObject, objectKey } from "../../kube/object.ts";
import type { ObjectRef, ResourcePaths } from "../../kube/resource-paths.ts";
import type { RestClient } from "../../kube/rest-client.ts";
import { writeStatus } from "../../kube/status.ts";
import type { WatchCache } from "../../kube/watch-cache.ts";
import { Controller, primaryChanged } from "../../runtime/controller.ts";
import type { Manager } from "../../runtime/manager.ts";
import type { OperatorMetrics } from "../../runtime/metrics.ts";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconcile.ts";
import { BY_BLOCK } from "../activation/activation-controller.ts";
import { latestVersions } from "../catalog/catalog-status.ts";
import { askAnalysis } from "./analysis-hook.ts";
import { FleetView, ROLLOUTS_BY_BLOCK } from "./fleet-view.ts";
import { freezeStatus } from "./freeze-status.ts";
import { RolloutMetrics } from "./rollout-metrics.ts";
import { planRollout, type RolloutTarget } from "./rollout-plan.ts";
import { rolloutTarget } from "./rollout-targets.ts";
import { activeFreeze } from "./windows.ts";

export const ROLLOUT_CONTROLLER = "blockrollout";
export const PUBLISHER_CONTROLLER = "blockrollout-publisher";
export const FREEZE_CONTROLLER = "rolloutfreeze";
export const ROLLOUTS_PATH = "/apis/aihub.gemeenten.nl/v1alpha1/blockrollouts";
export const FREEZES_PATH = "/apis/aihub.gemeenten.nl/v1alpha1/rolloutfreezes";
/** After a conflicting status write, plan again this soon: the cache has the newer status by then. */
const CONFLICT_REQUEUE_MS = 200;

export interface RolloutCaches {
  tenants: WatchCache<KubeObject>;
  blocks: WatchCache<KubeObject>;
  activations: WatchCache<KubeObject>;
  rollouts: WatchCache<KubeObject>;
  freezes: WatchCache<KubeObject>;
}

export interface RolloutDeps {
  client: RestClient;
  paths: ResourcePaths;
  events: EventRecorder;
  now: () => Date;
  log: Logger;
  metrics: OperatorMetrics;
  workers: number;
  resyncPeriodMs: number;
}

/** The BlockRollout's name for a version of a block: `bezwaar-intake-1.5.0`. */
export const rolloutName = (block: string, version: string) => `${block}-${version.toLowerCase().replace(/\+/g, "-")}`;

/** Whether an activation's change can matter to a rollout: its spec, the version it runs, its readiness. */
export function activationHealthChanged(a: KubeObject, b: KubeObject): boolean {
  if (primaryChanged(a, b)) return true;
  const view = (o: KubeObject) => {
    const s = (o.status ?? {}) as {
      currentVersion?: string;
      observedGeneration?: number;
      conditions?: { type: string }[];
    };
    return JSON.stringify([s.currentVersion, s.observedGeneration, s.conditions?.find((c) => c.type === "Ready")]);
  };
  return view(a) !== view(b);
}

const rolloutPhase = (o: KubeObject) => (o.status as { phase?: string } | undefined)?.phase;

/** Phases in which a rollout watches the health of what it moved (no status yet: it is starting). */
const WATCHING_HEALTH = new Set(["Progressing", "Paused", "RollingBack", undefined]);

/**
 * The rollouts an update of an activation concerns: all of its block's when its spec or labels
 * changed (it may join or leave one); when only its health changed, those that watch health. A
 * finished rollout does not, and during a fleet's convergence thousands of status writes would
 * each have it read all of the block's activations again for nothing.
 */
export function rolloutsConcerned(a: KubeObject, b: KubeObject, rollouts: KubeObject[]): string[] {
  return primaryChanged(a, b) ? rollouts.map(objectKey) : rolloutsWatching(rollouts);
}

/**
 * The rollouts that a new or deleted activation or tenant concerns: those not finished. A
 * finished rollout stays as it ended (planRollout); what reopens one is an activation that runs an
 * older version and follows it, which a new activation does not (it has no status yet) and an
 * existing one becomes by a change of its spec (rolloutsConcerned). A fleet of 1,710 new
 * activations would otherwise have each finished rollout of their block read all of its
 * activations again 1,710 times.
 */
export function rolloutsWatching(rollouts: KubeObject[]): string[] {
  return rollouts.filter((r) => WATCHING_HEALTH.has(rolloutPhase(r))).map(objectKey);
}

export function registerRolloutControllers(manager: Manager, caches: RolloutCaches, deps: RolloutDeps): void {
  const common = { log: deps.log, metrics: deps.metrics, workers: deps.workers, resyncPeriodMs: deps.resyncPeriodMs };
  const blockOf = (o: KubeObject) => String((o.spec as { block?: string } | undefined)?.block ?? "");
  const rolloutsOf = (block: string) => caches.rollouts.byIndex(ROLLOUTS_BY_BLOCK, block).map(objectKey);
  const allRollouts = () => caches.rollouts.keys();

  manager.add(
    new Controller({
      ...common,
      name: PUBLISHER_CONTROLLER,
      kind: "AIBuildingBlock",
      primary: caches.blocks,
      // A rollout deleted by hand is made again (that is how a withdrawn version is retried).
      owned: [{ cache: caches.rollouts, ownerKeys: (r) => [blockOf(r)], changed: () => false }],
      reconcile: (key, ctx) => publish(key, caches, deps, ctx),
    }),
  );

  manager.add(
    new Controller({
      ...common,
      name: FREEZE_CONTROLLER,
      kind: "RolloutFreeze",
      primary: caches.freezes,
      reconcile: async (key) => {
        const obj = caches.freezes.get(key);
        if (!obj) return undefined;
        const ref = { ...obj, apiVersion: "aihub.gemeenten.nl/v1alpha1", kind: "RolloutFreeze" } as KubeObject &
          ObjectRef;
        const next = freezeStatus(obj as unknown as RolloutFreeze, deps.now());
        await writeStatus(deps.client, deps.paths, ref, next.status, { cache: caches.freezes });
        return next.recheckAfterMs === undefined ? undefined : { requeueAfterMs: next.recheckAfterMs };
      },
    }),
  );

  const reconciler = new RolloutReconciler(caches, deps);
  manager.add(
    new Controller({
      ...common,
      name: ROLLOUT_CONTROLLER,
      kind: "BlockRollout",
      primary: caches.rollouts,
      owned: [
        {
          cache: caches.activations,
          ownerKeys: (a) => rolloutsWatching(caches.rollouts.byIndex(ROLLOUTS_BY_BLOCK, blockOf(a))),
          changed: activationHealthChanged,
          updateKeys: (a, b) => rolloutsConcerned(a, b, caches.rollouts.byIndex(ROLLOUTS_BY_BLOCK, blockOf(b))),
        },
        { cache: caches.blocks, ownerKeys: (b) => rolloutsOf(b.metadata.name ?? ""), changed: primaryChanged },
        // A tenant's ring or maintenance windows concern every rollout that is not finished.
        { cache: caches.tenants, ownerKeys: () => rolloutsWatching(caches.rollouts.list()), changed: primaryChanged },
        // A freeze's spec, and its Active condition flipping when it starts or ends.
        { cache: caches.freezes, ownerKeys: allRollouts },
        // A sibling that is withdrawn or takes over changes who supersedes whom.
        {
          cache: caches.rollouts,
          ownerKeys: (r) => rolloutsOf(blockOf(r)).filter((k) => k !== objectKey(r)),
          changed: (a, b) => rolloutPhase(a) !== rolloutPhase(b),
        },
      ],
      reconcile: (key, ctx) => reconciler.reconcile(key, ctx),
    }),
  );
}

/** Creates the BlockRollout of each channel's newest version of a block, when it has none. */
async function publish(key: string, caches: RolloutCaches, deps: RolloutDeps, ctx: ReconcileContext) {
  const obj = caches.blocks.get(key);
  if (!obj || obj.metadata.deletionTimestamp) return undefined;
  const parsed = safeParseOnce(aiBuildingBlockSpec, obj.spec);
  if (!parsed.success) return undefined; // the catalog controller reports a bad entry
  const block = { ...obj, spec: parsed.data } as unknown as AIBuildingBlock;
  const newest = new Set(Object.values(latestVersions(block) ?? {}));
  for (const version of newest) {
    const name = rolloutName(key, version);
    if (caches.rollouts.get(name)) continue;
    const entry = block.spec.versions.find((v) => v.version === version);
    const body = {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockRollout",
      metadata: {
        name,
        labels: { [BLOCK_LABEL]: key },
        ownerReferences: [
          {
            apiVersion: "aihub.gemeenten.nl/v1alpha1",
            kind: "AIBuildingBlock",
            name: key,
            uid: obj.metadata.uid ?? "",
          },
        ],
      },
      spec: {
        block: key,
        version,
        channel: entry?.channel ?? "stable",
        strategy: rolloutStrategy.parse(block.spec.rollout ?? {}),
      },
    };
    try {
      await deps.client.request("POST", ROLLOUTS_PATH, { body });
      ctx.log.info({ rollout: name }, "rollout created");
    } catch (err) {
      if (!isAlreadyExists(err)) throw err; // it exists already (the cache has not seen it yet)
    }
  }
  return undefined;
}

class RolloutReconciler {
  private readonly metrics: RolloutMetrics;
  private readonly caches: RolloutCaches;
  private readonly d: RolloutDeps;

  constructor(caches: RolloutCaches, deps: RolloutDeps) {
    this.caches = caches;
    this.d = deps;
    this.metrics = new RolloutMetrics(deps.metrics.registry);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const obj = this.caches.rollouts.get(key);
    if (!obj || obj.metadata.deletionTimestamp) {
      this.metrics.forget(key);
      return undefined;
    }
    const parsedSpec = safeParseOnce(blockRolloutSpec, obj.spec);
    const blockObj = this.caches.blocks.get(String((obj.spec as { block?: string }).block));
    if (!parsedSpec.success || !blockObj) return undefined; // the API server validated it; a deleted block takes it along
    const spec = parsedSpec.data;
    const parsedBlock = safeParseOnce(aiBuildingBlockSpec, blockObj.spec);
    if (!parsedBlock.success) return undefined;
    const block = { ...blockObj, spec: parsedBlock.data } as unknown as AIBuildingBlock;
    const now = this.d.now();

    const fleet = new FleetView(this.caches.rollouts.byIndex(ROLLOUTS_BY_BLOCK, spec.block));
    const withdrawn = fleet.withdrawn();
    const newerVersion = block.spec.versions
      .filter((v) => spec.channel === "candidate" || (v.channel ?? "stable") === "stable")
      .map((v) => v.version)
      .filter((v) => compareSemver(v, spec.version) > 0 && !withdrawn.has(v))
      .sort(compareSemver)
      .at(-1);
    const targets: RolloutTarget[] = [];
    for (const a of this.caches.activations.byIndex(BY_BLOCK, spec.block)) {
      const tenant = this.caches.tenants.get(a.metadata.namespace ?? "") as unknown as MunicipalTenant | undefined;
      const t = rolloutTarget(a, tenant, spec, block, now);
      if (t) targets.push(t);
    }
    const freezes = this.caches.freezes.list() as unknown as RolloutFreeze[];
    const freeze = activeFreeze(freezes, now);
    const input = {
      rollout: { metadata: obj.metadata, spec, status: obj.status as never },
      targets,
      ...(newerVersion && { newerVersion }),
      ...(freeze && { freeze }),
      now,
    };
    let plan = planRollout(input);
    if (plan.analysisNeeded && spec.strategy.analysis) {
      const analysis = await askAnalysis(spec.strategy.analysis, {
        rollout: key,
        block: spec.block,
        version: spec.version,
        ...plan.analysisNeeded,
        rings: plan.status.rings,
      });
      ctx.log.info({ ring: analysis.ring, verdict: analysis.verdict }, analysis.message);
      plan = planRollout({ ...input, analysis });
    }
    const ref = { ...obj, apiVersion: "aihub.gemeenten.nl/v1alpha1", kind: "BlockRollout" } as KubeObject & ObjectRef;
    // One attempt: the status is the rollout's memory, so a plan made from a status that is no
    // longer current (the cache had not seen our last write yet) must not be sent again on top
    // of the newer one, as writeStatus would on a conflict. It is planned again instead.
    let written: { written: boolean };
    try {
      written = await writeStatus(this.d.client, this.d.paths, ref, plan.status, {
        maxAttempts: 1,
        cache: this.caches.rollouts,
      });
    } catch (err) {
      if (!isConflict(err)) throw err;
      ctx.log.debug("rollout status changed since it was read; planning again");
      return { requeueAfterMs: CONFLICT_REQUEUE_MS };
    }
    this.metrics.observe(key, spec.block, plan);
    if (written.written) {
      if (plan.moved.length)
        ctx.log.info({ moved: plan.moved.length, ring: plan.status.currentRing }, "activations moved");
      for (const e of plan.events) {
        ctx.log.info({ reason: e.reason }, e.message);
        this.metrics.count(spec.block, e, plan.status);
        await this.d.events
          .record({ regarding: ref, type: e.type, reason: e.reason, action: "Rollout", note: e.message })
          .catch((err) => ctx.log.warn({ err: String(err) }, "could not record an event"));
      }
    }
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }
}
