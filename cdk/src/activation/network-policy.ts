// The block's own NetworkPolicy: in only from the platform's gateway, out only to the central
// log sink, the tenant's approved systems and the municipality's Logboek (on its port only). (The
// tenant's namespace policies already deny the rest; policies add up, so this one states what
// this block needs. A policy selects pods, not containers: the Logboek also asks for the client
// certificate that only the sidecar mounts.)
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import type { ActivationContext } from "./activation-chart.ts";
import type { ActivationInput } from "./activation-input.ts";
import { metadata, selectorLabels } from "./labels.ts";

const byName = (namespace: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
});

export class BlockNetworkPolicy extends ApiObject {
  constructor(scope: Construct, input: ActivationInput, ctx: ActivationContext) {
    super(scope, "network-policy", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata(input, input.activation.name),
      spec: {
        podSelector: { matchLabels: selectorLabels(input) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [byName(ctx.gateway.namespace)], ports: [{ protocol: "TCP", port: input.block.port }] }],
        egress: [
          { to: [byName(ctx.logging.namespace)], ports: [{ protocol: "TCP", port: ctx.logging.port }] },
          ...input.egress.map((e) => ({
            to: [{ ipBlock: { cidr: e.cidr } }],
            ports: e.ports.map((p) => ({ protocol: p.protocol, port: p.port })),
          })),
          ...(input.logboek
            ? [
                {
                  to: [{ ipBlock: { cidr: input.logboek.cidr } }],
                  ports: [{ protocol: "TCP", port: input.logboek.port }],
                },
              ]
            : []),
        ],
      },
    });
  }
}
