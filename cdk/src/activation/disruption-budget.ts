// With more than one replica, voluntary disruptions (node drains) take at most one pod at a time.
// Pods that are not ready may always be evicted: a crash-looping block never blocks a drain.
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import type { ActivationInput } from "./activation-input.ts";
import { metadata, selectorLabels } from "./labels.ts";

export class BlockDisruptionBudget extends ApiObject {
  constructor(scope: Construct, input: ActivationInput) {
    super(scope, "disruption-budget", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: metadata(input, input.activation.name),
      spec: {
        maxUnavailable: 1,
        selector: { matchLabels: selectorLabels(input) },
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
    });
  }
}
