import { describe, expect, it } from "vitest";
import { exampleActivation, exampleBlock } from "../../../../test/support/example-catalog.ts";
import { readManifests } from "../../../../test/support/manifests.ts";
import type { AIBuildingBlock, BlockActivation, MunicipalTenant } from "../../api/v1alpha1/index.ts";
import type { KubeObject } from "../../kube/object.ts";
import { validateActivation } from "../../webhook/validate-activation.ts";
import { checkParameters, loadReferences, type PhaseEnv, runPhases } from "./activation-phases.ts";
import { humanOversightRule, processingRule } from "./activation-rules.ts";
import { newActivationScope } from "./activation-scope.ts";
import { resolveVersion } from "./version-resolution.ts";

const tenants = readManifests("examples/tenants") as KubeObject[];

/** What the reconciler's phases report as ParametersValid for `activation` of `block`. */
async function reconcilerVerdict(activation: BlockActivation, block: AIBuildingBlock) {
  const scope = newActivationScope(activation as unknown as KubeObject, () => undefined);
  const env = {
    block: () => block as unknown as KubeObject,
    tenant: (namespace: string) => tenants.find((t) => t.metadata.name === namespace),
  } as Partial<PhaseEnv> as PhaseEnv;
  await runPhases([loadReferences], scope, env);
  // The version it would run (resolveTarget, without the fleet's gates): the processing rule's.
  const resolved = resolveVersion(activation, block);
  if (resolved.ok) scope.target = { version: resolved.version, image: resolved.image };
  await runPhases([checkParameters], scope, env);
  return scope.verdicts.parameters;
}

const tenantOf = (a: BlockActivation) =>
  tenants.find((t) => t.metadata.name === a.metadata.namespace) as unknown as MunicipalTenant | undefined;

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
    name: "a block that processes personal data, its activities unmapped",
    activation: withSpec(utrecht, { processingActivities: undefined }),
    block: exampleBlock("bezwaar-intake"),
    reason: "ProcessingActivityUnmapped",
  },
  {
    name: "one activity of two mapped",
    activation: withSpec(utrecht, {
      processingActivities: [{ activity: "intake-analyse", registerEntry: "VWR-2024-017" }],
    }),
    block: exampleBlock("bezwaar-intake"),
    reason: "ProcessingActivityUnmapped",
  },
  {
    name: "a mapping of an activity the version does not have",
    activation: withSpec(utrecht, {
      processingActivities: [
        ...(utrecht.spec.processingActivities ?? []),
        { activity: "intake-analysis", registerEntry: "VWR-2024-017" },
      ],
    }),
    block: exampleBlock("bezwaar-intake"),
    reason: "UnknownProcessingActivity",
  },
  {
    name: "a mapping to an entry the register does not have",
    activation: withSpec(utrecht, {
      processingActivities: [
        { activity: "intake-analyse", registerEntry: "VWR-2024-017" },
        { activity: "zaak-voorstel", registerEntry: "VWR-2099-001" },
      ],
    }),
    block: exampleBlock("bezwaar-intake"),
    reason: "UnknownRegisterEntry",
  },
  {
    name: "a municipality without a Logboek",
    activation: { ...utrecht, metadata: { ...utrecht.metadata, namespace: "amsterdam" } },
    block: exampleBlock("bezwaar-intake"),
    reason: "LogboekNotConfigured",
  },
  {
    name: "a limited-risk block needs no oversight",
    activation: exampleActivation("utrecht", "pseudonimisering"),
    block: exampleBlock("pseudonimisering"),
  },
];

describe("the webhook and the reconciler agree (one rule, two callers)", () => {
  it.each(cases)("$name", async ({ activation, block, reason }) => {
    const decision = validateActivation(activation, block, tenantOf(activation));
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

describe("processingRule", () => {
  const block = exampleBlock("bezwaar-intake");
  const utrechtTenant = tenantOf(utrecht);
  it("names the unmapped activities, what they do, and an example mapping", () => {
    expect(processingRule(block, "1.4.0", {}, utrechtTenant)).toEqual({
      ok: false,
      field: "spec.processingActivities",
      reason: "ProcessingActivityUnmapped",
      message: expect.stringMatching(
        /^block bezwaar-intake version 1\.4\.0 processes personal data in intake-analyse \(Reads the objection.*\), zaak-voorstel \(.*\): map each to an entry of the municipality's processing register, for example \{activity: intake-analyse, registerEntry: VWR-2024-017\}$/,
      ),
    });
  });

  it("says who sets a missing Logboek", () => {
    const amsterdam = tenants.find((t) => t.metadata.name === "amsterdam") as unknown as MunicipalTenant;
    expect(processingRule(block, "1.4.0", {}, amsterdam)).toMatchObject({
      reason: "LogboekNotConfigured",
      message: expect.stringContaining("the platform team sets spec.logboek of MunicipalTenant amsterdam"),
    });
  });

  it("asks nothing of a version without activities that process personal data", () => {
    const none = {
      ...block,
      spec: { ...block.spec, versions: block.spec.versions.map((v) => ({ ...v, processingActivities: undefined })) },
    };
    expect(processingRule(none, "1.4.0", {}, undefined)).toEqual({ ok: true });
    const notPersonal = {
      ...block,
      spec: {
        ...block.spec,
        versions: block.spec.versions.map((v) => ({
          ...v,
          processingActivities: [
            { id: "statistiek", description: "Counts objections per month.", personalData: false },
          ],
        })),
      },
    };
    expect(processingRule(notPersonal, "1.4.0", {}, undefined)).toEqual({ ok: true });
    expect(
      processingRule(
        notPersonal,
        "1.4.0",
        { processingActivities: [{ activity: "intake-analyse", registerEntry: "x" }] },
        undefined,
      ),
    ).toMatchObject({ reason: "UnknownProcessingActivity", message: expect.stringContaining("it has: statistiek") });
  });
});
