// Transparantie, public and without sign-in: which blocks each municipality uses, with their
// purpose and risk class, and a download of a municipality's entries in the Algoritmeregister
// publication standard (algoritmeregister.ts). Read with the portal's narrow public identity
// (get/list/watch of tenants, activations and catalog entries), and only public fields are
// shown: no parameters, egress, people or quotas.
import type { AIBuildingBlock, BlockActivation, MunicipalTenant } from "../../../operator/src/api/v1alpha1/index.ts";
import { tenantName } from "../../../operator/src/controllers/tenant/labels.ts";
import { GROUP_PATH } from "../../../plugin/src/api.ts";
import { algoritmeregisterFileName, algoritmeregisterJson } from "../algoritmeregister.ts";
import { html, type Markup } from "../html/markup.ts";
import { notification } from "../html/notification.ts";
import { riskBadge } from "../html/status-badge.ts";
import { table } from "../html/table.ts";
import type { Lang, Translate } from "../page-text.ts";
import { HttpError, type PageHandler } from "../portal.ts";

export interface PublicTenantView {
  name: string;
  displayName: string;
  municipalityCode: string;
  blocks: { block: string; displayName: string; purpose: string; category: string; riskClass: string }[];
}

/** The public view: per tenant, the blocks its activations use. Nothing else of either is kept. */
export function publicTenantViews(
  tenants: readonly MunicipalTenant[],
  activations: readonly BlockActivation[],
  blocks: readonly AIBuildingBlock[],
): PublicTenantView[] {
  return [...tenants]
    .sort((a, b) => a.spec.displayName.localeCompare(b.spec.displayName, "nl"))
    .map((t) => {
      const ns = tenantName(t);
      const used = [...new Set(activations.filter((a) => a.metadata.namespace === ns).map((a) => a.spec.block))].sort();
      return {
        name: t.metadata.name ?? "",
        displayName: t.spec.displayName,
        municipalityCode: t.spec.municipalityCode,
        blocks: used.map((name) => {
          const b = blocks.find((x) => x.metadata.name === name);
          return {
            block: name,
            displayName: b?.spec.displayName ?? name,
            purpose: b?.spec.description ?? "",
            category: b?.spec.category ?? "",
            riskClass: b?.spec.certification.riskClass ?? "",
          };
        }),
      };
    });
}

export function renderTransparantie(views: readonly PublicTenantView[], t: Translate, lang: Lang): Markup {
  return html`<h1 class="utrecht-heading-1">${t("transparency.title")}</h1>
<p class="utrecht-paragraph">${t("transparency.intro")}</p>
${views.map((v) => {
  const id = `gemeente-${v.name}`;
  return html`<section class="portal-stack" aria-labelledby="${id}">
<h2 class="utrecht-heading-2" id="${id}">${v.displayName} (${v.municipalityCode})</h2>
${table({
  caption: t("transparency.blocks", { tenant: v.displayName }),
  columns: [{ header: t("col.block") }, { header: t("col.purpose") }, { header: t("col.risk") }],
  rows: v.blocks.map((b) => [b.displayName, b.purpose, riskBadge(b.riskClass, lang)]),
  empty: t("transparency.none", { tenant: v.displayName }),
})}
<p class="utrecht-paragraph"><a class="utrecht-link" href="/transparantie/${v.name}/algoritmeregister.json" download>${t("transparency.download", { tenant: v.displayName })}</a></p>
</section>`;
})}`;
}

async function publicData(portal: Parameters<PageHandler>[1]) {
  const api = portal.options.publicApi;
  if (!api) return undefined;
  const [tenants, activations, blocks] = await Promise.all([
    api.list<MunicipalTenant>(`${GROUP_PATH}/municipaltenants`),
    api.list<BlockActivation>(`${GROUP_PATH}/blockactivations`),
    api.list<AIBuildingBlock>(`${GROUP_PATH}/aibuildingblocks`),
  ]);
  return { tenants, activations, blocks };
}

export const transparantiePage: PageHandler = async (ctx, portal) => {
  const data = await publicData(portal);
  if (!data)
    return {
      title: ctx.t("transparency.title"),
      status: 503,
      main: html`<h1 class="utrecht-heading-1">${ctx.t("transparency.title")}</h1>${notification({ type: "warning", body: ctx.t("transparency.unconfigured") })}`,
    };
  return {
    title: ctx.t("transparency.title"),
    main: renderTransparantie(publicTenantViews(data.tenants, data.activations, data.blocks), ctx.t, ctx.lang),
    live: [
      ["public", `${GROUP_PATH}/municipaltenants`],
      ["public", `${GROUP_PATH}/blockactivations`],
    ],
  };
};

export const algoritmeregisterDownload: PageHandler = async (ctx, portal) => {
  const data = await publicData(portal);
  const tenant = data?.tenants.find((t) => t.metadata.name === ctx.params.tenant);
  if (!data || !tenant) throw new HttpError(404, ctx.t("errors.notfound"));
  const body = algoritmeregisterJson({
    tenant,
    activations: data.activations,
    blocks: data.blocks,
    url: `${portal.options.baseUrl}/transparantie/${tenant.metadata.name}/algoritmeregister.json`,
  });
  ctx.res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-disposition": `attachment; filename="${algoritmeregisterFileName(tenant)}"`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  ctx.res.end(body);
  return undefined;
};
