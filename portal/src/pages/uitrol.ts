// Uitrol, for the collective's platform team: every fleet rollout ring by ring (the operator's
// BlockRollout status, through the kubectl plugin's rollout views) with pause, resume and abort
// as real buttons. The actions run the plugin's rollout command with the person's token; who may
// steer rollouts is RBAC's to say (tenant roles grant nothing on blockrollouts).
import type { BlockRollout } from "../../../operator/src/api/v1alpha1/index.ts";
import { ApiError } from "../../../operator/src/kube/rest-client.ts";
import { GROUP_PATH } from "../../../plugin/src/api.ts";
import type { Invocation, RolloutAction } from "../../../plugin/src/args.ts";
import { rollout } from "../../../plugin/src/commands.ts";
import { CommandError, UsageError } from "../../../plugin/src/errors.ts";
import { FINISHED_PHASES, type RolloutView, rolloutViews } from "../../../plugin/src/views.ts";
import { actionForm } from "../form-markup.ts";
import { html, type Markup } from "../html/markup.ts";
import { notification } from "../html/notification.ts";
import { statusBadge } from "../html/status-badge.ts";
import { table } from "../html/table.ts";
import { readForm } from "../http-io.ts";
import type { Translate } from "../page-text.ts";
import { apiProblem, HttpError, type PageHandler, type SessionData, takeFlash } from "../portal.ts";
import type { Session } from "../session-store.ts";

const ACTIONS: Record<string, Exclude<RolloutAction, "status">> = {
  pauzeren: "pause",
  hervatten: "resume",
  afbreken: "abort",
};

export function renderUitrol(v: { rollouts: RolloutView[]; csrf: string; flash?: string }, t: Translate): Markup {
  return html`<h1 class="utrecht-heading-1">${t("rollout.title")}</h1>
${v.flash ? notification({ type: "ok", body: v.flash, keep: true }) : ""}
${v.rollouts.length === 0 ? html`<p class="utrecht-paragraph">${t("rollout.none")}</p>` : ""}
${v.rollouts.map((r) => {
  const id = `uitrol-${r.name}`;
  const active = !FINISHED_PHASES.has(r.phase ?? "");
  return html`<section class="portal-stack" aria-labelledby="${id}">
<h2 class="utrecht-heading-2" id="${id}">${r.block} ${r.version} (${r.channel})</h2>
<p class="utrecht-paragraph">${statusBadge(r.phase ?? "-", r.phase === "Succeeded" ? "success" : r.failed ? "danger" : "neutral")} ${r.paused ? statusBadge(t("rollout.pause"), "warning") : ""} ${r.updated}/${r.total}${r.message ? ` — ${r.message}` : ""}</p>
${table({
  caption: `${t("col.ring")}: ${r.name}`,
  columns: [
    { header: t("col.ring") },
    { header: t("col.updated"), numeric: true },
    { header: t("col.failed"), numeric: true },
    { header: t("col.status") },
  ],
  rows: r.rings.map((g) => [
    g.name,
    `${g.updated}/${g.total}`,
    g.failed,
    g.completedAt ? `${g.completedAt}` : g.startedAt ? `${g.startedAt} →` : "",
  ]),
  empty: "-",
})}
${
  active && !r.abort
    ? html`${
        r.paused
          ? actionForm(`/uitrol/${r.name}/hervatten`, v.csrf, t("rollout.resume"))
          : actionForm(`/uitrol/${r.name}/pauzeren`, v.csrf, t("rollout.pause"))
      }
${actionForm(`/uitrol/${r.name}/afbreken`, v.csrf, t("rollout.abort"))}`
    : ""
}
</section>`;
})}`;
}

export const uitrolPage: PageHandler = async (ctx, portal) => {
  const session = ctx.session as Session<SessionData>;
  const path = `${GROUP_PATH}/blockrollouts`;
  let rollouts: BlockRollout[];
  try {
    rollouts = await portal.list<BlockRollout>(session, path);
  } catch (err) {
    if (err instanceof ApiError && err.code === 403)
      return {
        title: ctx.t("rollout.title"),
        status: 403,
        main: html`<h1 class="utrecht-heading-1">${ctx.t("rollout.title")}</h1>${notification({ type: "info", body: ctx.t("rollout.forbidden") })}`,
      };
    throw err;
  }
  const flash = takeFlash(ctx);
  return {
    title: ctx.t("rollout.title"),
    main: renderUitrol(
      {
        // Running rollouts first: they are the ones to watch and steer.
        rollouts: rolloutViews(rollouts).sort(
          (a, b) => Number(FINISHED_PHASES.has(a.phase ?? "")) - Number(FINISHED_PHASES.has(b.phase ?? "")),
        ),
        csrf: session.csrf,
        ...(flash && { flash }),
      },
      ctx.t,
    ),
    live: [["session", path]],
  };
};

export const rolloutAction: PageHandler = async (ctx, portal) => {
  const session = ctx.session as Session<SessionData>;
  const form = await readForm(ctx.req);
  portal.checkCsrf(ctx, form);
  const action = ACTIONS[ctx.params.action ?? ""];
  if (!action) throw new HttpError(404, ctx.t("errors.notfound"));
  const confirmed = form.get("bevestigd") === "ja";
  const r = await session.data.api.get<BlockRollout>(
    `${GROUP_PATH}/blockrollouts/${encodeURIComponent(ctx.params.rollout ?? "")}`,
  );
  const inv: Invocation & { command: { name: "rollout" } } = {
    command: { name: "rollout", action, block: r.spec.block },
    output: "table",
    allNamespaces: false,
    version: r.spec.version,
    yes: action === "abort" && confirmed,
  };
  // Aborting cannot be undone: the first press asks, as `kubectl aihub rollout abort` wants --yes.
  if (action === "abort" && !confirmed)
    return {
      title: ctx.t("rollout.abort"),
      main: html`<h1 class="utrecht-heading-1">${ctx.t("rollout.abort")}: ${r.spec.block} ${r.spec.version}</h1>
${notification({ type: "warning", body: ctx.t("rollout.abort.confirm") })}
${actionForm(`/uitrol/${r.metadata.name}/afbreken`, session.csrf, ctx.t("rollout.abort.yes", { version: r.spec.version }), html`<input type="hidden" name="bevestigd" value="ja">`)}
<p class="utrecht-paragraph"><a class="utrecht-link" href="/uitrol">${ctx.t("rollout.abort.no")}</a></p>`,
    };
  try {
    const result = await rollout(inv, session.data.api);
    session.data.flash = result.text.trim();
  } catch (err) {
    if (err instanceof CommandError || err instanceof UsageError) throw new HttpError(409, err.message);
    if (err instanceof ApiError) throw new HttpError(err.code, apiProblem(err, ctx.t));
    throw err;
  }
  ctx.res.writeHead(303, { location: "/uitrol", "cache-control": "no-store" });
  ctx.res.end();
  return undefined;
};
