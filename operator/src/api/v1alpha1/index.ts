// The aihub.gemeenten.nl/v1alpha1 API.
import { aiBuildingBlockKind } from "./ai-building-block.ts";
import { blockActivationKind } from "./block-activation.ts";
import { blockRolloutKind } from "./block-rollout.ts";
import type { KindDefinition } from "./kind-definition.ts";
import { municipalTenantKind } from "./municipal-tenant.ts";
import { rolloutFreezeKind } from "./rollout-freeze.ts";

export * from "./ai-building-block.ts";
export * from "./block-activation.ts";
export * from "./block-rollout.ts";
export * from "./common.ts";
export type { KindDefinition, PrinterColumn } from "./kind-definition.ts";
export * from "./municipal-tenant.ts";
export * from "./rollout-freeze.ts";
export * from "./rollout-strategy.ts";

export const kinds: readonly KindDefinition[] = [
  municipalTenantKind,
  aiBuildingBlockKind,
  blockActivationKind,
  blockRolloutKind,
  rolloutFreezeKind,
];
