// Everything one BlockActivation runs as, as a cdk8s chart. Rendering is pure: the same input
// gives the same objects, which the controller applies by server-side apply.
import { App, Chart } from "cdk8s";
import type { ActivationInput, ActivationRenderContext } from "./activation-input.ts";
import { BlockDisruptionBudget } from "./disruption-budget.ts";
import { LogboekConfigMap, sidecarConfig } from "./logboek-config-map.ts";
import { BlockNetworkPolicy } from "./network-policy.ts";
import { ParametersConfigMap } from "./parameters-config-map.ts";
import { BlockService } from "./service.ts";
import { BlockWorkload } from "./workload.ts";

export type ActivationContext = ActivationRenderContext;

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export function renderActivation(input: ActivationInput, ctx: ActivationRenderContext): RenderedObject[] {
  const chart = new Chart(new App(), input.activation.name, { disableResourceNameHashes: true });
  new ParametersConfigMap(chart, input);
  const sidecar = sidecarConfig(input);
  new LogboekConfigMap(chart, input, sidecar);
  new BlockWorkload(chart, input, ctx, sidecar);
  new BlockService(chart, input);
  new BlockNetworkPolicy(chart, input, ctx);
  if (input.activation.replicas > 1) new BlockDisruptionBudget(chart, input);
  return chart.toJson() as RenderedObject[];
}

/** The kinds an activation may render, for the controller's watches: apiVersion, kind, plural. */
export const activationChildKinds = [
  { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" },
  { apiVersion: "apps/v1", kind: "StatefulSet", plural: "statefulsets" },
  { apiVersion: "v1", kind: "Service", plural: "services" },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", plural: "networkpolicies" },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets" },
] as const;

/** The kind of the block's workload, whose status says whether the block runs and is ready. */
export const WORKLOAD_KIND = "StatefulSet";

/**
 * Kinds that activations rendered before and no longer do: the operator still watches its own
 * and deletes them once what replaces them is applied (a Deployment, until the StatefulSet of
 * ADR 14 took its place).
 */
export const retiredActivationChildKinds = [
  { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments" },
] as const;
