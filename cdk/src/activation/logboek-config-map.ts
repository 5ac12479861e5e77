// The logging sidecar's configuration as a ConfigMap (operator/src/logboek/collector-config.ts
// renders it), and its checksum, which restarts the pods when it changes: a new register entry
// or Logboek takes effect in every pod, as a parameter does.
import { createHash } from "node:crypto";
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import {
  DEFAULT_LOG_DIR,
  DEFAULT_PORTS,
  DEFAULT_STORAGE_DIR,
  DEFAULT_TLS_DIR,
  renderCollectorConfig,
  SIDECAR_CONFIG_KEY,
} from "../../../operator/src/logboek/collector-config.ts";
import type { ActivationInput } from "./activation-input.ts";
import { metadata } from "./labels.ts";

export const logboekConfigMapName = (input: ActivationInput) => `${input.activation.name}-logboek`;

/** The sidecar's configuration for this activation (YAML). */
export function sidecarConfig(input: ActivationInput): string {
  return renderCollectorConfig({
    resource: {
      municipalityCode: input.municipalityCode,
      tenant: input.tenant,
      block: input.block.name,
      version: input.version.version,
      activation: input.activation.name,
    },
    ...(input.logboek && { logboek: { endpoint: input.logboek.endpoint, tlsDir: DEFAULT_TLS_DIR } }),
    activities: input.processingActivities,
    activitiesWithoutPersonalData: input.activitiesWithoutPersonalData,
    forwardLogLines: input.logboek?.logLines === "Forward",
    storageDir: DEFAULT_STORAGE_DIR,
    logDir: DEFAULT_LOG_DIR,
    ports: { ...DEFAULT_PORTS },
  });
}

export const sidecarConfigChecksum = (config: string) => createHash("sha256").update(config).digest("hex");

export class LogboekConfigMap extends ApiObject {
  constructor(scope: Construct, input: ActivationInput, config: string) {
    super(scope, "logboek", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(input, logboekConfigMapName(input)),
      data: { [SIDECAR_CONFIG_KEY]: config },
    });
  }
}
