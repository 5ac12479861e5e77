// The aihub.gemeenten.nl/v1alpha1 API.
import { aiBuildingBlockKind } from "./ai-building-block.ts";
import { blockActivationKind } from "./block-activation.ts";
import type { KindDefinition } from "./kind-definition.ts";
import { municipalTenantKind } from "./municipal-tenant.ts";

export * from "./ai-building-block.ts";
export * from "./block-activation.ts";
export * from "./common.ts";
export type { KindDefinition, PrinterColumn } from "./kind-definition.ts";
export * from "./municipal-tenant.ts";

export const kinds: readonly KindDefinition[] = [municipalTenantKind, aiBuildingBlockKind, blockActivationKind];
