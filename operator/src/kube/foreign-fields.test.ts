import { describe, expect, it } from "vitest";
import { foreignEntry, removeForeignFields } from "./foreign-fields.ts";
import type { KubeObject } from "./object.ts";

const OURS = "aihub-activation-controller";
const sidecar = { name: "aihub-log-shipper", image: "log@sha256:1", restartPolicy: "Always" };
const block = { name: "block", image: "block@sha256:2" };
const desired = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "bezwaar", namespace: "utrecht" },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: "bezwaar" } },
      spec: { initContainers: [sidecar], containers: [block] },
    },
  },
};

/** The live Deployment after `kubectl edit` by manager kubectl-edit, with `fields` as its managedFields entry. */
const live = (spec: Record<string, unknown>, fields: Record<string, unknown>, extra: object[] = []): KubeObject => ({
  ...desired,
  metadata: {
    ...desired.metadata,
    resourceVersion: "42",
    managedFields: [
      { manager: OURS, operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      { manager: "kubectl-edit", operation: "Update", fieldsV1: fields },
      ...extra,
    ],
  },
  spec,
});

describe("removeForeignFields", () => {
  it("removes a command added to the sidecar, nodeName, tolerations and shareProcessNamespace", () => {
    const spec = {
      replicas: 2,
      template: {
        metadata: { labels: { app: "bezwaar" } },
        spec: {
          initContainers: [{ ...sidecar, command: ["sh", "-c", "sleep infinity"] }],
          containers: [block],
          nodeName: "node-1",
          shareProcessNamespace: true,
          tolerations: [{ operator: "Exists" }],
        },
      },
    };
    const fields = {
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:initContainers": { 'k:{"name":"aihub-log-shipper"}': { "f:command": {} } },
            "f:nodeName": {},
            "f:shareProcessNamespace": {},
            "f:tolerations": {},
          },
        },
      },
    };
    expect(removeForeignFields(live(spec, fields), desired, [OURS])).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "42" },
      { op: "remove", path: "/spec/template/spec/initContainers/0/command" },
      { op: "remove", path: "/spec/template/spec/nodeName" },
      { op: "remove", path: "/spec/template/spec/shareProcessNamespace" },
      { op: "remove", path: "/spec/template/spec/tolerations" },
    ]);
  });

  it("removes a whole container someone added, and leaves what the operator renders to the forced apply", () => {
    const spy = { name: "spy", image: "spy:1" };
    const spec = {
      replicas: 5,
      template: {
        metadata: desired.spec.template.metadata,
        spec: { initContainers: [sidecar], containers: [block, spy] },
      },
    };
    const fields = {
      "f:spec": {
        "f:replicas": {},
        "f:template": {
          "f:spec": { "f:containers": { 'k:{"name":"spy"}': { ".": {}, "f:image": {}, "f:name": {} } } },
        },
      },
    };
    expect(removeForeignFields(live(spec, fields), desired, [OURS])).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "42" },
      { op: "remove", path: "/spec/template/spec/containers/1" },
    ]);
  });

  it("leaves metadata, status, other subresources, a rollout restart and its own manager alone", () => {
    const spec = {
      ...desired.spec,
      template: {
        ...desired.spec.template,
        metadata: { ...desired.spec.template.metadata, annotations: { "kubectl.kubernetes.io/restartedAt": "now" } },
      },
    };
    const restart = {
      "f:metadata": { "f:labels": { "f:team": {} } },
      "f:spec": {
        "f:template": { "f:metadata": { "f:annotations": { "f:kubectl.kubernetes.io/restartedAt": {} } } },
      },
    };
    const scale = {
      manager: "hpa",
      operation: "Update",
      subresource: "scale",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
    };
    const ownUpdate = { manager: OURS, operation: "Update", fieldsV1: { "f:spec": { "f:paused": {} } } };
    expect(removeForeignFields(live(spec, restart, [scale, ownUpdate]), desired, [OURS])).toEqual([]);
  });

  it("removes elements of a set and keys of a map that someone added", () => {
    const netpol = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "p" },
      spec: { policyTypes: ["Ingress"], podSelector: { matchLabels: { app: "a" } } },
    };
    const changed: KubeObject = {
      ...netpol,
      metadata: {
        name: "p",
        resourceVersion: "7",
        managedFields: [
          {
            manager: "kubectl-patch",
            operation: "Update",
            fieldsV1: {
              "f:spec": { "f:policyTypes": { 'v:"Egress"': {} }, "f:podSelector": { "f:matchLabels": { "f:x": {} } } },
            },
          },
        ],
      },
      spec: { policyTypes: ["Ingress", "Egress"], podSelector: { matchLabels: { app: "a", x: "y" } } },
    };
    expect(removeForeignFields(changed, netpol, [OURS]).map((o) => o.path)).toEqual([
      "/metadata/resourceVersion",
      "/spec/podSelector/matchLabels/x",
      "/spec/policyTypes/1",
    ]);
  });

  it("is empty without a live object or without others' changes", () => {
    expect(removeForeignFields(undefined, desired, [OURS])).toEqual([]);
    expect(removeForeignFields({ ...desired, metadata: { name: "x" } }, desired, [OURS])).toEqual([]);
  });
});

describe("foreignEntry", () => {
  it("keeps another manager's change outside metadata, on the object itself", () => {
    expect(foreignEntry({ manager: "kubectl-edit", fieldsV1: { "f:spec": {} } }, [OURS])).toBe(true);
    expect(foreignEntry({ manager: "kubectl-edit", fieldsV1: { "f:metadata": {} } }, [OURS])).toBe(false);
    expect(foreignEntry({ manager: OURS, fieldsV1: { "f:spec": {} } }, [OURS])).toBe(false);
    expect(foreignEntry({ manager: "kcm", subresource: "status", fieldsV1: { "f:status": {} } }, [OURS])).toBe(false);
  });
});
