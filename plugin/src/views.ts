// What each command shows, computed from the API's objects: pure functions, so that the shapes
// of -o json|yaml and the tables are tested without a cluster. Field names of the views are part
// of the plugin's interface: scripts read them.
import { compareSemver } from "../../operator/src/api/semver.ts";
import type {
  AIBuildingBlock,
  BlockActivation,
  BlockRollout,
  Condition,
  MunicipalTenant,
  ParameterDefinition,
} from "../../operator/src/api/v1alpha1/index.ts";
import { latestVersions } from "../../operator/src/controllers/catalog/catalog-status.ts";
import { ACTIVATION_COUNT } from "../../operator/src/controllers/tenant/quota.ts";
import { type Cell, indented, NONE, table } from "./format.ts";

export interface ResourceQuota {
  metadata: { name?: string; namespace?: string };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

const conditionOf = (conditions: readonly Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

const count = (q: string | undefined) => (q === undefined || !/^[0-9]+$/.test(q) ? null : Number(q));

// ---------------------------------------------------------------------------------------------
// tenants

export interface TenantView {
  name: string;
  displayName: string;
  municipalityCode: string;
  ring: string;
  namespace: string | null;
  phase: string | null;
  ready: { status: string; reason: string; message: string } | null;
  activations: number;
  /** From the namespace's ResourceQuota status; null when it has none (yet). */
  activationQuota: { used: number | null; hard: number | null } | null;
}

export function tenantViews(
  tenants: readonly MunicipalTenant[],
  activations: readonly BlockActivation[],
  quotas: readonly ResourceQuota[],
): TenantView[] {
  return [...tenants]
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .map((t) => {
      const name = t.metadata.name ?? "";
      const namespace = t.status?.namespace ?? null;
      const ns = namespace ?? name;
      const ready = conditionOf(t.status?.conditions, "Ready");
      const quota = quotas.find((q) => q.metadata.namespace === ns)?.status;
      const hard = count(quota?.hard?.[ACTIVATION_COUNT]);
      const used = count(quota?.used?.[ACTIVATION_COUNT]);
      return {
        name,
        displayName: t.spec.displayName,
        municipalityCode: t.spec.municipalityCode,
        ring: t.spec.rolloutRing ?? "general",
        namespace,
        phase: t.status?.phase ?? null,
        ready: ready ? { status: ready.status, reason: ready.reason, message: ready.message } : null,
        activations: activations.filter((a) => a.metadata.namespace === ns).length,
        activationQuota: hard === null && used === null ? null : { used, hard },
      };
    });
}

export function tenantsTable(views: readonly TenantView[]): string {
  return table(
    ["name", "municipality", "code", "ring", "namespace", "ready", "reason", "activations", "quota"],
    views.map((v) => [
      v.name,
      v.displayName,
      v.municipalityCode,
      v.ring,
      v.namespace,
      v.ready?.status,
      v.ready?.reason,
      v.activations,
      v.activationQuota ? `${v.activationQuota.used ?? "?"}/${v.activationQuota.hard ?? "?"}` : undefined,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// updates

export interface UpdateView {
  namespace: string;
  activation: string;
  block: string;
  channel: string;
  currentVersion: string | null;
  approvedVersion: string | null;
  version: string;
  releaseDate: string | null;
  releaseNotes: string | null;
  fleet: string | null;
}

/** Manual activations with a version that awaits approval, by namespace and name. */
export function updateViews(activations: readonly BlockActivation[]): UpdateView[] {
  return activations
    .filter((a) => a.spec.updatePolicy === "Manual" && a.status?.availableUpdate)
    .sort(
      (a, b) =>
        (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
        (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
    )
    .map((a) => {
      const u = a.status?.availableUpdate as NonNullable<NonNullable<BlockActivation["status"]>["availableUpdate"]>;
      return {
        namespace: a.metadata.namespace ?? "",
        activation: a.metadata.name ?? "",
        block: a.spec.block,
        channel: a.spec.channel ?? "stable",
        currentVersion: a.status?.currentVersion ?? null,
        approvedVersion: a.spec.approvedVersion ?? null,
        version: u.version,
        releaseDate: u.releaseDate ?? null,
        releaseNotes: u.releaseNotes ?? null,
        fleet: u.fleet ?? null,
      };
    });
}

export function updatesTable(views: readonly UpdateView[], withNamespace: boolean): string {
  const headers = ["activation", "block", "running", "approved", "update", "released", "fleet"];
  const rows = views.map((v): Cell[] => [
    v.activation,
    v.block,
    v.currentVersion,
    v.approvedVersion,
    v.version,
    v.releaseDate,
    v.fleet,
  ]);
  const out = withNamespace
    ? table(
        ["namespace", ...headers],
        rows.map((r, i) => [views[i]?.namespace, ...r]),
      )
    : table(headers, rows);
  const notes = views
    .map(
      (v) =>
        `  ${v.namespace}/${v.activation} ${v.version}${v.releaseDate ? ` (${v.releaseDate})` : ""}:\n${indented(v.releaseNotes ?? "(no release notes)")}`,
    )
    .join("");
  return `${out}\nRelease notes:\n${notes}`;
}

// ---------------------------------------------------------------------------------------------
// catalog

export interface BlockView {
  name: string;
  displayName: string;
  category: string;
  supplier: { name: string; country: string };
  riskClass: string;
  dpiaReference: string | null;
  certifiedBy: string;
  certifiedUntil: string;
  /** Whether today (Europe/Amsterdam) is on or before certifiedUntil. */
  certificationValid: boolean;
  /** The Certified condition's status, as the operator judged it; null without one. */
  certified: string | null;
  latestVersions: { stable: string | null; candidate: string | null };
  versions: string[];
  withdrawnVersions: string[];
}

/** Today's date in Europe/Amsterdam, YYYY-MM-DD: certification dates are Dutch calendar days. */
export const amsterdamDate = (now: Date) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam" }).format(now);

/** The newest version per channel: the operator's status, else computed from the spec as the operator does. */
export function newestVersions(block: AIBuildingBlock): { stable: string | null; candidate: string | null } {
  const latest = block.status?.latestVersions ?? latestVersions(block);
  return { stable: latest?.stable ?? null, candidate: latest?.candidate ?? null };
}

export function blockViews(blocks: readonly AIBuildingBlock[], now: Date): BlockView[] {
  const today = amsterdamDate(now);
  return [...blocks]
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .map((b) => ({
      name: b.metadata.name ?? "",
      displayName: b.spec.displayName,
      category: b.spec.category,
      supplier: { name: b.spec.supplier.name, country: b.spec.supplier.country },
      riskClass: b.spec.certification.riskClass,
      dpiaReference: b.spec.certification.dpiaReference ?? null,
      certifiedBy: b.spec.certification.certifiedBy,
      certifiedUntil: b.spec.certification.validUntil,
      certificationValid: today <= b.spec.certification.validUntil,
      certified: conditionOf(b.status?.conditions, "Certified")?.status ?? null,
      latestVersions: newestVersions(b),
      versions: b.spec.versions.map((v) => v.version).sort(compareSemver),
      withdrawnVersions: (b.status?.withdrawnVersions ?? []).map((w) => w.version),
    }));
}

export function catalogTable(views: readonly BlockView[]): string {
  return table(
    ["name", "supplier", "country", "risk", "certified until", "stable", "candidate"],
    views.map((v) => [
      v.name,
      v.supplier.name,
      v.supplier.country,
      v.riskClass,
      `${v.certifiedUntil}${v.certificationValid ? "" : " (expired)"}`,
      v.latestVersions.stable,
      v.latestVersions.candidate === v.latestVersions.stable ? undefined : v.latestVersions.candidate,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// explain-block

export interface ParameterView {
  name: string;
  type: string;
  required: boolean;
  default: string | number | boolean | null;
  minimum: number | null;
  maximum: number | null;
  maxLength: number | null;
  allowedValues: string[] | null;
  description: string;
}

export interface ExplainView {
  name: string;
  displayName: string;
  description: string;
  category: string;
  riskClass: string;
  /** The version whose processing activities are shown: --version, else the newest stable (else candidate). */
  version: string | null;
  parameters: ParameterView[];
  processingActivities: { id: string; personalData: boolean; description: string }[];
}

export function explainView(block: AIBuildingBlock, version?: string): ExplainView {
  const newest = newestVersions(block);
  const chosen = version ?? newest.stable ?? newest.candidate;
  const entry = block.spec.versions.find((v) => v.version === chosen);
  return {
    name: block.metadata.name ?? "",
    displayName: block.spec.displayName,
    description: block.spec.description,
    category: block.spec.category,
    riskClass: block.spec.certification.riskClass,
    version: entry?.version ?? null,
    parameters: (block.spec.parameters ?? []).map((p: ParameterDefinition) => ({
      name: p.name,
      type: p.type,
      required: p.required ?? false,
      default: p.default ?? null,
      minimum: p.minimum ?? null,
      maximum: p.maximum ?? null,
      maxLength: p.maxLength ?? null,
      allowedValues: p.allowedValues ?? null,
      description: p.description,
    })),
    processingActivities: (entry?.processingActivities ?? []).map((a) => ({
      id: a.id,
      personalData: a.personalData ?? true,
      description: a.description,
    })),
  };
}

/** A parameter's bounds in a few characters: 1..365, >= 0, max 200 chars, a|b|c. */
export function bounds(p: ParameterView): string | undefined {
  if (p.allowedValues) return p.allowedValues.join("|");
  if (p.minimum !== null && p.maximum !== null) return `${p.minimum}..${p.maximum}`;
  if (p.minimum !== null) return `>= ${p.minimum}`;
  if (p.maximum !== null) return `<= ${p.maximum}`;
  if (p.maxLength !== null) return `max ${p.maxLength} chars`;
  return undefined;
}

export function explainText(v: ExplainView): string {
  const params = v.parameters.length
    ? table(
        ["name", "type", "required", "default", "bounds", "description"],
        v.parameters.map((p) => [p.name, p.type, p.required ? "yes" : "no", p.default, bounds(p), p.description]),
      )
    : "  (none: the collective fixes everything)\n";
  const activities =
    v.version === null
      ? "  (no published version)\n"
      : v.processingActivities.length
        ? table(
            ["id", "personal data", "description"],
            v.processingActivities.map((a) => [a.id, a.personalData ? "yes" : "no", a.description]),
          )
        : "  (none declared)\n";
  return [
    `BLOCK:       ${v.name} (${v.displayName})\n`,
    `CATEGORY:    ${v.category}\n`,
    `RISK CLASS:  ${v.riskClass}\n`,
    `DESCRIPTION:\n${indented(v.description)}`,
    `\nPARAMETERS:\n${params}`,
    `\nPROCESSING ACTIVITIES OF VERSION ${v.version ?? NONE}:\n${activities}`,
  ].join("");
}

// ---------------------------------------------------------------------------------------------
// rollout status

export const FINISHED_PHASES: ReadonlySet<string> = new Set(["Succeeded", "RolledBack", "Superseded"]);

export interface RolloutView {
  name: string;
  block: string;
  version: string;
  channel: string;
  phase: string | null;
  paused: boolean;
  abort: boolean;
  currentRing: string | null;
  updated: number;
  total: number;
  failed: number;
  message: string | null;
  rings: {
    name: string;
    total: number;
    updated: number;
    failed: number;
    startedAt: string | null;
    completedAt: string | null;
    analysis: string | null;
  }[];
  /** Activations moved by the rollout, by state (Updating, Baking, Healthy, Failed, RollingBack, RolledBack). */
  activationStates: Record<string, number>;
  failedActivations: { activation: string; ring: string; message: string | null }[];
}

/** Whether the rollout may still move activations (not Succeeded, RolledBack or Superseded). */
export const isActive = (r: BlockRollout) => !FINISHED_PHASES.has(r.status?.phase ?? "");

/** The block's rollouts, newest version first. */
export function rolloutViews(rollouts: readonly BlockRollout[]): RolloutView[] {
  return [...rollouts]
    .sort((a, b) => compareSemver(b.spec.version, a.spec.version))
    .map((r) => {
      const s = r.status;
      const states: Record<string, number> = {};
      for (const a of s?.activations ?? []) states[a.state] = (states[a.state] ?? 0) + 1;
      const message =
        conditionOf(s?.conditions, "Progressing")?.message ?? conditionOf(s?.conditions, "Ready")?.message ?? null;
      return {
        name: r.metadata.name ?? "",
        block: r.spec.block,
        version: r.spec.version,
        channel: r.spec.channel,
        phase: s?.phase ?? null,
        paused: r.spec.paused ?? false,
        abort: r.spec.abort ?? false,
        currentRing: s?.currentRing ?? null,
        updated: s?.updated ?? 0,
        total: s?.total ?? 0,
        failed: s?.failed ?? 0,
        message: message || null,
        rings: (s?.rings ?? []).map((g) => ({
          name: g.name,
          total: g.total,
          updated: g.updated,
          failed: g.failed,
          startedAt: g.startedAt ?? null,
          completedAt: g.completedAt ?? null,
          analysis: g.analysis ?? null,
        })),
        activationStates: states,
        failedActivations: (s?.activations ?? [])
          .filter((a) => a.state === "Failed" || a.state === "RollingBack" || a.state === "RolledBack")
          .map((a) => ({ activation: a.activation, ring: a.ring, message: a.message ?? null })),
      };
    });
}

export function rolloutStatusText(block: string, views: readonly RolloutView[]): string {
  if (views.length === 0)
    return `No rollouts of block ${block}: no version was published since the operator started rolling out.\n`;
  const summary = table(
    ["rollout", "version", "channel", "phase", "ring", "updated", "failed", "paused", "abort"],
    views.map((v) => [
      v.name,
      v.version,
      v.channel,
      v.phase,
      v.currentRing,
      `${v.updated}/${v.total}`,
      v.failed,
      v.paused,
      v.abort,
    ]),
  );
  const detailed = views.filter((v) => !FINISHED_PHASES.has(v.phase ?? ""));
  const details = (detailed.length ? detailed : views.slice(0, 1)).map((v) => {
    const rings = v.rings.length
      ? table(
          ["ring", "total", "updated", "failed", "started", "completed", "analysis"],
          v.rings.map((g) => [g.name, g.total, g.updated, g.failed, g.startedAt, g.completedAt, g.analysis]),
        )
      : "  (no ring started yet)\n";
    const failed = v.failedActivations.length
      ? `Failed or rolled back:\n${v.failedActivations.map((f) => `  ${f.activation} (${f.ring})${f.message ? `: ${f.message}` : ""}\n`).join("")}`
      : "";
    return `\n${v.name} (${v.phase ?? "not yet started"})${v.message ? `: ${v.message}` : ""}\n${rings}${failed}`;
  });
  return summary + details.join("");
}
