// The Service in front of the block, reached by the platform's gateway only (see the NetworkPolicy).
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import type { ActivationInput } from "./activation-input.ts";
import { metadata, selectorLabels } from "./labels.ts";

export class BlockService extends ApiObject {
  constructor(scope: Construct, input: ActivationInput) {
    super(scope, "service", {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(input, input.activation.name),
      spec: {
        type: "ClusterIP",
        selector: selectorLabels(input),
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
      },
    });
  }
}
