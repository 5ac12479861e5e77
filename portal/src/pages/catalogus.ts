// Catalogus: the national catalogue as the signed-in person may read it (tenant users read it
// through the catalogue reader role): per block its supplier and country, AI Act risk class,
// DPIA reference, certification and its validity, its versions with release notes, and the
// parameters a municipality may set with their type, bounds and default. The views are the
// kubectl plugin's (plugin/src/views.ts), so both tools say the same.
import type { AIBuildingBlock } from "../../../operator/src/api/v1alpha1/index.ts";
import { GROUP_PATH } from "../../../plugin/src/api.ts";
import { type BlockView, blockViews, bounds, type ExplainView, explainView } from "../../../plugin/src/views.ts";
import { descriptionList } from "../html/description-list.ts";
import { html, type Markup } from "../html/markup.ts";
import { riskBadge, statusBadge } from "../html/status-badge.ts";
import { table } from "../html/table.ts";
import type { Lang, Translate } from "../page-text.ts";
import type { PageHandler, SessionData } from "../portal.ts";
import type { Session } from "../session-store.ts";

export interface CatalogEntry {
  block: BlockView;
  explain: ExplainView;
  versions: { version: string; channel: string; releaseDate: string; releaseNotes: string; withdrawn: boolean }[];
}

export function catalogEntries(blocks: readonly AIBuildingBlock[], now: Date): CatalogEntry[] {
  const views = blockViews(blocks, now);
  return views.map((block) => {
    const b = blocks.find((x) => x.metadata.name === block.name) as AIBuildingBlock;
    return {
      block,
      explain: explainView(b),
      versions: [...b.spec.versions].reverse().map((v) => ({
        version: v.version,
        channel: v.channel ?? "stable",
        releaseDate: v.releaseDate ?? "",
        releaseNotes: v.releaseNotes ?? "",
        withdrawn: block.withdrawnVersions.includes(v.version),
      })),
    };
  });
}

export function renderCatalogus(
  entries: readonly CatalogEntry[],
  t: Translate,
  canActivate: boolean,
  lang: Lang,
): Markup {
  return html`<h1 class="utrecht-heading-1">${t("catalog.title")}</h1>
${entries.map(({ block: b, explain, versions }) => {
  const id = `blok-${b.name}`;
  return html`<section class="portal-stack" aria-labelledby="${id}">
<h2 class="utrecht-heading-2" id="${id}">${b.displayName}</h2>
<p class="utrecht-paragraph">${explain.description}</p>
${descriptionList([
  [t("col.supplier"), `${b.supplier.name} (${b.supplier.country})`],
  [t("col.risk"), riskBadge(b.riskClass, lang)],
  [t("col.dpia"), b.dpiaReference ?? t("none")],
  [
    t("col.certification"),
    html`${t("catalog.certifiedBy", { who: b.certifiedBy })}, ${
      b.certificationValid
        ? t("catalog.valid", { date: b.certifiedUntil })
        : statusBadge(t("catalog.expired", { date: b.certifiedUntil }), "danger")
    }`,
  ],
])}
${table({
  caption: `${t("catalog.versions")}: ${b.displayName}`,
  columns: [
    { header: t("col.version") },
    { header: t("col.channel") },
    { header: t("col.released") },
    { header: t("col.notes") },
  ],
  rows: versions.map((v) => [
    html`${v.version}${v.withdrawn ? html` ${statusBadge(t("catalog.withdrawn"), "danger")}` : ""}`,
    v.channel,
    v.releaseDate,
    v.releaseNotes,
  ]),
})}
${
  explain.parameters.length
    ? table({
        caption: `${t("catalog.parameters")}: ${b.displayName}`,
        columns: [
          { header: t("col.name") },
          { header: t("col.type") },
          { header: t("col.required") },
          { header: t("col.default") },
          { header: t("col.bounds") },
          { header: t("col.description") },
        ],
        rows: explain.parameters.map((p) => [
          html`<code>${p.name}</code>`,
          p.type,
          p.required ? t("yes") : t("no"),
          p.default === null ? "" : String(p.default),
          bounds(p) ?? "",
          p.description,
        ]),
      })
    : html`<p class="utrecht-paragraph">${t("catalog.noparameters")}</p>`
}
${
  canActivate
    ? html`<p class="utrecht-paragraph"><a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" href="/bouwblokken/inschakelen/${b.name}">${t("catalog.activate")}<span class="portal-visually-hidden">: ${b.displayName}</span></a></p>`
    : ""
}
</section>`;
})}`;
}

export const catalogusPage: PageHandler = async (ctx, portal) => {
  const session = ctx.session as Session<SessionData>;
  const path = `${GROUP_PATH}/aibuildingblocks`;
  const blocks = await portal.list<AIBuildingBlock>(session, path);
  const mine = await portal.myTenants(session);
  return {
    title: ctx.t("catalog.title"),
    main: renderCatalogus(
      catalogEntries(blocks, portal.now()),
      ctx.t,
      mine.some((m) => m.membership === "admin"),
      ctx.lang,
    ),
    live: [["session", path]],
  };
};
