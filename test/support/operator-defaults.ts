// The activation render context the tests run the operator with.
import type { ActivationRenderContext } from "../../cdk/src/activation/activation-input.ts";

export const DEFAULT_ACTIVATION_RENDER_CONTEXT: ActivationRenderContext = {
  logSidecar: {
    image: `registry.gemeenten.nl/aihub/aihub-otelcol@sha256:${"0".repeat(63)}1`,
  },
  gateway: { namespace: "aihub-gateway" },
  logging: { namespace: "aihub-logging", port: 24224 },
};
