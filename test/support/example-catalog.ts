// The example catalog and activations, parsed by the zod API (defaults applied), for unit tests.

import {
  type AIBuildingBlock,
  aiBuildingBlock,
  type BlockActivation,
  blockActivation,
} from "../../operator/src/api/v1alpha1/index.ts";
import { readManifests } from "./manifests.ts";

const blocks = new Map(
  readManifests("examples/catalog").map((o) => [o.metadata?.name ?? "", aiBuildingBlock.parse(o)] as const),
);
const activations = readManifests("examples/activations").map((o) => blockActivation.parse(o));

export function exampleBlock(name: string): AIBuildingBlock {
  const b = blocks.get(name);
  if (!b) throw new Error(`no example block ${name}`);
  return b;
}

export function exampleActivation(namespace: string, name: string): BlockActivation {
  const a = activations.find((x) => x.metadata.namespace === namespace && x.metadata.name === name);
  if (!a) throw new Error(`no example activation ${namespace}/${name}`);
  return a;
}

export const exampleActivations = (): BlockActivation[] => activations;
