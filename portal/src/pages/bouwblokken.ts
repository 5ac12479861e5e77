// Mijn bouwblokken: the municipality's activations with version, health and parameters, and the
// forms that switch a block on or change its parameters. The form is made from the block's own
// parameter definitions and checked with the webhook's schema (parameter-form.ts) before it is
// sent; what the API server refuses is shown next to the field it names. Everything is read and
// written with the person's own token, in the tenant's namespace: RBAC decides.
import { compareSemver } from "../../../operator/src/api/semver.ts";
import type {
  AIBuildingBlock,
  BlockActivation,
  ParameterDefinition,
} from "../../../operator/src/api/v1alpha1/index.ts";
import { ApiError } from "../../../operator/src/kube/rest-client.ts";
import { GROUP_PATH } from "../../../plugin/src/api.ts";
import { newestVersions } from "../../../plugin/src/views.ts";
import { csrfField, errorSummary, type FieldError } from "../form-markup.ts";
import { numberField, selectField, textField } from "../html/form-fields.ts";
import { html, type Markup } from "../html/markup.ts";
import { notification } from "../html/notification.ts";
import { conditionTone, statusBadge } from "../html/status-badge.ts";
import { table } from "../html/table.ts";
import { readForm } from "../http-io.ts";
import type { Translate } from "../page-text.ts";
import { checkParameters, formValues, parameterField, webhookErrors } from "../parameter-form.ts";
import {
  apiProblem,
  HttpError,
  type PageHandler,
  type RequestContext,
  type SessionData,
  takeFlash,
} from "../portal.ts";
import type { Session } from "../session-store.ts";

const enc = encodeURIComponent;
export const activationsPath = (ns: string) => `${GROUP_PATH}/namespaces/${enc(ns)}/blockactivations`;

export interface ActivationRow {
  name: string;
  block: string;
  version: string | null;
  health: { status: string; reason: string; message: string } | null;
  parameters: string;
}

export function activationRows(activations: readonly BlockActivation[]): ActivationRow[] {
  return [...activations]
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .map((a) => {
      const ready = a.status?.conditions?.find((c) => c.type === "Ready");
      return {
        name: a.metadata.name ?? "",
        block: a.spec.block,
        version: a.status?.currentVersion ?? null,
        health: ready ? { status: ready.status, reason: ready.reason, message: ready.message } : null,
        parameters: Object.entries(a.spec.parameters ?? {})
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(", "),
      };
    });
}

const health = (r: ActivationRow, t: Translate) =>
  r.health
    ? html`${statusBadge(r.health.status === "True" ? t("blocks.ready") : t("blocks.notready"), conditionTone(r.health.status))}${
        r.health.status === "True" ? "" : html` <span>${r.health.message}</span>`
      }`
    : statusBadge(t("blocks.pending"), "neutral");

export function renderBouwblokken(
  rows: readonly ActivationRow[],
  t: Translate,
  o: { canChange: boolean; flash?: string; tenant: string },
): Markup {
  return html`<h1 class="utrecht-heading-1">${t("blocks.title")}</h1>
${o.flash ? notification({ type: "ok", body: o.flash, keep: true }) : ""}
${table({
  caption: `${t("blocks.title")} (${o.tenant})`,
  id: "activeringen",
  columns: [
    { header: t("col.name") },
    { header: t("col.block") },
    { header: t("col.version") },
    { header: t("col.health") },
    { header: t("col.parameters") },
    ...(o.canChange ? [{ header: html`<span class="portal-visually-hidden">${t("blocks.change")}</span>` }] : []),
  ],
  rows: rows.map((r) => [
    r.name,
    r.block,
    r.version ?? "-",
    html`<span data-testid="health-${r.name}">${health(r, t)}</span>`,
    r.parameters,
    ...(o.canChange
      ? [
          html`<a class="utrecht-link" href="/bouwblokken/${r.name}/wijzigen">${t("blocks.change")}<span class="portal-visually-hidden">: ${r.name}</span></a>`,
        ]
      : []),
  ]),
  empty: t("blocks.none"),
})}
<p class="utrecht-paragraph"><a class="utrecht-link" href="/catalogus">${t("nav.catalogus")}</a></p>`;
}

export interface ParameterFormView {
  title: string;
  action: string;
  csrf: string;
  block: AIBuildingBlock;
  /** The activation's name field (only when switching a block on). */
  name?: { value: string };
  policy?: string;
  values: Record<string, string>;
  errors: FieldError[];
}

function parameterInput(def: ParameterDefinition, value: string, error: string | undefined, t: Translate): Markup {
  const name = parameterField(def.name);
  const bounds = [
    def.minimum !== undefined && def.maximum !== undefined ? `${def.minimum}-${def.maximum}` : "",
    def.default !== undefined ? t("blocks.default", { value: String(def.default) }) : "",
    def.required ? t("blocks.param.required") : "",
  ]
    .filter(Boolean)
    .join(" ");
  const base = {
    name,
    label: def.name,
    hint: `${def.description}${bounds ? ` ${bounds}` : ""}`,
    ...(error && { error }),
    ...(def.required && { required: true }),
  };
  const unset =
    def.default !== undefined ? t("blocks.default", { value: String(def.default) }) : t("blocks.param.unset");
  switch (def.type) {
    case "enum":
      return selectField({
        ...base,
        value,
        placeholder: unset,
        options: (def.allowedValues ?? []).map((v) => ({ value: v, label: v })),
      });
    case "boolean":
      return selectField({
        ...base,
        value,
        placeholder: unset,
        options: [
          { value: "true", label: t("blocks.param.true") },
          { value: "false", label: t("blocks.param.false") },
        ],
      });
    case "integer":
      return numberField({ ...base, value, integer: true });
    default:
      return textField({ ...base, value });
  }
}

export function renderParameterForm(v: ParameterFormView, t: Translate): Markup {
  const errorOf = (field: string) => v.errors.find((e) => e.field === field)?.message;
  return html`<h1 class="utrecht-heading-1">${v.title}</h1>
${errorSummary(v.errors, t)}
<form method="post" action="${v.action}" class="utrecht-form" novalidate>
${csrfField(v.csrf)}
${
  v.name
    ? html`${textField({
        name: "name",
        label: t("blocks.activation"),
        hint: t("blocks.activation.hint"),
        value: v.name.value,
        required: true,
        ...(errorOf("name") && { error: errorOf("name") as string }),
      })}
${selectField({
  name: "updatePolicy",
  label: t("blocks.policy"),
  value: v.policy ?? "Manual",
  options: [
    { value: "Manual", label: t("blocks.policy.Manual") },
    { value: "Automatic", label: t("blocks.policy.Automatic") },
  ],
})}`
    : ""
}
${(v.block.spec.parameters ?? []).map((def) =>
  parameterInput(def, v.values[def.name] ?? "", errorOf(parameterField(def.name)), t),
)}
<button type="submit" class="utrecht-button utrecht-button--primary-action">${t("blocks.save")}</button>
</form>`;
}

async function tenantNamespace(ctx: RequestContext, portal: Parameters<PageHandler>[1]) {
  const { tenant, membership } = await portal.chosenTenant(ctx);
  return { namespace: tenant.status?.namespace ?? tenant.metadata.name ?? "", membership, tenant };
}

export const bouwblokkenPage: PageHandler = async (ctx, portal) => {
  const session = ctx.session as Session<SessionData>;
  const { namespace, membership, tenant } = await tenantNamespace(ctx, portal);
  const path = activationsPath(namespace);
  const activations = await portal.list<BlockActivation>(session, path);
  const flash = takeFlash(ctx);
  return {
    title: ctx.t("blocks.title"),
    main: renderBouwblokken(activationRows(activations), ctx.t, {
      canChange: membership === "admin",
      tenant: tenant.spec.displayName,
      ...(flash && { flash }),
    }),
    live: [["session", path]],
  };
};

const blockOf = (session: Session<SessionData>, name: string) =>
  session.data.api.get<AIBuildingBlock>(`${GROUP_PATH}/aibuildingblocks/${enc(name)}`);

const asText = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

export const activateFormPage: PageHandler = async (ctx) => {
  const session = ctx.session as Session<SessionData>;
  const block = await blockOf(session, ctx.params.block ?? "");
  return {
    title: ctx.t("blocks.activate.title", { block: block.spec.displayName }),
    main: renderParameterForm(
      {
        title: ctx.t("blocks.activate.title", { block: block.spec.displayName }),
        action: `/bouwblokken/inschakelen/${block.metadata.name}`,
        csrf: session.csrf,
        block,
        name: { value: block.metadata.name ?? "" },
        values: {},
        errors: [],
      },
      ctx.t,
    ),
  };
};

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const activateAction: PageHandler = async (ctx, portal) => {
  const session = ctx.session as Session<SessionData>;
  const form = await readForm(ctx.req);
  portal.checkCsrf(ctx, form);
  const block = await blockOf(session, ctx.params.block ?? "");
  const defs = block.spec.parameters ?? [];
  const { namespace } = await tenantNamespace(ctx, portal);
  const name = (form.get("name") ?? "").trim();
  const policy = form.get("updatePolicy") === "Automatic" ? "Automatic" : "Manual";
  const values = formValues(defs, form);
  const errors: FieldError[] = [
    ...(NAME_PATTERN.test(name)
      ? []
      : [{ field: "name", message: `${ctx.t("blocks.activation")}: "${name}" — ${ctx.t("blocks.activation.hint")}` }]),
    ...checkParameters(defs, values, block.metadata.name ?? ""),
  ];
  const again = (errs: FieldError[]) => ({
    title: ctx.t("blocks.activate.title", { block: block.spec.displayName }),
    status: 400,
    main: renderParameterForm(
      {
        title: ctx.t("blocks.activate.title", { block: block.spec.displayName }),
        action: `/bouwblokken/inschakelen/${block.metadata.name}`,
        csrf: session.csrf,
        block,
        name: { value: name },
        policy,
        values: Object.fromEntries(defs.map((d) => [d.name, form.getAll(parameterField(d.name)).at(-1) ?? ""])),
        errors: errs,
      },
      ctx.t,
    ),
  });
  if (errors.length) return again(errors);
  const approved =
    newestVersions(block).stable ?? [...block.spec.versions.map((v) => v.version)].sort(compareSemver).at(-1);
  try {
    await session.data.api.create(activationsPath(namespace), {
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "BlockActivation",
      metadata: { name, namespace },
      spec: {
        block: block.metadata.name,
        channel: "stable",
        updatePolicy: policy,
        ...(policy === "Manual" && approved && { approvedVersion: approved }),
        ...(Object.keys(values).length && { parameters: values }),
      },
    });
  } catch (err) {
    if (err instanceof ApiError && err.code !== 403) return again(webhookErrors(err.message, defs));
    throw err;
  }
  session.data.flash = ctx.t("blocks.saved");
  return redirectTo(ctx, "/bouwblokken");
};

function redirectTo(ctx: RequestContext, path: string) {
  const gemeente = ctx.url.searchParams.get("gemeente");
  ctx.res.writeHead(303, {
    location: gemeente ? `${path}?gemeente=${enc(gemeente)}` : path,
    "cache-control": "no-store",
  });
  ctx.res.end();
  return undefined;
}

async function activationOf(ctx: RequestContext, portal: Parameters<PageHandler>[1]) {
  const session = ctx.session as Session<SessionData>;
  const { namespace } = await tenantNamespace(ctx, portal);
  const path = `${activationsPath(namespace)}/${enc(ctx.params.activation ?? "")}`;
  const activation = await session.data.api.get<BlockActivation>(path);
  const block = await blockOf(session, activation.spec.block);
  return { session, path, activation, block };
}

export const changeFormPage: PageHandler = async (ctx, portal) => {
  const { session, activation, block } = await activationOf(ctx, portal);
  const title = ctx.t("blocks.change.title", { activation: activation.metadata.name ?? "" });
  return {
    title,
    main: renderParameterForm(
      {
        title,
        action: `/bouwblokken/${activation.metadata.name}/wijzigen`,
        csrf: session.csrf,
        block,
        values: asText(activation.spec.parameters ?? {}),
        errors: [],
      },
      ctx.t,
    ),
  };
};

export const changeAction: PageHandler = async (ctx, portal) => {
  const form = await readForm(ctx.req);
  portal.checkCsrf(ctx, form);
  const { session, path, activation, block } = await activationOf(ctx, portal);
  const defs = block.spec.parameters ?? [];
  const values = formValues(defs, form);
  const title = ctx.t("blocks.change.title", { activation: activation.metadata.name ?? "" });
  const again = (errors: FieldError[]) => ({
    title,
    status: 400,
    main: renderParameterForm(
      {
        title,
        action: `/bouwblokken/${activation.metadata.name}/wijzigen`,
        csrf: session.csrf,
        block,
        values: Object.fromEntries(defs.map((d) => [d.name, form.getAll(parameterField(d.name)).at(-1) ?? ""])),
        errors,
      },
      ctx.t,
    ),
  });
  const errors = checkParameters(defs, values, block.metadata.name ?? "");
  if (errors.length) return again(errors);
  // A merge patch of the whole map: a parameter left empty is removed (its default applies).
  const parameters = Object.fromEntries(defs.map((d) => [d.name, values[d.name] ?? null]));
  try {
    await session.data.api.mergePatch(path, {
      metadata: { resourceVersion: activation.metadata.resourceVersion },
      spec: { parameters },
    });
  } catch (err) {
    if (err instanceof ApiError && err.code === 403) throw new HttpError(403, apiProblem(err, ctx.t));
    if (err instanceof ApiError) return again(webhookErrors(err.message, defs));
    throw err;
  }
  session.data.flash = ctx.t("blocks.saved");
  return redirectTo(ctx, "/bouwblokken");
};
