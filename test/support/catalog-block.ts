// An AIBuildingBlock for e2e tests that put blocks of their own in the catalog: of minimal risk,
// from a supplier in the EU, certified until 2030; the test gives its description and versions.

/** The block `name`; `spec` adds to the fields above (and may replace them). */
export function catalogBlock<S extends { description: string; versions: unknown[] }>(name: string, spec: S) {
  return {
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "AIBuildingBlock",
    metadata: { name },
    spec: {
      displayName: name,
      category: "other",
      supplier: { name: "Voorbeeld B.V.", country: "NL" },
      certification: { riskClass: "minimal", certifiedBy: "Loket", validUntil: "2030-12-31" },
      ...spec,
    },
  };
}
