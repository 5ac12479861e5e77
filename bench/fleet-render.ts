// The fleet's children as aihub's own renderers make them (renderTenant, renderActivation), for
// the contenders that do not render themselves: the raw client creates them, and the
// controller-runtime peer (bench/peer) reads them from a children file and applies them. One
// renderer for all, so that the benchmark compares the machinery and not two renderers.
import { renderActivation } from "../cdk/src/activation/activation-chart.ts";
import { validateParameters } from "../operator/src/api/parameters.ts";
import {
  type AIBuildingBlock,
  blockActivation,
  type MunicipalTenant,
  municipalTenant,
} from "../operator/src/api/v1alpha1/index.ts";
import { activationInput } from "../operator/src/controllers/activation/activation-input.ts";
import { resolveVersion } from "../operator/src/controllers/activation/version-resolution.ts";
import { ACTIVATION_COUNT, QUOTA_NAME } from "../operator/src/controllers/tenant/quota.ts";
import { DEFAULT_TENANT_RENDER_CONTEXT, renderTenant } from "../operator/src/controllers/tenant/render.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import { DEFAULT_ACTIVATION_RENDER_CONTEXT } from "../test/support/operator-defaults.ts";
import { fleetActivations, fleetTenant } from "./fleet-spec.ts";

export type Rendered = KubeObject & { apiVersion: string; kind: string };

export interface RenderedFleet {
  tenants: { name: string; namespace: Rendered; objects: Rendered[] }[];
  activations: {
    namespace: string;
    name: string;
    objects: Rendered[];
    status: { currentVersion: string; image: string };
  }[];
}

/** The workload kinds whose availability makes an activation Ready. */
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet"]);

/** Without ownerReferences: the raw client has no owners, and the peer sets its own (with the live uid). */
const unowned = (o: Rendered): Rendered => {
  const { ownerReferences: _, ...metadata } = o.metadata;
  return { ...o, metadata };
};

/** Renders `tenants` municipalities and their five activations each. */
export function renderFleet(tenants: number, blocks: Map<string, AIBuildingBlock>): RenderedFleet {
  const out: RenderedFleet = { tenants: [], activations: [] };
  for (let i = 0; i < tenants; i++) {
    const tenant = municipalTenant.parse(fleetTenant(i)) as MunicipalTenant;
    const name = tenant.metadata.name ?? "";
    const rendered = renderTenant(tenant, DEFAULT_TENANT_RENDER_CONTEXT);
    out.tenants.push({
      name,
      namespace: rendered.namespace,
      objects: [...rendered.children, ...rendered.clusterChildren],
    });
    for (const a of fleetActivations(i)) {
      a.metadata.namespace = name;
      const activation = blockActivation.parse(a);
      const block = blocks.get(activation.spec.block) as AIBuildingBlock;
      const resolved = resolveVersion(activation, block);
      const params = validateParameters(block.spec.parameters ?? [], activation.spec.parameters, block.metadata.name);
      if (!resolved.ok || !params.ok) throw new Error(`fleet activation ${a.metadata.name} does not resolve`);
      const input = activationInput(activation, block, tenant, resolved, params.values);
      out.activations.push({
        namespace: name,
        name: activation.metadata.name ?? "",
        objects: renderActivation(input, DEFAULT_ACTIVATION_RENDER_CONTEXT).map((o) => unowned(o as Rendered)),
        status: { currentVersion: resolved.version, image: resolved.image },
      });
    }
  }
  return out;
}

/**
 * The peer's children file (bench/peer/children.go reads it): per tenant its namespace first and
 * the rest, and the quota whose counts make it Ready; per activation its children, its workload
 * and the status fields aihub writes beside the conditions once it runs.
 */
export function peerChildrenFile(fleet: RenderedFleet): unknown {
  const workloadOf = (a: RenderedFleet["activations"][number]) => {
    const w = a.objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
    if (w.length !== 1)
      throw new Error(`activation ${a.namespace}/${a.name} renders ${w.length} workloads, expected 1`);
    const [only] = w as [Rendered];
    return { apiVersion: only.apiVersion, kind: only.kind, name: only.metadata.name };
  };
  return {
    tenants: Object.fromEntries(
      fleet.tenants.map((t) => [
        t.name,
        { objects: [t.namespace, ...t.objects], quota: { name: QUOTA_NAME, seedKey: ACTIVATION_COUNT } },
      ]),
    ),
    activations: Object.fromEntries(
      fleet.activations.map((a) => [
        `${a.namespace}/${a.name}`,
        { objects: a.objects, workload: workloadOf(a), status: a.status },
      ]),
    ),
  };
}
