// Mijn gemeente: the municipality's tenant as the operator reports it (state and conditions),
// its quota used against its limits, the outbound connections its blocks may make, its rollout
// ring and its Logboek with the processing register.
import { type MunicipalTenant, municipalTenantSpec } from "../../../operator/src/api/v1alpha1/index.ts";
import { ACTIVATION_COUNT } from "../../../operator/src/controllers/tenant/quota.ts";
import { ApiError } from "../../../operator/src/kube/rest-client.ts";
import { GROUP_PATH } from "../../../plugin/src/api.ts";
import type { ResourceQuota } from "../../../plugin/src/views.ts";
import { html, type Markup } from "../html/markup.ts";
import type { Translate } from "../page-text.ts";
import type { PageHandler, SessionData } from "../portal.ts";
import type { Session } from "../session-store.ts";

export interface TenantPageView {
  name: string;
  displayName: string;
  municipalityCode: string;
  namespace: string;
  phase: string | null;
  ring: string;
  conditions: { type: string; status: string; reason: string; message: string }[];
  /**
   * The namespace's ResourceQuota, used against hard, when the person may read it; else the
   * tenant's quota with only the activations counted (tenant roles may not read quotas).
   */
  quota: { resource: string; used: string | null; hard: string }[];
  quotaReadable: boolean;
  egress: { name: string; description: string; cidr: string; ports: string }[];
  logboek: { endpoint: string; register: { id: string; name: string }[] } | null;
}

export function tenantPageView(
  tenant: MunicipalTenant,
  quota: ResourceQuota | null,
  activationCount: number,
): TenantPageView {
  const hard = quota?.status?.hard ?? {};
  const used = quota?.status?.used ?? {};
  const limits = municipalTenantSpec.safeParse(tenant.spec).data?.quota;
  const fromSpec = limits
    ? [
        { resource: "blockactivations", used: String(activationCount), hard: String(limits.activations) },
        { resource: "requests.cpu", used: null, hard: String(limits.cpu) },
        { resource: "requests.memory", used: null, hard: String(limits.memory) },
        { resource: "pods", used: null, hard: String(limits.pods) },
        { resource: "requests.storage", used: null, hard: String(limits.storage) },
      ]
    : [];
  const spec = tenant.spec as MunicipalTenant["spec"] & {
    egress?: { name: string; description?: string; cidr: string; ports?: { port: number; protocol?: string }[] }[];
    logboek?: { endpoint: string; processingRegister?: { id: string; name: string }[] };
  };
  return {
    name: tenant.metadata.name ?? "",
    displayName: spec.displayName,
    municipalityCode: spec.municipalityCode,
    namespace: tenant.status?.namespace ?? tenant.metadata.name ?? "",
    phase: tenant.status?.phase ?? null,
    ring: spec.rolloutRing ?? "general",
    conditions: (tenant.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
    })),
    quota: quota
      ? Object.keys(hard)
          .sort()
          .map((resource) => ({
            resource: resource === ACTIVATION_COUNT ? "blockactivations" : resource,
            used: used[resource] ?? "0",
            hard: hard[resource] ?? "",
          }))
      : fromSpec,
    quotaReadable: quota !== null,
    egress: (spec.egress ?? []).map((e) => ({
      name: e.name,
      description: e.description ?? "",
      cidr: e.cidr,
      ports: (e.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(", "),
    })),
    logboek: spec.logboek ? { endpoint: spec.logboek.endpoint, register: spec.logboek.processingRegister ?? [] } : null,
  };
}

const dl = (rows: [string, Markup | string][]) =>
  html`<dl class="utrecht-data-list">${rows.map(
    ([k, v]) =>
      html`<div class="utrecht-data-list__item"><dt class="utrecht-data-list__item-key">${k}</dt><dd class="utrecht-data-list__item-value">${v}</dd></div>`,
  )}</dl>`;

export function renderMijnGemeente(
  v: TenantPageView,
  t: Translate,
  others: readonly { name: string; displayName: string }[] = [],
): Markup {
  return html`<h1 class="utrecht-heading-1">${t("tenant.title")}: ${v.displayName}</h1>
${
  others.length
    ? html`<nav aria-label="${t("tenant.choose")}"><p class="utrecht-paragraph">${t("tenant.choose")}: ${others.map(
        (o, i) =>
          html`${i ? ", " : ""}<a class="utrecht-link" href="/mijn-gemeente?gemeente=${o.name}">${o.displayName}</a>`,
      )}</p></nav>`
    : ""
}
${dl([
  [t("tenant.code"), v.municipalityCode],
  [t("tenant.state"), html`<span data-testid="tenant-phase">${v.phase ?? "-"}</span>`],
  [t("tenant.ring"), v.ring],
  [t("tenant.namespace"), html`<code>${v.namespace}</code>`],
])}
<h2 class="utrecht-heading-2">${t("tenant.conditions")}</h2>
<table class="utrecht-table"><thead class="utrecht-table__header"><tr class="utrecht-table__row">
<th class="utrecht-table__header-cell" scope="col">${t("col.type")}</th><th class="utrecht-table__header-cell" scope="col">${t("col.status")}</th><th class="utrecht-table__header-cell" scope="col">${t("col.reason")}</th><th class="utrecht-table__header-cell" scope="col">${t("col.message")}</th></tr></thead>
<tbody class="utrecht-table__body">${v.conditions.map(
    (c) =>
      html`<tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="row">${c.type}</th><td class="utrecht-table__cell">${c.status}</td><td class="utrecht-table__cell">${c.reason}</td><td class="utrecht-table__cell">${c.message}</td></tr>`,
  )}</tbody></table>
<h2 class="utrecht-heading-2">${t("tenant.quota")}</h2>
${v.quotaReadable ? "" : html`<p class="utrecht-paragraph">${t("tenant.quota.unreadable")}</p>`}
${html`<table class="utrecht-table"><thead class="utrecht-table__header"><tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="col">${t("tenant.quota.resource")}</th><th class="utrecht-table__header-cell" scope="col">${t("tenant.quota.used")}</th><th class="utrecht-table__header-cell" scope="col">${t("tenant.quota.hard")}</th></tr></thead>
<tbody class="utrecht-table__body">${v.quota.map(
  (q) =>
    html`<tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="row"><code>${q.resource}</code></th><td class="utrecht-table__cell" data-testid="quota-used-${q.resource}">${q.used ?? "-"}</td><td class="utrecht-table__cell">${q.hard}</td></tr>`,
)}</tbody></table>`}
<h2 class="utrecht-heading-2">${t("tenant.egress")}</h2>
${
  v.egress.length === 0
    ? html`<p class="utrecht-paragraph">${t("tenant.egress.none")}</p>`
    : html`<table class="utrecht-table"><thead class="utrecht-table__header"><tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="col">${t("col.name")}</th><th class="utrecht-table__header-cell" scope="col">${t("col.description")}</th><th class="utrecht-table__header-cell" scope="col">${t("col.cidr")}</th><th class="utrecht-table__header-cell" scope="col">${t("col.ports")}</th></tr></thead>
<tbody class="utrecht-table__body">${v.egress.map(
        (e) =>
          html`<tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="row">${e.name}</th><td class="utrecht-table__cell">${e.description}</td><td class="utrecht-table__cell"><code>${e.cidr}</code></td><td class="utrecht-table__cell">${e.ports}</td></tr>`,
      )}</tbody></table>`
}
<h2 class="utrecht-heading-2">${t("tenant.logboek")}</h2>
${
  v.logboek
    ? html`${dl([[t("col.name"), html`<code>${v.logboek.endpoint}</code>`]])}
<h3 class="utrecht-heading-3">${t("tenant.register")}</h3>
<ul class="utrecht-unordered-list">${v.logboek.register.map((r) => html`<li>${r.id}: ${r.name}</li>`)}</ul>`
    : html`<p class="utrecht-paragraph">${t("tenant.logboek.none")}</p>`
}`;
}

/** Mijn gemeente, of ?gemeente= when the person belongs to several (links to the others). */
export const mijnGemeentePage: PageHandler = async (ctx, portal) => {
  const { tenant } = await portal.chosenTenant(ctx);
  const session = ctx.session as Session<SessionData>;
  const others = (await portal.myTenants(session))
    .map((m) => m.tenant)
    .filter((t) => t.metadata.name !== tenant.metadata.name)
    .map((t) => ({ name: t.metadata.name ?? "", displayName: t.spec.displayName }));
  const namespace = tenant.status?.namespace ?? tenant.metadata.name ?? "";
  const quotaPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/resourcequotas`;
  const quota = await session.data.api.get<ResourceQuota>(`${quotaPath}/aihub-quota`).catch((err: unknown) => {
    if (err instanceof ApiError && (err.code === 403 || err.code === 404)) return null;
    throw err;
  });
  const activations = await portal.list(
    session,
    `${GROUP_PATH}/namespaces/${encodeURIComponent(namespace)}/blockactivations`,
  );
  const view = tenantPageView(tenant, quota, activations.length);
  return {
    title: ctx.t("tenant.title"),
    main: renderMijnGemeente(view, ctx.t, others),
    live: [
      ["public", `${GROUP_PATH}/municipaltenants`],
      ["session", `${GROUP_PATH}/namespaces/${encodeURIComponent(namespace)}/blockactivations`],
      ...(quota ? [["session", quotaPath] as ["session", string]] : []),
    ],
  };
};
