import { describe, expect, it } from "vitest";
import { exampleActivation, exampleBlock } from "../../../../test/support/example-catalog.ts";
import { readManifests } from "../../../../test/support/manifests.ts";
import type { BlockActivation } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import { FleetView } from "../rollout/fleet-view.ts";
import { ACTIVATION_PHASES, type PhaseEnv, runPhases } from "./activation-phases.ts";
import { newActivationScope, outcomeOf } from "./activation-scope.ts";

const tenants = readManifests("examples/tenants") as KubeObject[];
const now = new Date("2026-11-28T12:00:00Z");
const image = (version: string) =>
  exampleBlock("bezwaar-intake").spec.versions.find((v) => v.version === version)?.image ?? "";

/** A fake cluster: the caches the phases read, and the applies and prunes they send. */
function fakeEnv(
  o: {
    workload?: KubeObject;
    blocks?: string[];
    rollouts?: { version: string; phase: string; moved?: string[] }[];
  } = {},
) {
  const applied: string[] = [];
  const env: PhaseEnv = {
    block: (name) =>
      (o.blocks ?? ["bezwaar-intake"]).includes(name) ? (exampleBlock(name) as unknown as KubeObject) : undefined,
    tenant: (namespace) => tenants.find((t) => t.metadata.name === namespace),
    fleet: () =>
      new FleetView(
        (o.rollouts ?? []).map((r) => ({
          metadata: {},
          spec: { version: r.version },
          status: {
            phase: r.phase,
            activations: (r.moved ?? []).map((activation) => ({
              activation,
              ring: "early",
              state: "Updating",
              previousVersion: "1.3.0",
              movedAt: now.toISOString(),
            })),
          },
        })),
      ),
    child: (kind) => (kind === "StatefulSet" ? o.workload : undefined),
    apply: async (obj) => {
      applied.push(obj.kind);
      if (obj.kind !== "StatefulSet") return { object: obj, written: true };
      // The API server bumps the generation of a changed template; its status is the old one's.
      const generation = (o.workload?.metadata.generation ?? 0) + 1;
      return {
        object: { ...obj, metadata: { ...obj.metadata, generation, creationTimestamp: now.toISOString() } },
        written: true,
      };
    },
    prune: async () => 0,
    render: {
      logSidecar: { image: `registry.gemeenten.nl/aihub/aihub-otelcol@sha256:${"c".repeat(64)}` },
      gateway: { namespace: "aihub-gateway" },
      logging: { namespace: "aihub-logging", port: 24224 },
    },
    policy: { allowedRegistries: ["registry.gemeenten.nl"] },
    now: () => now,
    firstStatusHoldMs: () => 5000,
  };
  return { env, applied };
}

const utrecht = exampleActivation("utrecht", "bezwaar-intake");
const running = (version: string, over: Partial<BlockActivation> = {}): BlockActivation => ({
  ...utrecht,
  metadata: { ...utrecht.metadata, uid: "uid-1", generation: 1 },
  status: { currentVersion: version, image: image(version), conditions: [] },
  ...over,
});
/** The StatefulSet of 1.3.0 as the cache holds it: generation 1, every replica available. */
const available13 = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "bezwaar-intake", namespace: "utrecht", generation: 1, creationTimestamp: "2026-11-01T00:00:00Z" },
  status: {
    observedGeneration: 1,
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 2,
    currentRevision: "bezwaar-intake-1",
    updateRevision: "bezwaar-intake-1",
  },
} as KubeObject;

async function reconcile(activation: BlockActivation, env: PhaseEnv) {
  const scope = newActivationScope(activation as unknown as KubeObject, () => undefined);
  await runPhases(ACTIVATION_PHASES, scope, env);
  return scope;
}

describe("the activation phases", () => {
  it("reports a block missing from the catalog and keeps the update on offer", async () => {
    const { env, applied } = fakeEnv({ blocks: [] });
    const offered = { version: "1.5.0" };
    const scope = await reconcile(running("1.3.0", { status: { availableUpdate: offered } }), env);
    expect(scope.verdicts.ready).toMatchObject({ status: "False", reason: "BlockNotFound" });
    expect(scope.verdicts.parameters.status).toBe("Unknown");
    expect(outcomeOf(scope).availableUpdate).toEqual(offered);
    expect(applied).toEqual([]);
  });

  it("changes nothing for a block its schema refuses, and says what is wrong with it", async () => {
    const { env, applied } = fakeEnv({ workload: available13 });
    const bad = exampleBlock("bezwaar-intake");
    const broken = {
      ...bad,
      spec: { ...bad.spec, parameters: [{ name: "days", type: "integer", description: "d", default: "30" }] },
    };
    const scope = await reconcile(running("1.3.0"), { ...env, block: () => broken as unknown as KubeObject });
    expect(applied).toEqual([]);
    expect(scope.verdicts.ready).toMatchObject({ status: "False", reason: "BlockInvalid" });
    expect(scope.verdicts.ready.message).toContain("spec.parameters[0].default: default must be of type integer");
  });

  it("applies nothing for a name made before the API server refused it, and says why once", async () => {
    const { env, applied } = fakeEnv({ workload: available13 });
    const old = running("1.3.0");
    for (const name of ["bezwaar.intake", "2bezwaar", "aihub-default-deny", "b".repeat(64)]) {
      const scope = await reconcile({ ...old, metadata: { ...old.metadata, name } }, env);
      expect(scope.verdicts.ready).toMatchObject({ status: "False", reason: "InvalidName" });
      expect(scope.verdicts.ready.message).toContain("create the activation again under a valid name");
    }
    expect(applied).toEqual([]);
  });

  it("stops what runs when the collective revokes the certification: scaled to 0, configuration kept, saying why", async () => {
    const { env } = fakeEnv({ workload: available13 });
    const revoked = structuredClone(exampleBlock("bezwaar-intake"));
    revoked.metadata.annotations = { "aihub.gemeenten.nl/certification-revoked": "bias found in audit" };
    const workloads: KubeObject[] = [];
    const scope = await reconcile(running("1.3.0"), {
      ...env,
      block: () => revoked as unknown as KubeObject,
      apply: async (obj) => {
        if (obj.kind === "StatefulSet") workloads.push(obj);
        return env.apply(obj);
      },
    });
    expect(workloads.map((d) => (d.spec as { replicas: number }).replicas)).toEqual([0]);
    expect(scope.target?.version).toBe("1.3.0");
    expect(scope.verdicts.ready).toMatchObject({ status: "False", reason: "CertificationRevoked" });
    expect(scope.verdicts.ready.message).toContain("revoked: bias found in audit");
    expect(scope.verdicts.ready.message).toContain("version 1.3.0 is stopped (scaled to 0 replicas)");
    // An expiry is not a revocation: what runs keeps running.
    const expired = structuredClone(exampleBlock("bezwaar-intake"));
    expired.spec.certification.validUntil = "2026-01-31";
    const kept = await reconcile(running("1.3.0"), { ...env, block: () => expired as unknown as KubeObject });
    expect(kept.stopped).toBeUndefined();
  });

  it("renders nothing for refused parameters, and what runs stays Ready by its own StatefulSet", async () => {
    const { env, applied } = fakeEnv({ workload: available13 });
    const bad = running("1.3.0");
    const scope = await reconcile({ ...bad, spec: { ...bad.spec, humanInTheLoop: undefined } }, env);
    expect(applied).toEqual([]);
    expect(scope.verdicts.progressing).toMatchObject({ status: "False", reason: "HumanOversightRequired" });
    expect(scope.verdicts.ready).toMatchObject({ status: "True", reason: "Available" });
    expect(outcomeOf(scope).running?.version).toBe("1.3.0");
    expect(scope.events).toEqual([]);
  });

  it("keeps what runs while the new version's fleet rollout has not moved this activation", async () => {
    const { env, applied } = fakeEnv({
      workload: available13,
      rollouts: [{ version: "1.4.0", phase: "Progressing" }],
    });
    const scope = await reconcile(running("1.3.0"), env);
    expect(scope.resolved).toMatchObject({ ok: true, version: "1.4.0" });
    expect(scope.target?.version).toBe("1.3.0");
    expect(outcomeOf(scope).upToDate).toMatchObject({ status: "False", reason: "WaitingForRollout" });
    expect(scope.events).toEqual([]);
    expect(applied.at(-1)).toBe("StatefulSet");
  });

  it("judges a new version by the applied StatefulSet, not the cache's available old one", async () => {
    const { env, applied } = fakeEnv({
      workload: available13,
      rollouts: [{ version: "1.4.0", phase: "Progressing", moved: ["utrecht/bezwaar-intake"] }],
    });
    const scope = await reconcile(running("1.3.0"), env);
    expect(scope.resolved).toMatchObject({ ok: true, version: "1.4.0" });
    expect(scope.target?.version).toBe("1.4.0");
    expect(applied.at(-1)).toBe("StatefulSet");
    expect(scope.workload?.metadata.generation).toBe(2);
    expect(scope.verdicts.ready).toMatchObject({ status: "False", reason: "ReplicasUnavailable" });
    expect(outcomeOf(scope).running?.version).toBe("1.4.0");
    expect(scope.events.map((e) => e.reason)).toEqual(["VersionRolledOut"]);
    expect(scope.holdStatus).toBe(false);
  });

  it("holds a new activation's first status while its StatefulSet, created a moment ago, rolls out", async () => {
    const { env } = fakeEnv();
    const scope = await reconcile({ ...utrecht, metadata: { ...utrecht.metadata, uid: "uid-1" } }, env);
    expect(scope.holdStatus).toBe(true);
    expect(scope.requeueAfterMs).toBe(5000);
  });

  it("sends a new activation's children in one round trip, and an existing one's StatefulSet after the rest", async () => {
    // Each apply says when it started and when its answer came: "+Kind" and "-Kind".
    const order = (owned: { kind: string; object: KubeObject }[], workload?: KubeObject) => {
      const { env } = fakeEnv({ workload });
      const log: string[] = [];
      const traced: PhaseEnv = {
        ...env,
        owned: () => owned,
        apply: async (obj) => {
          log.push(`+${obj.kind}`);
          const answer = await env.apply(obj);
          await new Promise((r) => setImmediate(r));
          log.push(`-${obj.kind}`);
          return answer;
        },
      };
      return { traced, log };
    };
    const fresh = order([]);
    await reconcile(running("1.3.0"), fresh.traced);
    const starts = fresh.log.filter((e) => e.startsWith("+"));
    // Every create went out before the first answer came back, the StatefulSet's among them.
    expect(fresh.log.slice(0, starts.length)).toEqual(starts);
    expect(starts).toContain("+StatefulSet");
    expect(starts.length).toBeGreaterThan(2);

    const existing = order([{ kind: "StatefulSet", object: available13 }], available13);
    await reconcile(running("1.3.0"), existing.traced);
    // The StatefulSet is sent only once every other child was answered: its pods find them as applied.
    const workloadAt = existing.log.indexOf("+StatefulSet");
    expect(workloadAt).toBe(existing.log.length - 2);
    expect(existing.log.slice(0, workloadAt).filter((e) => e.startsWith("-")).length).toBe(starts.length - 1);
  });

  it("renders a new activation's children once when every create was answered as sent, again when one was not", async () => {
    const { env } = fakeEnv();
    const withGeneration = (o: KubeObject | undefined) =>
      o && ({ ...o, metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, generation: 3 } } as KubeObject);
    const block = withGeneration(env.block("bezwaar-intake"));
    const tenant = withGeneration(env.tenant("utrecht"));
    const run = async (asSent: boolean) => {
      // The cache: a create's answer is noted at once (get), the watch brings it to the index (owned).
      const cached = new Map<string, KubeObject>();
      let indexed: { kind: string; object: KubeObject }[] = [];
      const sent: string[] = [];
      const created: PhaseEnv = {
        ...env,
        block: () => block,
        tenant: () => tenant,
        child: (kind, namespace, name) => cached.get(`${kind}/${namespace}/${name}`),
        owned: () => indexed,
        inSync: new Map(),
        apply: async (obj) => {
          sent.push(obj.kind);
          const key = `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`;
          if (cached.has(key)) return { object: cached.get(key) as KubeObject, written: false };
          const answer = { ...obj, metadata: { ...obj.metadata, resourceVersion: "7", generation: 1 } } as KubeObject;
          cached.set(key, answer);
          return { object: answer, written: true, createdAsSent: asSent };
        },
      };
      const activation = running("1.3.0");
      await reconcile(activation, created);
      const once = sent.length;
      indexed = [...cached].map(([key, object]) => ({ kind: key.split("/")[0] ?? "", object }));
      const again = await reconcile(activation, created);
      expect(again.rendered?.version).toBe("1.3.0");
      return { once, after: sent.length };
    };
    const answeredAsSent = await run(true);
    expect(answeredAsSent.once).toBeGreaterThan(2);
    expect(answeredAsSent.after).toBe(answeredAsSent.once);
    // An answer that differs from what was sent (a value the API server rewrote): compared again.
    const rewritten = await run(false);
    expect(rewritten.after).toBe(2 * rewritten.once);
  });

  it("renders no child again while nothing it depends on changed since all were found as rendered", async () => {
    const { env } = fakeEnv({ workload: available13 });
    const withGeneration = (o: KubeObject | undefined) =>
      o && ({ ...o, metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, generation: 3 } } as KubeObject);
    const block = withGeneration(env.block("bezwaar-intake"));
    const tenant = withGeneration(env.tenant("utrecht"));
    let owned = [{ kind: "StatefulSet", object: available13 }];
    const sent: string[] = [];
    let writes = false;
    const memo: PhaseEnv = {
      ...env,
      block: () => block,
      tenant: () => tenant,
      owned: () => owned,
      inSync: new Map(),
      apply: async (obj) => {
        sent.push(obj.kind);
        return { object: obj, written: writes };
      },
    };
    const activation = running("1.3.0");
    // The first reconcile renders and compares; every child is as rendered, so nothing is written.
    await reconcile(activation, memo);
    const once = sent.length;
    expect(once).toBeGreaterThan(0);
    const again = await reconcile(activation, memo);
    expect(sent.length).toBe(once);
    expect(again.rendered?.version).toBe("1.3.0");
    expect(again.workload).toBe(available13);
    // A child changed (here: its labels): rendered and compared again.
    owned = [{ kind: "StatefulSet", object: { ...available13, metadata: { ...available13.metadata, labels: {} } } }];
    await reconcile(activation, memo);
    expect(sent.length).toBe(2 * once);
    // A reconcile that had to write records nothing: the next one compares again.
    owned = [{ kind: "StatefulSet", object: available13 }];
    writes = true;
    await reconcile(activation, memo);
    await reconcile(activation, memo);
    expect(sent.length).toBe(4 * once);
  });
});
