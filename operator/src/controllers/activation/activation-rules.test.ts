import { describe, expect, it } from "vitest";
import { exampleActivation, exampleBlock } from "../../../../test/support/example-catalog.ts";
import { readManifests } from "../../../../test/support/manifests.ts";
import type { AIBuildingBlock, BlockActivation } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import { validateActivation } from "../../webhook/validate-activation.ts";
import { checkParameters, loadReferences, type PhaseEnv, runPhases } from "./activation-phases.ts";
import { humanOversightRule } from "./activation-rules.ts";
import { newActivationScope } from "./activation-scope.ts";

const tenants = readManifests("examples/tenants") as KubeObject[];

/** What the reconciler's phases report as ParametersValid for `activation` of `block`. */
async function reconcilerVerdict(activation: BlockActivation, block: AIBuildingBlock) {
  const scope = newActivationScope(activation as unknown as KubeObject, () => undefined);
  const env = {
    block: () => block as unknown as KubeObject,
    tenant: (namespace: string) => tenants.find((t) => t.metadata.name === namespace),
  } as Partial<PhaseEnv> as PhaseEnv;
  await runPhases([loadReferences, checkParameters], scope, env);
  return scope.verdicts.parameters;
}

const utrecht = exampleActivation("utrecht", "bezwaar-intake");
const withSpec = (a: BlockActivation, spec: Partial<BlockActivation["spec"]>): BlockActivation => ({
  ...a,
  spec: { ...a.spec, ...spec },
});

const cases: { name: string; activation: BlockActivation; block: AIBuildingBlock; reason?: string }[] = [
  { name: "a valid high-risk activation with oversight", activation: utrecht, block: exampleBlock("bezwaar-intake") },
  {
    name: "a high-risk block without human oversight",
    activation: withSpec(utrecht, { humanInTheLoop: undefined }),
    block: exampleBlock("bezwaar-intake"),
    reason: "HumanOversightRequired",
  },
  {
    name: "oversight switched off explicitly",
    activation: withSpec(utrecht, { humanInTheLoop: { required: false } }),
    block: exampleBlock("bezwaar-intake"),
    reason: "HumanOversightRequired",
  },
  {
    name: "a parameter out of range",
    activation: withSpec(utrecht, { parameters: { ...utrecht.spec.parameters, responseDeadlineDays: 100 } }),
    block: exampleBlock("bezwaar-intake"),
    reason: "InvalidParameters",
  },
  {
    name: "an unknown parameter and no oversight (the parameters come first)",
    activation: withSpec(utrecht, {
      parameters: { ...utrecht.spec.parameters, colour: "red" },
      humanInTheLoop: undefined,
    }),
    block: exampleBlock("bezwaar-intake"),
    reason: "InvalidParameters",
  },
  {
    name: "a limited-risk block needs no oversight",
    activation: exampleActivation("utrecht", "pseudonimisering"),
    block: exampleBlock("pseudonimisering"),
  },
];

describe("the webhook and the reconciler agree (one rule, two callers)", () => {
  it.each(cases)("$name", async ({ activation, block, reason }) => {
    const decision = validateActivation(activation, block);
    const verdict = await reconcilerVerdict(activation, block);
    expect(decision.allowed).toBe(verdict.status === "True");
    if (reason === undefined) {
      expect(verdict).toMatchObject({ status: "True", reason: "Valid" });
      return;
    }
    expect(verdict).toMatchObject({ status: "False", reason });
    // The webhook says what the condition says, with the field in front.
    expect(decision.allowed ? "" : decision.message).toContain(verdict.message);
  });

  it("reports every broken rule on admission, the first in the condition", async () => {
    const both = withSpec(utrecht, { parameters: { colour: "red" }, humanInTheLoop: undefined });
    const decision = validateActivation(both, exampleBlock("bezwaar-intake"));
    expect(decision.allowed ? "" : decision.message).toMatch(
      /^spec\.parameters: .*colour is not defined by block bezwaar-intake.*; spec\.humanInTheLoop\.required: block bezwaar-intake is high-risk/,
    );
  });
});

describe("humanOversightRule", () => {
  it("names the field, says why and what to set", () => {
    expect(humanOversightRule(exampleBlock("bezwaar-intake"), {})).toEqual({
      ok: false,
      field: "spec.humanInTheLoop.required",
      reason: "HumanOversightRequired",
      message:
        "block bezwaar-intake is high-risk under the AI Act, so a person must review its outcomes: " +
        "set spec.humanInTheLoop.required: true and spec.humanInTheLoop.reviewerGroup",
    });
    expect(
      humanOversightRule(exampleBlock("bezwaar-intake"), { humanInTheLoop: { required: true, reviewerGroup: "g" } }),
    ).toEqual({ ok: true });
  });
});
