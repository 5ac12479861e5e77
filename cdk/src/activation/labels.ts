// Labels on every object an activation renders. The selector labels never include the version,
// because a Deployment's selector is immutable and must survive updates.
import type { ActivationInput } from "./activation-input.ts";

export const BLOCK_LABEL = "aihub.gemeenten.nl/block";
export const VERSION_LABEL = "aihub.gemeenten.nl/block-version";
export const ACTIVATION_LABEL = "aihub.gemeenten.nl/activation";
export const TENANT_LABEL = "aihub.gemeenten.nl/tenant";
/** With MANAGED_BY, on everything the operator makes (activations' and tenants' children). */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "aihub-operator";
export const PARAMETERS_CHECKSUM = "aihub.gemeenten.nl/parameters-checksum";

export function selectorLabels(input: ActivationInput): Record<string, string> {
  return { [ACTIVATION_LABEL]: input.activation.name, [BLOCK_LABEL]: input.block.name };
}

export function activationLabels(input: ActivationInput): Record<string, string> {
  return {
    ...selectorLabels(input),
    [VERSION_LABEL]: input.version.version,
    [TENANT_LABEL]: input.tenant,
    "app.kubernetes.io/name": input.block.name,
    "app.kubernetes.io/instance": input.activation.name,
    "app.kubernetes.io/version": input.version.version,
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

/** The ownerReference that lets kube-controller-manager's garbage collector delete children with the activation. */
export function ownerReference(input: ActivationInput) {
  return {
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "BlockActivation",
    name: input.activation.name,
    uid: input.activation.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function metadata(input: ActivationInput, name: string) {
  return {
    name,
    namespace: input.activation.namespace,
    labels: activationLabels(input),
    ownerReferences: [ownerReference(input)],
  };
}
