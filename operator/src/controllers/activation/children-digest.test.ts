import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/object.ts";
import { type ChildrenInputs, childrenDigest } from "./children-digest.ts";

const obj = (name: string, meta: Partial<KubeObject["metadata"]> = {}, rest: Record<string, unknown> = {}) =>
  ({ metadata: { name, uid: `uid-${name}`, generation: 1, resourceVersion: "10", ...meta }, ...rest }) as KubeObject;

type Inputs = Omit<ChildrenInputs, "children"> & { children: { kind: string; object: KubeObject }[] };

const base = (): Inputs => ({
  activation: obj("utrecht-bezwaar"),
  block: obj("bezwaar-intake"),
  tenant: obj("utrecht"),
  target: { version: "1.3.0", image: "registry.gemeenten.nl/bezwaar@sha256:aa" },
  stopped: false,
  children: [
    { kind: "StatefulSet", object: obj("bezwaar", { labels: { app: "bezwaar" } }, { status: { readyReplicas: 0 } }) },
    { kind: "ConfigMap", object: obj("bezwaar", { generation: undefined, resourceVersion: "11" }) },
  ],
});

const sts = (object: KubeObject) => ({ kind: "StatefulSet", object });
const configMap = (object: KubeObject) => ({ kind: "ConfigMap", object });

/** `base()` with one change applied. */
const changed = (change: (i: Inputs) => void) => {
  const i = base();
  change(i);
  return childrenDigest(i);
};

describe("childrenDigest", () => {
  it("is the same for the same inputs, whatever the order of the children", () => {
    const reordered = base();
    reordered.children = [...reordered.children].reverse();
    expect(childrenDigest(base())).toBeDefined();
    expect(childrenDigest(reordered)).toBe(childrenDigest(base()));
  });

  it("stays when only a StatefulSet's status moved (its resourceVersion, not its generation)", () => {
    const moved = changed((i) => {
      i.children[0] = {
        kind: "StatefulSet",
        object: obj("bezwaar", { labels: { app: "bezwaar" }, resourceVersion: "99" }, { status: { readyReplicas: 2 } }),
      };
    });
    expect(moved).toBe(childrenDigest(base()));
  });

  it("changes with every input the rendering or the apply depends on", () => {
    const digests = [
      changed((i) => (i.activation = obj("utrecht-bezwaar", { generation: 2 }))),
      changed((i) => (i.activation = obj("utrecht-bezwaar", { uid: "another" }))),
      changed((i) => (i.block = obj("bezwaar-intake", { generation: 2 }))),
      changed((i) => (i.tenant = obj("utrecht", { generation: 2 }))),
      changed((i) => (i.target = { ...i.target, version: "1.4.0" })),
      changed((i) => (i.target = { ...i.target, image: "registry.gemeenten.nl/bezwaar@sha256:bb" })),
      changed((i) => (i.stopped = true)),
      // A child's spec (generation), its labels, annotations, owners, others' fields, its absence.
      changed((i) => (i.children[0] = sts(obj("bezwaar", { labels: { app: "bezwaar" }, generation: 2 })))),
      changed((i) => (i.children[0] = sts(obj("bezwaar", { labels: {} })))),
      changed((i) => (i.children[0] = sts(obj("bezwaar", { labels: { app: "bezwaar" }, annotations: { a: "b" } })))),
      changed((i) => (i.children[0] = sts(obj("bezwaar", { labels: { app: "bezwaar" }, ownerReferences: [] })))),
      changed(
        (i) =>
          (i.children[0] = sts(
            obj("bezwaar", {
              labels: { app: "bezwaar" },
              managedFields: [{ manager: "kubectl-edit", fieldsV1: { "f:spec": {} } }],
            }),
          )),
      ),
      changed((i) => (i.children[0] = sts(obj("bezwaar", { labels: { app: "bezwaar" }, uid: "recreated" })))),
      changed((i) => i.children.pop()),
      changed((i) => i.children.push({ kind: "Service", object: obj("bezwaar", { generation: undefined }) })),
      // A ConfigMap has no generation: any change of it is a new resourceVersion.
      changed((i) => (i.children[1] = configMap(obj("bezwaar", { generation: undefined, resourceVersion: "12" })))),
    ];
    const unchanged = childrenDigest(base());
    for (const [n, d] of digests.entries()) expect(d, `change ${n}`).not.toBe(unchanged);
    expect(new Set(digests).size).toBe(digests.length);
  });

  it("is undefined when the activation, block or tenant has no generation to tell a change by", () => {
    expect(changed((i) => (i.activation = obj("utrecht-bezwaar", { generation: undefined })))).toBeUndefined();
    expect(changed((i) => (i.block = obj("bezwaar-intake", { generation: undefined })))).toBeUndefined();
    expect(changed((i) => (i.tenant = obj("utrecht", { generation: undefined })))).toBeUndefined();
  });
});
