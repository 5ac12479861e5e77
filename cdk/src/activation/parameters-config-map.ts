// The block's parameters as a ConfigMap, and the checksum that restarts pods when they change.
import { createHash } from "node:crypto";
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import type { ActivationInput } from "./activation-input.ts";
import { metadata } from "./labels.ts";

export const parametersConfigMapName = (input: ActivationInput) => `${input.activation.name}-parameters`;

/** A stable hash of the parameters: the same values in any order give the same checksum. */
export function parametersChecksum(parameters: Record<string, string>): string {
  const sorted = Object.keys(parameters)
    .sort()
    .map((k) => [k, parameters[k]]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

export class ParametersConfigMap extends ApiObject {
  constructor(scope: Construct, input: ActivationInput) {
    super(scope, "parameters", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(input, parametersConfigMapName(input)),
      // An empty data map is dropped by the API server; leave it out instead.
      ...(Object.keys(input.parameters).length ? { data: input.parameters } : {}),
    });
  }
}
