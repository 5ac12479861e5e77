import { describe, expect, it } from "vitest";
import type {
  AIBuildingBlock,
  BlockActivation,
  BlockRollout,
  MunicipalTenant,
} from "../../operator/src/api/v1alpha1/index.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { readManifests } from "../../test/support/manifests.ts";
import {
  blockViews,
  bounds,
  catalogTable,
  explainText,
  explainView,
  rolloutStatusText,
  rolloutViews,
  tenantsTable,
  tenantViews,
  updatesTable,
  updateViews,
} from "./views.ts";

const examples = readManifests("examples/catalog", "examples/tenants", "examples/activations") as KubeObject[];
const ofKind = <T>(kind: string) => examples.filter((o) => o.kind === kind) as unknown as T[];
const blocks = ofKind<AIBuildingBlock>("AIBuildingBlock");
const tenants = ofKind<MunicipalTenant>("MunicipalTenant");
const activations = ofKind<BlockActivation>("BlockActivation");
const block = (name: string) => blocks.find((b) => b.metadata.name === name) as AIBuildingBlock;

const ready = (status: string, reason: string) => ({
  type: "Ready",
  status: status as "True",
  reason,
  message: `${reason}.`,
  lastTransitionTime: "2026-11-01T10:00:00Z",
});

describe("tenants", () => {
  const withStatus = tenants.map((t) =>
    t.metadata.name === "utrecht"
      ? { ...t, status: { namespace: "utrecht", phase: "Ready" as const, conditions: [ready("True", "TenantReady")] } }
      : t,
  );
  const quota = {
    metadata: { name: "aihub-quota", namespace: "utrecht" },
    status: {
      hard: { "count/blockactivations.aihub.gemeenten.nl": "30" },
      used: { "count/blockactivations.aihub.gemeenten.nl": "2" },
    },
  };
  const views = tenantViews(withStatus, activations, [quota]);

  it("gives each municipality its code, ring, namespace, Ready with its reason, activations and quota", () => {
    expect(views.map((v) => v.name)).toEqual(["amsterdam", "steenwijkerland", "utrecht"]);
    expect(views[2]).toEqual({
      name: "utrecht",
      displayName: "Utrecht",
      municipalityCode: "GM0344",
      ring: "early",
      namespace: "utrecht",
      phase: "Ready",
      ready: { status: "True", reason: "TenantReady", message: "TenantReady." },
      activations: 2,
      activationQuota: { used: 2, hard: 30 },
    });
    expect(views[0]).toMatchObject({ namespace: null, ready: null, activations: 1, activationQuota: null });
  });

  it("prints them as a table", () => {
    const lines = tenantsTable(views).split("\n");
    expect(lines[0]).toMatch(/^NAME +MUNICIPALITY +CODE +RING +NAMESPACE +READY +REASON +ACTIVATIONS +QUOTA$/);
    expect(lines[3]).toMatch(/^utrecht +Utrecht +GM0344 +early +utrecht +True +TenantReady +2 +2\/30$/);
    expect(lines[1]).toMatch(/^amsterdam +Amsterdam +GM0363 +\S+ +- +- +- +1 +-$/);
  });
});

describe("updates", () => {
  const manual = activations.find((a) => a.metadata.name === "pseudonimisering") as BlockActivation;
  const waiting: BlockActivation = {
    ...manual,
    status: {
      currentVersion: "1.2.0",
      availableUpdate: {
        version: "1.3.0",
        releaseDate: "2026-09-22",
        releaseNotes: "IBANs and foreign phone numbers; 30% faster on long documents.",
        fleet: "healthy in 3 activation(s) of ring canary",
      },
    },
  };

  it("lists Manual activations with an available update, with the release notes", () => {
    const automatic = activations.find((a) => a.metadata.name === "bezwaar-intake") as BlockActivation;
    const withUpdate = { ...automatic, status: { availableUpdate: { version: "9.9.9" } } };
    const views = updateViews([withUpdate, manual, waiting]);
    expect(views).toEqual([
      {
        namespace: "utrecht",
        activation: "pseudonimisering",
        block: "pseudonimisering",
        channel: "stable",
        currentVersion: "1.2.0",
        approvedVersion: "1.2.0",
        version: "1.3.0",
        releaseDate: "2026-09-22",
        releaseNotes: "IBANs and foreign phone numbers; 30% faster on long documents.",
        fleet: "healthy in 3 activation(s) of ring canary",
      },
    ]);
    const text = updatesTable(views, true);
    expect(text).toMatch(/^NAMESPACE +ACTIVATION +BLOCK +RUNNING +APPROVED +UPDATE +RELEASED +FLEET\n/);
    expect(text).toMatch(/utrecht +pseudonimisering +pseudonimisering +1\.2\.0 +1\.2\.0 +1\.3\.0 +2026-09-22 +healthy/);
    expect(text).toContain("Release notes:\n  utrecht/pseudonimisering 1.3.0 (2026-09-22):\n    IBANs and foreign");
    expect(updatesTable(views, false)).toMatch(/^ACTIVATION +BLOCK/);
  });
});

describe("catalog", () => {
  it("shows supplier and country, risk, certification validity and the newest version per channel", () => {
    const views = blockViews(blocks, new Date("2026-12-01T12:00:00Z"));
    const intake = views.find((v) => v.name === "bezwaar-intake");
    expect(intake).toMatchObject({
      supplier: { country: "NL" },
      latestVersions: { stable: "1.4.0", candidate: "1.5.0-rc.1" },
      versions: ["1.3.0", "1.4.0", "1.5.0-rc.1"],
      certificationValid: true,
      certified: null,
      withdrawnVersions: [],
    });
    const text = catalogTable(views);
    expect(text.split("\n")[0]).toMatch(/^NAME +SUPPLIER +COUNTRY +RISK +CERTIFIED UNTIL +STABLE +CANDIDATE$/);
    expect(text).toMatch(/bezwaar-intake +.+ +NL +high +\d{4}-\d\d-\d\d +1\.4\.0 +1\.5\.0-rc\.1/);
  });

  it("prefers the operator's status, and marks an expired certification", () => {
    const b = block("pseudonimisering");
    const withStatus = {
      ...b,
      status: {
        latestVersions: { stable: "1.2.0" },
        withdrawnVersions: [{ version: "1.3.0", reason: "Aborted", message: "m" }],
      },
    };
    const [view] = blockViews([withStatus], new Date("2030-01-01T00:00:00Z"));
    expect(view).toMatchObject({
      latestVersions: { stable: "1.2.0", candidate: null },
      certificationValid: false,
      withdrawnVersions: ["1.3.0"],
    });
    expect(catalogTable(view ? [view] : [])).toContain("2027-06-30 (expired)");
  });

  it("takes the certification's last day in Europe/Amsterdam", () => {
    const b = {
      ...block("pseudonimisering"),
      spec: {
        ...block("pseudonimisering").spec,
        certification: { ...block("pseudonimisering").spec.certification, validUntil: "2026-06-30" },
      },
    };
    // 22:30 UTC on 30 June is already 1 July in Amsterdam.
    expect(blockViews([b], new Date("2026-06-30T21:30:00Z"))[0]?.certificationValid).toBe(true);
    expect(blockViews([b], new Date("2026-06-30T22:30:00Z"))[0]?.certificationValid).toBe(false);
  });
});

describe("explain-block", () => {
  it("gives parameters with types, bounds, required and defaults, and the newest version's activities", () => {
    const view = explainView(block("bezwaar-intake"));
    expect(view.version).toBe("1.4.0");
    const deadline = view.parameters.find((p) => p.name === "responseDeadlineDays");
    expect(deadline).toMatchObject({ type: "integer" });
    expect(deadline && bounds(deadline)).toMatch(/^\d+\.\.\d+$|^[<>]= \d+$/);
    expect(view.processingActivities.map((a) => a.id)).toContain("intake-analyse");
    const text = explainText(view);
    expect(text).toMatch(/^BLOCK: +bezwaar-intake \(/);
    expect(text).toMatch(/NAME +TYPE +REQUIRED +DEFAULT +BOUNDS +DESCRIPTION/);
    expect(text).toContain("PROCESSING ACTIVITIES OF VERSION 1.4.0:");
    expect(text).toMatch(/intake-analyse +yes +/);
  });

  it("shows enum values, lengths and the chosen version", () => {
    const p = explainView(block("pseudonimisering"), "1.2.0");
    expect(p.version).toBe("1.2.0");
    const strategy = p.parameters.find((x) => x.name === "strategy");
    expect(strategy).toEqual({
      name: "strategy",
      type: "enum",
      required: false,
      default: "pseudonym",
      minimum: null,
      maximum: null,
      maxLength: null,
      allowedValues: ["mask", "pseudonym", "generalise"],
      description: "How personal data is replaced.",
    });
    expect(strategy && bounds(strategy)).toBe("mask|pseudonym|generalise");
    expect(bounds({ ...(strategy as NonNullable<typeof strategy>), allowedValues: null, maxLength: 200 })).toBe(
      "max 200 chars",
    );
  });
});

describe("rollout status", () => {
  const rollout = (version: string, phase: string, extra: Partial<BlockRollout["status"]> = {}): BlockRollout => ({
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "BlockRollout",
    metadata: { name: `bezwaar-intake-${version}` },
    spec: {
      block: "bezwaar-intake",
      version,
      channel: "stable",
      strategy: { maxConcurrent: "10%", bakeTime: "15m", progressDeadline: "10m", maxFailures: "0" },
      paused: phase === "Paused",
      abort: false,
    },
    status: { phase: phase as "Progressing", ...extra },
  });

  it("lists rollouts newest first, with rings and failed activations of the active one", () => {
    const active = rollout("1.4.0", "Progressing", {
      currentRing: "early",
      updated: 3,
      total: 10,
      failed: 1,
      rings: [
        {
          name: "canary",
          total: 3,
          updated: 3,
          failed: 0,
          startedAt: "2026-11-30T10:00:00Z",
          completedAt: "2026-11-30T10:20:00Z",
          analysis: "Go",
        },
        { name: "early", total: 7, updated: 0, failed: 1, startedAt: "2026-11-30T10:21:00Z" },
      ],
      activations: [
        {
          activation: "utrecht/bezwaar-intake",
          ring: "early",
          state: "Failed",
          previousVersion: "1.3.0",
          movedAt: "2026-11-30T10:21:00Z",
          message: "not ready in 10m",
        },
        {
          activation: "ede/bezwaar-intake",
          ring: "canary",
          state: "Healthy",
          previousVersion: "1.3.0",
          movedAt: "2026-11-30T10:00:00Z",
        },
      ],
    });
    const views = rolloutViews([rollout("1.3.0", "Succeeded"), active]);
    expect(views.map((v) => [v.version, v.phase])).toEqual([
      ["1.4.0", "Progressing"],
      ["1.3.0", "Succeeded"],
    ]);
    expect(views[0]).toMatchObject({
      currentRing: "early",
      updated: 3,
      total: 10,
      activationStates: { Failed: 1, Healthy: 1 },
      failedActivations: [{ activation: "utrecht/bezwaar-intake", ring: "early", message: "not ready in 10m" }],
    });
    const text = rolloutStatusText("bezwaar-intake", views);
    expect(text).toMatch(/^ROLLOUT +VERSION +CHANNEL +PHASE +RING +UPDATED +FAILED +PAUSED +ABORT\n/);
    expect(text).toMatch(/bezwaar-intake-1\.4\.0 +1\.4\.0 +stable +Progressing +early +3\/10 +1 +false +false/);
    expect(text).toMatch(/canary +3 +3 +0 +2026-11-30T10:00:00Z +2026-11-30T10:20:00Z +Go/);
    expect(text).toContain("utrecht/bezwaar-intake (early): not ready in 10m");
    expect(rolloutStatusText("x", [])).toMatch(/^No rollouts of block x/);
  });
});
