// Updates: the versions waiting for the municipality's approval, with their release notes and how
// that version does in the fleet (the operator's status.availableUpdate, as `kubectl aihub
// updates` shows it), real buttons to approve or decline each (keyboard and screen reader work as
// for any form), and the history of approvals and declines: who, when, which note, as the
// admission webhook recorded them from the API server's own account of the request. Approving and
// declining run the kubectl plugin's commands with the person's token, so both tools do the same.
import type { BlockActivation } from "../../../operator/src/api/v1alpha1/index.ts";
import { ApiError } from "../../../operator/src/kube/rest-client.ts";
import { type ApprovalRecord, readApprovals } from "../../../operator/src/webhook/approval-record.ts";
import { approve, decline } from "../../../plugin/src/commands.ts";
import { CommandError } from "../../../plugin/src/errors.ts";
import { type UpdateView, updateViews } from "../../../plugin/src/views.ts";
import { actionForm } from "../form-markup.ts";
import { html, type Markup } from "../html/markup.ts";
import { notification } from "../html/notification.ts";
import { table } from "../html/table.ts";
import { readForm } from "../http-io.ts";
import type { Translate } from "../page-text.ts";
import { apiProblem, HttpError, type PageHandler, type SessionData, takeFlash } from "../portal.ts";
import type { Session } from "../session-store.ts";
import { activationsPath } from "./bouwblokken.ts";

export interface HistoryRow extends ApprovalRecord {
  activation: string;
}

/** Every recorded approval of the namespace's activations, newest first. */
export function approvalHistory(activations: readonly BlockActivation[]): HistoryRow[] {
  return activations
    .flatMap((a) => {
      const recorded = readApprovals(a.metadata.annotations);
      const records = recorded.length ? recorded : (a.status?.approvals ?? []);
      return records.map((r) => ({ ...r, activation: a.metadata.name ?? "" }));
    })
    .sort((x, y) => y.approvedAt.localeCompare(x.approvedAt));
}

export function renderUpdates(
  v: { updates: UpdateView[]; history: HistoryRow[]; canApprove: boolean; csrf: string; flash?: string },
  t: Translate,
): Markup {
  return html`<h1 class="utrecht-heading-1">${t("updates.title")}</h1>
${v.flash ? notification({ type: "ok", body: v.flash, keep: true }) : ""}
${v.updates.length === 0 ? html`<p class="utrecht-paragraph">${t("updates.none")}</p>` : ""}
${!v.canApprove && v.updates.length ? html`<p class="utrecht-paragraph">${t("updates.viewer")}</p>` : ""}
${v.updates.map((u) => {
  const id = `update-${u.activation}`;
  return html`<section class="portal-stack" aria-labelledby="${id}">
<h2 class="utrecht-heading-2" id="${id}">${t("updates.waiting", { block: u.block, version: u.version })}</h2>
<p class="utrecht-paragraph">${t("updates.running", { current: u.currentVersion ?? "-", approved: u.approvedVersion ?? "-" })}</p>
${u.fleet ? html`<p class="utrecht-paragraph">${t("updates.fleet", { fleet: u.fleet })}</p>` : ""}
<h3 class="utrecht-heading-3">${t("updates.notes", { version: u.version })}${u.releaseDate ? ` (${u.releaseDate})` : ""}</h3>
<blockquote class="utrecht-blockquote"><p class="utrecht-paragraph" data-testid="notes-${u.activation}">${u.releaseNotes ?? ""}</p></blockquote>
${
  v.canApprove
    ? html`<div class="portal-actions">${actionForm(
        `/updates/${u.activation}/goedkeuren`,
        v.csrf,
        t("updates.approve", { version: u.version }),
        html`<input type="hidden" name="version" value="${u.version}">`,
      )}${actionForm(
        `/updates/${u.activation}/afwijzen`,
        v.csrf,
        t("updates.decline", { version: u.version }),
        html`<input type="hidden" name="version" value="${u.version}">`,
        "secondary-action",
      )}</div>`
    : ""
}
</section>`;
})}
${table({
  caption: t("updates.history"),
  id: "goedkeuringen",
  columns: [
    { header: t("col.name") },
    { header: t("col.version") },
    { header: t("col.decision") },
    { header: t("col.who") },
    { header: t("col.when") },
    { header: t("col.notes") },
  ],
  rows: v.history.map((h) => [
    h.activation,
    h.version,
    t(h.decision === "Declined" ? "updates.decision.Declined" : "updates.decision.Approved"),
    h.user,
    h.approvedAt,
    h.releaseNotes,
  ]),
  empty: t("updates.history.none"),
})}`;
}

export const updatesPage: PageHandler = async (ctx, portal) => {
  const session = ctx.session as Session<SessionData>;
  const { tenant, membership } = await portal.chosenTenant(ctx);
  const path = activationsPath(tenant.status?.namespace ?? tenant.metadata.name ?? "");
  const activations = await portal.list<BlockActivation>(session, path);
  const flash = takeFlash(ctx);
  return {
    title: ctx.t("updates.title"),
    main: renderUpdates(
      {
        updates: updateViews(activations),
        history: approvalHistory(activations),
        canApprove: membership === "admin",
        csrf: session.csrf,
        ...(flash && { flash }),
      },
      ctx.t,
    ),
    live: [["session", path]],
  };
};

/**
 * Approves or declines with the plugin's own command. The namespace is the chosen tenant's, or
 * ?gemeente= names another: membership decides only what is shown, and the API server's RBAC
 * refuses a person who may not patch there (the refusal is shown as such).
 */
function decisionAction(name: "approve" | "decline"): PageHandler {
  return async (ctx, portal) => {
    const session = ctx.session as Session<SessionData>;
    const form = await readForm(ctx.req);
    portal.checkCsrf(ctx, form);
    const mine = await portal.myTenants(session);
    const wanted = ctx.url.searchParams.get("gemeente");
    const namespace = wanted ?? mine[0]?.tenant.status?.namespace ?? mine[0]?.tenant.metadata.name;
    if (!namespace) throw new HttpError(403, ctx.t("errors.notenant"));
    const version = form.get("version") ?? undefined;
    const activation = ctx.params.activation ?? "";
    const inv = {
      output: "table" as const,
      namespace,
      allNamespaces: false,
      yes: false,
      ...(version && { version }),
    };
    try {
      if (name === "approve") {
        const result = await approve({ ...inv, command: { name, activation } }, session.data.api);
        const data = result.data as { approvedVersion: string; approvedBy: string | null };
        session.data.flash = ctx.t("updates.approved", {
          version: data.approvedVersion,
          activation,
          user: data.approvedBy ?? session.user.username,
        });
      } else {
        const result = await decline({ ...inv, command: { name, activation } }, session.data.api);
        const data = result.data as {
          declinedVersion: string;
          declinedBy: string | null;
          approvedVersion: string | null;
        };
        session.data.flash = ctx.t("updates.declined", {
          version: data.declinedVersion,
          activation,
          user: data.declinedBy ?? session.user.username,
          approved: data.approvedVersion ?? "-",
        });
      }
    } catch (err) {
      if (err instanceof CommandError) throw new HttpError(409, err.message);
      if (err instanceof ApiError) throw new HttpError(err.code, apiProblem(err, ctx.t));
      throw err;
    }
    ctx.res.writeHead(303, { location: "/updates", "cache-control": "no-store" });
    ctx.res.end();
    return undefined;
  };
}

export const approveAction = decisionAction("approve");
export const declineAction = decisionAction("decline");
