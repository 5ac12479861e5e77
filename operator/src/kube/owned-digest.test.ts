import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { liveMatches, withAppliedHash } from "./apply.ts";
import type { KubeObject } from "./object.ts";
import {
  bodyMatches,
  canonicalJson,
  OWNED_ATOMICS,
  OWNED_DIGEST,
  projectFields,
  withOwnedDigest,
} from "./owned-digest.ts";
import { isSubset } from "./subset.ts";

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The field set (fieldsV1) that server-side apply records for an applied configuration: a map by
 * `f:` keys, a list of objects with a name by `k:` keys, anything else as a leaf.
 */
function fieldSetOf(value: Json): Record<string, Json> {
  if (Array.isArray(value) && value.every((e) => isObject(e) && typeof e.name === "string")) {
    return Object.fromEntries(
      value.map((e) => [`k:${JSON.stringify({ name: (e as { name: string }).name })}`, { ".": {}, ...fieldSetOf(e) }]),
    );
  }
  if (isObject(value) && Object.keys(value).length > 0) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldSetOf(v)]));
  }
  return {};
}

const desired = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "bezwaar-intake", namespace: "utrecht", labels: { "aihub.gemeenten.nl/activation": "x" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "bezwaar-intake" } },
    template: {
      metadata: { labels: { app: "bezwaar-intake" } },
      spec: {
        securityContext: {},
        containers: [
          { name: "block", image: "registry.example/block@sha256:1", args: ["--port", "8080"] },
          { name: "helper", image: "registry.example/helper@sha256:2" },
        ],
      },
    },
  },
});

/** `obj` as the API server returns it after an apply by `manager`: defaults, status, managedFields. */
function live(obj: KubeObject, manager = "aihub-activation"): KubeObject {
  const { apiVersion, kind, metadata, ...body } = structuredClone(obj) as Record<string, Json> & KubeObject;
  const applied = { "f:metadata": fieldSetOf(metadata), ...fieldSetOf(body) };
  const spec = body.spec as Record<string, Json> & { template?: { spec?: Record<string, Json> } };
  const pod = spec.template?.spec;
  if (pod) {
    spec.revisionHistoryLimit = 10;
    pod.dnsPolicy = "ClusterFirst";
    for (const c of pod.containers as Record<string, Json>[]) {
      c.terminationMessagePath = "/dev/termination-log";
      c.imagePullPolicy = "IfNotPresent";
    }
  }
  return {
    apiVersion,
    kind,
    metadata: {
      ...metadata,
      resourceVersion: "42",
      managedFields: [
        { manager, operation: "Apply", fieldsV1: applied },
        {
          manager: "kube-controller-manager",
          operation: "Update",
          subresource: "status",
          fieldsV1: { "f:status": {} },
        },
      ],
    },
    ...body,
    status: { replicas: 2, readyReplicas: 2 },
  };
}

const ours = ["aihub-activation"];
/** Whether `kept` (a cached object) says that `applied` is what its owner set. */
const sameBody = (applied: KubeObject, kept: KubeObject | undefined) =>
  kept !== undefined && bodyMatches(applied, kept, isSubset);

describe("withOwnedDigest", () => {
  it("keeps metadata without managedFields, the status and one digest, which equals the digest of what was applied", () => {
    const kept = withOwnedDigest(live(desired()), ours);
    expect(kept).toBeDefined();
    expect(Object.keys(kept ?? {}).sort()).toEqual(
      ["apiVersion", "kind", "metadata", OWNED_ATOMICS, OWNED_DIGEST, "status"].sort(),
    );
    // The atomic list, with what the server would add inside it, is kept as it is.
    expect(kept?.[OWNED_ATOMICS]).toEqual([
      [
        ["spec", "template", "spec", "containers", 0, "args"],
        ["--port", "8080"],
      ],
    ]);
    expect(kept?.metadata.managedFields).toBeUndefined();
    expect(kept?.metadata.resourceVersion).toBe("42");
    expect(kept?.status).toEqual({ replicas: 2, readyReplicas: 2 });
    expect(sameBody(desired(), kept)).toBe(true);
  });

  it("keeps what `retain` picks of the body beside the digest", () => {
    const kept = withOwnedDigest(live(desired()), ours, (o) => ({
      spec: { replicas: (o.spec as { replicas: number }).replicas },
    }));
    expect(kept?.spec).toEqual({ replicas: 2 });
    expect(sameBody(desired(), kept)).toBe(true);
  });

  it("sees drift: a value someone changed, a field someone removed, a field the rendering adds", () => {
    const changed = live(desired());
    (changed.spec as { replicas: number }).replicas = 5;
    expect(sameBody(desired(), withOwnedDigest(changed, ours))).toBe(false);

    // A field removed by someone else leaves the owner's field set too.
    const removed = desired();
    (removed.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers.pop();
    expect(sameBody(desired(), withOwnedDigest(live(removed), ours))).toBe(false);

    const more = desired();
    (more.spec as Record<string, unknown>).minReadySeconds = 5;
    expect(sameBody(more, withOwnedDigest(live(desired()), ours))).toBe(false);

    // An atomic value someone changed (its owner changes too, but the value alone must tell).
    const args = live(desired());
    const [block] = (args.spec as { template: { spec: { containers: { args?: string[] }[] } } }).template.spec
      .containers;
    if (block) block.args = ["x"];
    expect(sameBody(desired(), withOwnedDigest(args, ours))).toBe(false);
  });

  it("keeps the object whole when someone else set body fields, when it has no entry of ours or two, or an unknown key", () => {
    const foreign = live(desired());
    foreign.metadata.managedFields = [
      ...(foreign.metadata.managedFields as object[]),
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {} } } },
    ];
    expect(withOwnedDigest(foreign, ours)).toBeUndefined();

    const metadataOnly = live(desired());
    metadataOnly.metadata.managedFields = [
      ...(metadataOnly.metadata.managedFields as object[]),
      { manager: "kubectl-label", operation: "Update", fieldsV1: { "f:metadata": { "f:labels": { "f:x": {} } } } },
    ];
    expect(sameBody(desired(), withOwnedDigest(metadataOnly, ours))).toBe(true);

    expect(withOwnedDigest(live(desired(), "someone"), ours)).toBeUndefined();
    expect(withOwnedDigest({ ...desired(), metadata: { name: "x" } }, ours)).toBeUndefined();

    const twice = live(desired());
    const [entry] = twice.metadata.managedFields as object[];
    twice.metadata.managedFields = [entry, { ...entry, operation: "Update" }];
    expect(withOwnedDigest(twice, ours)).toBeUndefined();

    const indexed = live(desired());
    indexed.metadata.managedFields = [
      {
        manager: "aihub-activation",
        operation: "Apply",
        fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { "i:0": {} } } } } },
      },
    ];
    expect(withOwnedDigest(indexed, ours)).toBeUndefined();
  });

  it("lets the applier skip an unchanged child and apply a changed one", () => {
    const stamped = withAppliedHash(desired());
    const kept = withOwnedDigest(live(stamped), ours) as KubeObject;
    expect(liveMatches(stamped, kept)).toBe(true);
    const relabelled = withAppliedHash({ ...desired(), metadata: { ...desired().metadata, labels: { other: "y" } } });
    expect(liveMatches(relabelled, kept)).toBe(false);
    const more = desired();
    (more.spec as Record<string, unknown>).minReadySeconds = 5;
    expect(liveMatches(withAppliedHash(more), kept)).toBe(false);
  });
});

describe("projectFields", () => {
  it("keeps the owned fields of keyed list elements, in the live order, and leaves out the rest", () => {
    const fields = { 'k:{"name":"b"}': { ".": {}, "f:name": {}, "f:image": {} }, 'k:{"name":"a"}': { "f:name": {} } };
    const list = [
      { name: "a", image: "x", imagePullPolicy: "Always" },
      { name: "c", image: "z" },
      { name: "b", image: "y", imagePullPolicy: "Always" },
    ];
    expect(projectFields(list, fields)).toEqual([{ name: "a" }, { name: "b", image: "y" }]);
    expect(projectFields(["a", "b", "c"], { 'v:"c"': {}, 'v:"a"': {} })).toEqual(["a", "c"]);
  });

  it("puts a marker for an atomic list or map and collects its value with its path; a scalar or an empty one stays", () => {
    const atomics: unknown[] = [];
    const live = { args: ["a", "b"], sel: { x: "1" }, empty: {}, n: 1, list: [{ name: "c", vct: [{ k: 1 }] }] };
    const fields = {
      "f:args": {},
      "f:sel": {},
      "f:empty": {},
      "f:n": {},
      "f:list": { 'k:{"name":"c"}': { "f:vct": {} } },
    };
    expect(projectFields(live, fields, atomics as never)).toEqual({
      args: "<aihub-atomic>",
      sel: "<aihub-atomic>",
      empty: {},
      n: 1,
      list: [{ vct: "<aihub-atomic>" }],
    });
    expect(atomics).toEqual([
      [["args"], ["a", "b"]],
      [["sel"], { x: "1" }],
      [["list", 0, "vct"], [{ k: 1 }]],
    ]);
  });
});

describe("canonicalJson", () => {
  it("is the same for the same value in any key order, and differs for different values", () => {
    const arbitraryJson = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(arbitraryJson, (v) => {
        const reversed = (x: Json): Json =>
          Array.isArray(x)
            ? x.map(reversed)
            : isObject(x)
              ? Object.fromEntries(
                  Object.entries(x)
                    .reverse()
                    .map(([k, y]) => [k, reversed(y)]),
                )
              : x;
        expect(canonicalJson(reversed(v))).toBe(canonicalJson(v));
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});

describe("withOwnedDigest on random objects", () => {
  it("matches what was applied, whatever defaults the server adds beside it or inside an atomic value", () => {
    const key = fc.stringMatching(/^[a-z]{1,6}$/);
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean());
    const { tree } = fc.letrec((t) => ({
      tree: fc.dictionary(key, fc.oneof({ depthSize: "small" }, leaf, t("tree"), fc.array(leaf, { maxLength: 3 })), {
        maxKeys: 4,
      }),
    }));
    fc.assert(
      fc.property(tree, tree, (spec, defaults) => {
        const applied: KubeObject = { apiVersion: "v1", kind: "Thing", metadata: { name: "t" }, spec };
        const server = live(applied) as KubeObject & { spec: Record<string, unknown> };
        // Defaults under keys the apply did not set.
        for (const [k, v] of Object.entries(defaults)) if (!(k in server.spec)) server.spec[`d${k}`] = v;
        const kept = withOwnedDigest(server, ours);
        expect(sameBody(applied, kept)).toBe(true);
        // A scalar that the applier would change is seen.
        const leaf = Object.keys(spec).find((k) => typeof spec[k] !== "object");
        if (leaf) expect(sameBody({ ...applied, spec: { ...spec, [leaf]: [spec[leaf]] } }, kept)).toBe(false);
      }),
    );
  });
});
