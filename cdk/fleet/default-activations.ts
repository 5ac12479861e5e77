// The platform's default activations: what a municipality gets when the fleet CSV lists a block.
// The same settings for every municipality, so only blocks whose parameters need no local facts
// are here; a block that needs the municipality's own systems (bezwaar-intake's case-management
// URL, juridische-ondersteuning's source of local regulations) is activated by the municipality.
// Each follows the stable channel automatically, so fleet rollouts reach it ring by ring.
import { type BlockActivationSpec, BlockActivationSpecChannel } from "../src/imports/aihub.gemeenten.nl.ts";

export const DEFAULT_ACTIVATIONS: Readonly<Record<string, BlockActivationSpec>> = {
  transcriptie: {
    block: "transcriptie",
    channel: BlockActivationSpecChannel.STABLE,
    updatePolicy: "Automatic",
    parameters: { language: "nl" },
  },
  pseudonimisering: {
    block: "pseudonimisering",
    channel: BlockActivationSpecChannel.STABLE,
    updatePolicy: "Automatic",
    parameters: { strategy: "pseudonym" },
  },
  uitlegbaarheid: {
    block: "uitlegbaarheid",
    channel: BlockActivationSpecChannel.STABLE,
    updatePolicy: "Automatic",
    parameters: { audience: "resident", readingLevel: "B1" },
  },
};
