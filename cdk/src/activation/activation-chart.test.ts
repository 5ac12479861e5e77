import { describe, expect, it } from "vitest";
import { renderActivation } from "./activation-chart.ts";
import type { ActivationInput, ActivationRenderContext } from "./activation-input.ts";
import { parametersChecksum } from "./parameters-config-map.ts";

const ctx: ActivationRenderContext = {
  logSidecar: {
    image: `registry.gemeenten.nl/aihub/aihub-otelcol@sha256:${"c".repeat(64)}`,
  },
  gateway: { namespace: "aihub-gateway" },
  logging: { namespace: "aihub-logging", port: 24224 },
};

const input = (over: Partial<ActivationInput> = {}): ActivationInput => ({
  activation: { name: "bezwaar-intake", namespace: "utrecht", uid: "uid-1", replicas: 2 },
  block: { name: "bezwaar-intake", port: 8080, riskClass: "high" },
  version: { version: "1.4.0", image: `registry.gemeenten.nl/aihub/bezwaar-intake@sha256:${"a".repeat(64)}` },
  parameters: { caseSystemUrl: "https://zaken.utrecht.nl", responseDeadlineDays: "42" },
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  humanInTheLoop: { required: true, reviewerGroup: "gm0344-team-bezwaar" },
  egress: [{ cidr: "10.34.12.0/24", ports: [{ port: 443, protocol: "TCP" }] }],
  tenant: "utrecht",
  municipalityCode: "GM0344",
  processingActivities: {},
  ...over,
});

// biome-ignore lint/suspicious/noExplicitAny: the rendered JSON is read field by field in assertions
type Any = Record<string, any>;
const find = (objs: Any[], kind: string) => objs.find((o) => o.kind === kind) as Any;

describe("renderActivation", () => {
  const objs = renderActivation(input(), ctx) as Any[];
  const workload = find(objs, "StatefulSet");
  const pod = workload.spec.template.spec;

  it("renders a ConfigMap, StatefulSet, Service, NetworkPolicy and (with 2 replicas) a PodDisruptionBudget", () => {
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ConfigMap/bezwaar-intake-parameters",
      "ConfigMap/bezwaar-intake-logboek",
      "StatefulSet/bezwaar-intake",
      "Service/bezwaar-intake",
      "NetworkPolicy/bezwaar-intake",
      "PodDisruptionBudget/bezwaar-intake",
    ]);
    expect(
      renderActivation(input({ activation: { ...input().activation, replicas: 1 } }), ctx).map((o) => o.kind),
    ).not.toContain("PodDisruptionBudget");
  });

  it("bounds what a block can take from its node: sized scratch volumes, and a budget that never blocks a drain", () => {
    expect(workload.spec.template.spec.volumes).toEqual([
      { name: "logs", emptyDir: { sizeLimit: "1Gi" } },
      { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
      { name: "logboek-config", configMap: { name: "bezwaar-intake-logboek" } },
    ]);
    expect(find(objs, "PodDisruptionBudget").spec.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
  });

  it("gives each replica's sidecar a queue claim of 1 GiB that outlives the pod, kept when scaled down or deleted", () => {
    expect(workload.spec.volumeClaimTemplates).toEqual([
      {
        metadata: {
          name: "logboek-queue",
          labels: { "aihub.gemeenten.nl/activation": "bezwaar-intake", "aihub.gemeenten.nl/block": "bezwaar-intake" },
        },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
    ]);
    expect(workload.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenScaled: "Retain", whenDeleted: "Retain" });
    expect(pod.initContainers[0].volumeMounts).toContainEqual({
      name: "logboek-queue",
      mountPath: "/var/lib/aihub-otelcol",
    });
    expect(workload.spec).toMatchObject({ podManagementPolicy: "Parallel", serviceName: "bezwaar-intake" });
    // The claim template is the same for every version: a StatefulSet refuses to change it.
    const newer = find(
      renderActivation(input({ version: { version: "1.5.0", image: "x@sha256:b" } }), ctx) as Any[],
      "StatefulSet",
    );
    expect(newer.spec.volumeClaimTemplates).toEqual(workload.spec.volumeClaimTemplates);
    const classed = find(
      renderActivation(input(), {
        ...ctx,
        logSidecar: { ...ctx.logSidecar, queueStorageClass: "premium-rwo" },
      }) as Any[],
      "StatefulSet",
    );
    expect(classed.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("premium-rwo");
  });

  it("makes every object the activation's (ownerReference) in the tenant's namespace, labelled with tenant, block and version", () => {
    for (const o of objs) {
      expect(o.metadata.namespace).toBe("utrecht");
      expect(o.metadata.ownerReferences).toEqual([
        {
          apiVersion: "aihub.gemeenten.nl/v1alpha1",
          kind: "BlockActivation",
          name: "bezwaar-intake",
          uid: "uid-1",
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(o.metadata.labels).toMatchObject({
        "aihub.gemeenten.nl/tenant": "utrecht",
        "aihub.gemeenten.nl/block": "bezwaar-intake",
        "aihub.gemeenten.nl/block-version": "1.4.0",
      });
    }
  });

  it("runs the image by digest with a restricted security context and the logging sidecar as a native sidecar", () => {
    const [block] = pod.containers;
    expect(block.image).toMatch(/@sha256:[a-f0-9]{64}$/);
    for (const c of [...pod.containers, ...pod.initContainers]) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
    }
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.initContainers).toHaveLength(1);
    expect(pod.initContainers[0]).toMatchObject({
      name: "aihub-log-shipper",
      image: ctx.logSidecar.image,
      restartPolicy: "Always",
    });
    expect(pod.initContainers[0]).toMatchObject({
      args: ["--config=/etc/aihub-otelcol/config.yaml"],
      readinessProbe: { httpGet: { path: "/status", port: 13133 } },
    });
    expect(block.env).toContainEqual({ name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://127.0.0.1:4318" });
    expect(block.env).toContainEqual({ name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" });
    expect(block.resources).toEqual({
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
    expect(block.env).toContainEqual({ name: "AIHUB_HUMAN_REVIEW_REQUIRED", value: "true" });
  });

  it("keeps the selector free of the version, so that an update never changes it", () => {
    expect(workload.spec.selector.matchLabels).toEqual({
      "aihub.gemeenten.nl/activation": "bezwaar-intake",
      "aihub.gemeenten.nl/block": "bezwaar-intake",
    });
    const newer = find(
      renderActivation(input({ version: { version: "1.5.0", image: "x@sha256:b" } }), ctx) as Any[],
      "StatefulSet",
    );
    expect(newer.spec.selector).toEqual(workload.spec.selector);
  });

  it("restarts the pods when a parameter changes: the checksum annotation follows the parameters", () => {
    const annotation = (objs2: Any[]) =>
      find(objs2, "StatefulSet").spec.template.metadata.annotations["aihub.gemeenten.nl/parameters-checksum"];
    expect(annotation(objs)).toBe(parametersChecksum(input().parameters));
    const changed = renderActivation(
      input({ parameters: { ...input().parameters, responseDeadlineDays: "84" } }),
      ctx,
    ) as Any[];
    expect(annotation(changed)).not.toBe(annotation(objs));
    expect(find(changed, "ConfigMap").data.responseDeadlineDays).toBe("84");
    expect(parametersChecksum({ b: "1", a: "2" })).toBe(parametersChecksum({ a: "2", b: "1" }));
  });

  it("lets traffic in only from the gateway, and out only to the log sink and the tenant's systems", () => {
    const np = find(objs, "NetworkPolicy");
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "aihub-gateway" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
    expect(np.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "aihub-logging" } } }],
        ports: [{ protocol: "TCP", port: 24224 }],
      },
      { to: [{ ipBlock: { cidr: "10.34.12.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  it("lets the pods reach the municipality's Logboek, on its port only", () => {
    const logboek = {
      endpoint: "https://logboek.utrecht.nl:4317",
      cidr: "10.34.20.8/32",
      port: 4317,
      clientCertificateSecret: "aihub-logboek-client",
      logLines: "Drop" as const,
    };
    const np = find(renderActivation(input({ logboek }), ctx) as Any[], "NetworkPolicy");
    expect(np.spec.egress.at(-1)).toEqual({
      to: [{ ipBlock: { cidr: "10.34.20.8/32" } }],
      ports: [{ protocol: "TCP", port: 4317 }],
    });
  });

  it("configures the logging sidecar for this activation, and restarts the pods when that changes", () => {
    const logboek = {
      endpoint: "https://logboek.utrecht.nl:4317",
      cidr: "10.34.20.8/32",
      port: 4317,
      clientCertificateSecret: "aihub-logboek-client",
      logLines: "Drop" as const,
    };
    const activities = { "intake-analyse": "VWR-2024-017" };
    const rendered = renderActivation(input({ logboek, processingActivities: activities }), ctx) as Any[];
    const config =
      find(rendered, "ConfigMap").metadata.name === "bezwaar-intake-logboek"
        ? find(rendered, "ConfigMap")
        : rendered.find((o) => o.metadata.name === "bezwaar-intake-logboek");
    const yaml = String(config?.data["config.yaml"]);
    expect(yaml).toContain("logboek.utrecht.nl:4317");
    expect(yaml).toContain('intake-analyse: "VWR-2024-017"');
    expect(yaml).toContain("aihub.municipality.code");
    const withLogboek = find(rendered, "StatefulSet").spec.template.spec;
    // Only the sidecar mounts the client certificate.
    expect(withLogboek.volumes).toContainEqual({ name: "logboek-tls", secret: { secretName: "aihub-logboek-client" } });
    expect(withLogboek.initContainers[0].volumeMounts).toContainEqual({
      name: "logboek-tls",
      mountPath: "/etc/aihub-logboek-tls",
      readOnly: true,
    });
    expect(JSON.stringify(withLogboek.containers)).not.toContain("logboek-tls");
    expect(pod.volumes.map((v: Any) => v.name)).not.toContain("logboek-tls");
    const checksum = (objs2: Any[]) =>
      find(objs2, "StatefulSet").spec.template.metadata.annotations["aihub.gemeenten.nl/logboek-checksum"];
    expect(checksum(rendered)).not.toBe(checksum(objs));
    const remapped = renderActivation(
      input({ logboek, processingActivities: { "intake-analyse": "VWR-2024-018" } }),
      ctx,
    ) as Any[];
    expect(checksum(remapped)).not.toBe(checksum(rendered));
    // Log lines go to the Logboek only when the tenant forwards them.
    expect(yaml).not.toContain("file_log");
    const forwarded = renderActivation(
      input({ logboek: { ...logboek, logLines: "Forward" }, processingActivities: activities }),
      ctx,
    ) as Any[];
    const forwardedYaml = String(
      forwarded.find((o) => o.metadata.name === "bezwaar-intake-logboek")?.data["config.yaml"],
    );
    expect(forwardedYaml).toContain("file_log");
    expect(forwardedYaml).toContain('"logs/logboek"');
    expect(checksum(forwarded)).not.toBe(checksum(rendered));
  });

  it("is pure: rendering twice gives equal objects", () => {
    expect(renderActivation(input(), ctx)).toEqual(renderActivation(input(), ctx));
  });
});
