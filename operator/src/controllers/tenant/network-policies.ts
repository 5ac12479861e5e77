// The tenant's network policies: deny everything in and out, then allow DNS, traffic within the
// namespace, the central logging collector and each approved egress destination. Every policy
// selects the whole namespace. Ports name their protocol and policies their types, although the
// API server would default both, because the controller compares what it renders with what it
// reads back, and the explicit form is also what a reviewer should see.
import type { MunicipalTenant } from "../../api/v1alpha1/index.ts";
import { tenantLabels, tenantName } from "./labels.ts";
import type { RenderedObject, TenantRenderContext } from "./render.ts";

/** The label the API server puts on every namespace, with the namespace's name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

type PolicyType = "Ingress" | "Egress";

interface Port {
  protocol: "TCP" | "UDP";
  port: number;
}

function policy(tenant: MunicipalTenant, name: string, spec: Record<string, unknown>): RenderedObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: tenantName(tenant), labels: tenantLabels(tenant) },
    // An empty podSelector selects every pod of the namespace; the API server keeps it as {}.
    spec: { podSelector: {}, ...spec },
  };
}

const namespaceNamed = (namespace: string) => ({ matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } });

/** A label selector; an empty one (all pods) is {}, since the API server drops an empty matchLabels. */
const podsLabelled = (labels: Record<string, string>) =>
  Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {};

export function renderNetworkPolicies(tenant: MunicipalTenant, ctx: TenantRenderContext): RenderedObject[] {
  const both: PolicyType[] = ["Ingress", "Egress"];
  const egressOnly: PolicyType[] = ["Egress"];
  const dnsPorts: Port[] = [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ];
  const sameNamespace = [{ podSelector: {} }];
  return [
    // No rules: selected pods may neither receive nor send anything not allowed below.
    policy(tenant, "aihub-default-deny", { policyTypes: both }),
    policy(tenant, "aihub-allow-dns", {
      policyTypes: egressOnly,
      egress: [
        {
          to: [{ namespaceSelector: namespaceNamed(ctx.dns.namespace), podSelector: podsLabelled(ctx.dns.podLabels) }],
          ports: dnsPorts,
        },
      ],
    }),
    policy(tenant, "aihub-allow-same-namespace", {
      policyTypes: both,
      ingress: [{ from: sameNamespace }],
      egress: [{ to: sameNamespace }],
    }),
    policy(tenant, "aihub-allow-logging", {
      policyTypes: egressOnly,
      egress: [
        {
          to: [{ namespaceSelector: namespaceNamed(ctx.logging.namespace) }],
          ports: [{ protocol: "TCP", port: ctx.logging.port } satisfies Port],
        },
      ],
    }),
    ...(tenant.spec.egress ?? []).map((destination) =>
      policy(tenant, `aihub-egress-${destination.name}`, {
        policyTypes: egressOnly,
        egress: [
          {
            to: [{ ipBlock: { cidr: destination.cidr } }],
            ports: destination.ports.map((p): Port => ({ protocol: p.protocol ?? "TCP", port: p.port })),
          },
        ],
      }),
    ),
  ];
}
