import { describe, expect, it } from "vitest";
import { zwolle } from "../../../../test/support/tenant-fixture.ts";
import { renderNetworkPolicies } from "./network-policies.ts";
import { DEFAULT_TENANT_RENDER_CONTEXT, type RenderedObject, type TenantRenderContext } from "./render.ts";

const tenant = zwolle;

interface Rule {
  to?: Record<string, unknown>[];
  from?: Record<string, unknown>[];
  ports?: { protocol?: string; port: number }[];
}
const specOf = (p: RenderedObject | undefined) =>
  p?.spec as { podSelector: object; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };

describe("renderNetworkPolicies", () => {
  it("denies first, then allows DNS, the namespace, logging and each egress entry, all for the whole namespace", () => {
    const policies = renderNetworkPolicies(
      tenant({ egress: [{ name: "bag", cidr: "192.0.2.10/32", ports: [{ port: 443, protocol: "TCP" }] }] }),
      DEFAULT_TENANT_RENDER_CONTEXT,
    );
    expect(policies.map((p) => p.metadata.name)).toEqual([
      "aihub-default-deny",
      "aihub-allow-dns",
      "aihub-allow-same-namespace",
      "aihub-allow-logging",
      "aihub-egress-bag",
    ]);
    for (const p of policies) {
      expect(specOf(p).podSelector).toEqual({});
      expect(p.metadata.namespace).toBe("zwolle");
    }
    expect(specOf(policies[0])).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it("names the protocol of every port and the types of every policy", () => {
    const policies = renderNetworkPolicies(
      tenant({
        egress: [
          {
            name: "syslog",
            cidr: "10.0.0.0/8",
            ports: [
              { port: 514, protocol: "UDP" },
              { port: 6514, protocol: "TCP" },
            ],
          },
        ],
      }),
      DEFAULT_TENANT_RENDER_CONTEXT,
    );
    const ports = policies
      .flatMap((p) => [...(specOf(p).egress ?? []), ...(specOf(p).ingress ?? [])])
      .flatMap((r) => r.ports ?? []);
    expect(ports.length).toBe(5);
    for (const port of ports) expect(["TCP", "UDP"]).toContain(port.protocol);
    for (const p of policies) expect(specOf(p).policyTypes.length).toBeGreaterThan(0);
    expect(specOf(policies[4]).egress).toEqual([
      {
        to: [{ ipBlock: { cidr: "10.0.0.0/8" } }],
        ports: [
          { protocol: "UDP", port: 514 },
          { protocol: "TCP", port: 6514 },
        ],
      },
    ]);
  });

  it("follows the context for DNS and logging, and writes an empty DNS pod selector as {}", () => {
    const ctx: TenantRenderContext = {
      ...DEFAULT_TENANT_RENDER_CONTEXT,
      dns: { namespace: "dns", podLabels: {} },
      logging: { namespace: "observability", port: 5170 },
    };
    const policies = renderNetworkPolicies(tenant(), ctx);
    expect(policies).toHaveLength(4);
    const [, dns, , logging] = policies;
    expect(specOf(dns).egress?.[0]?.to).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } }, podSelector: {} },
    ]);
    expect(specOf(logging).egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
        ports: [{ protocol: "TCP", port: 5170 }],
      },
    ]);
  });
});
