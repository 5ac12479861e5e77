// The commands of `kubectl aihub`: each reads (or patches) through the Api and returns its view,
// which main prints as a table, JSON or YAML.
import { compareSemver } from "../../operator/src/api/semver.ts";
import type {
  AIBuildingBlock,
  BlockActivation,
  BlockRollout,
  MunicipalTenant,
} from "../../operator/src/api/v1alpha1/index.ts";
import { newerVersions } from "../../operator/src/controllers/activation/version-resolution.ts";
import { ApiError } from "../../operator/src/kube/rest-client.ts";
import { readApprovals } from "../../operator/src/webhook/approval-record.ts";
import { type Api, GROUP_PATH } from "./api.ts";
import type { Invocation, RolloutAction } from "./args.ts";
import { CommandError, UsageError } from "./errors.ts";
import {
  blockViews,
  catalogTable,
  explainText,
  explainView,
  isActive,
  type ResourceQuota,
  rolloutStatusText,
  rolloutViews,
  tenantsTable,
  tenantViews,
  updatesTable,
  updateViews,
} from "./views.ts";

export interface Result {
  /** What -o json|yaml prints. */
  data: unknown;
  /** What the table output prints on stdout. */
  text: string;
  /** A remark for stderr (as kubectl's "No resources found"), printed in every output format. */
  note?: string;
}

const enc = encodeURIComponent;
const activationsPath = (namespace?: string) =>
  namespace ? `${GROUP_PATH}/namespaces/${enc(namespace)}/blockactivations` : `${GROUP_PATH}/blockactivations`;

/** The namespace a namespaced command works in: -n, else the context's, else default. */
export const namespaceOf = (inv: Invocation, api: Api) => inv.namespace ?? api.contextNamespace ?? "default";

export async function tenants(api: Api): Promise<Result> {
  const [list, activations, quotas] = await Promise.all([
    api.list<MunicipalTenant>(`${GROUP_PATH}/municipaltenants`),
    api.list<BlockActivation>(activationsPath()),
    // The quota is extra: without the right to read ResourceQuotas the table shows none.
    api
      .list<ResourceQuota>("/api/v1/resourcequotas", { fieldSelector: "metadata.name=aihub-quota" })
      .catch((err: unknown) => {
        if (err instanceof ApiError && (err.code === 403 || err.code === 404)) return [];
        throw err;
      }),
  ]);
  const views = tenantViews(list, activations, quotas);
  return {
    data: { tenants: views },
    text: views.length ? tenantsTable(views) : "",
    ...(views.length === 0 && { note: "No MunicipalTenants found." }),
  };
}

export async function updates(inv: Invocation, api: Api): Promise<Result> {
  const namespace = inv.allNamespaces ? undefined : namespaceOf(inv, api);
  const views = updateViews(await api.list<BlockActivation>(activationsPath(namespace)));
  return {
    data: { updates: views },
    text: views.length ? updatesTable(views, namespace === undefined) : "",
    ...(views.length === 0 && {
      note: `No updates waiting for approval${namespace ? ` in namespace ${namespace}` : ""}.`,
    }),
  };
}

/** A Manual activation and the versions it may be moved to: what approve and decline both start from. */
async function decisionTarget(
  inv: Invocation & { command: { name: "approve" | "decline"; activation: string } },
  api: Api,
) {
  const namespace = namespaceOf(inv, api);
  const name = inv.command.activation;
  const path = `${activationsPath(namespace)}/${enc(name)}`;
  const activation = await api.get<BlockActivation>(path);
  const ref = `${namespace}/${name}`;
  const verb = inv.command.name;
  if (activation.spec.updatePolicy !== "Manual") {
    throw new CommandError(
      activation.spec.version
        ? `nothing to ${verb}: ${ref} is pinned to version ${activation.spec.version}`
        : `nothing to ${verb}: ${ref} follows its channel automatically (updatePolicy ${activation.spec.updatePolicy ?? "Automatic"})`,
    );
  }
  const available = activation.status?.availableUpdate?.version;
  const offered = await offeredVersions(api, activation);
  if (available && !offered.includes(available)) offered.push(available);
  offered.sort(compareSemver);
  const notOffered = (target: string) =>
    new CommandError(
      `version ${target} is not offered to ${ref}: ${offered.length ? `offered: ${offered.join(", ")}` : "no newer version is offered"}`,
    );
  return { namespace, name, path, activation, ref, available, offered, notOffered };
}

/**
 * Sets spec.approvedVersion or spec.declinedVersion with the activation's resourceVersion (a
 * concurrent change gives a Conflict), and returns the record the admission webhook made of it,
 * from the API server's account of the request (none when no webhook runs).
 */
async function recordDecision(
  api: Api,
  path: string,
  activation: BlockActivation,
  field: "approvedVersion" | "declinedVersion",
  target: string,
) {
  const patched = await api.mergePatch<BlockActivation>(path, {
    metadata: { resourceVersion: activation.metadata.resourceVersion },
    spec: { [field]: target },
  });
  const declined = field === "declinedVersion";
  return readApprovals(patched.metadata.annotations)
    .filter((r) => r.version === target && (r.decision === "Declined") === declined)
    .at(-1);
}

export async function approve(inv: Invocation & { command: { name: "approve" } }, api: Api): Promise<Result> {
  const { namespace, name, path, activation, ref, available, offered, notOffered } = await decisionTarget(inv, api);
  const approved = activation.spec.approvedVersion;
  const target = inv.version ?? available;
  if (target === undefined) {
    throw new CommandError(
      `nothing to approve: ${ref} runs its approved version ${approved ?? "-"} and no update awaits approval (status.availableUpdate is empty)`,
    );
  }
  const data = (record?: { user: string; approvedAt: string }) => ({
    namespace,
    activation: name,
    block: activation.spec.block,
    previousVersion: approved ?? null,
    approvedVersion: target,
    approvedBy: record?.user ?? null,
    approvedAt: record?.approvedAt ?? null,
  });
  if (target === approved) {
    return { data: data(), text: `${ref}: version ${target} is already approved; nothing changed\n` };
  }
  if (!offered.includes(target)) throw notOffered(target);
  const record = await recordDecision(api, path, activation, "approvedVersion", target);
  return {
    data: data(record),
    text: `${ref}: approved version ${target} of ${activation.spec.block} (was ${approved ?? "-"})${record ? `; recorded as approved by ${record.user} at ${record.approvedAt}` : ""}\n`,
  };
}

/**
 * Declines an update: sets spec.declinedVersion to V (default: status.availableUpdate), so that it
 * is offered no more (a newer version is). The admission webhook records who declined, as it does
 * for an approval. The activation keeps running its approved version.
 */
export async function decline(inv: Invocation & { command: { name: "decline" } }, api: Api): Promise<Result> {
  const { namespace, name, path, activation, ref, available, offered, notOffered } = await decisionTarget(inv, api);
  const target = inv.version ?? available;
  if (target === undefined) {
    throw new CommandError(
      `nothing to decline: no update awaits approval for ${ref} (status.availableUpdate is empty)`,
    );
  }
  const data = (record?: { user: string; approvedAt: string }) => ({
    namespace,
    activation: name,
    block: activation.spec.block,
    approvedVersion: activation.spec.approvedVersion ?? null,
    declinedVersion: target,
    declinedBy: record?.user ?? null,
    declinedAt: record?.approvedAt ?? null,
  });
  if (target === activation.spec.declinedVersion) {
    return { data: data(), text: `${ref}: version ${target} is already declined; nothing changed\n` };
  }
  if (!offered.includes(target)) throw notOffered(target);
  const record = await recordDecision(api, path, activation, "declinedVersion", target);
  return {
    data: data(record),
    text: `${ref}: declined version ${target} of ${activation.spec.block}; it keeps running ${activation.spec.approvedVersion ?? "-"}${record ? `; recorded as declined by ${record.user} at ${record.approvedAt}` : ""}\n`,
  };
}

/**
 * The versions the activation may be moved to: newer than the approved one on its channel, and
 * not withdrawn by a fleet rollout. Without the right to read the block, none beyond status.availableUpdate.
 */
async function offeredVersions(api: Api, activation: BlockActivation): Promise<string[]> {
  let block: AIBuildingBlock;
  try {
    block = await api.get<AIBuildingBlock>(`${GROUP_PATH}/aibuildingblocks/${enc(activation.spec.block)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.code === 403 || err.code === 404)) return [];
    throw err;
  }
  const withdrawn = new Set((block.status?.withdrawnVersions ?? []).map((w) => w.version));
  const from = activation.spec.approvedVersion ?? "0.0.0";
  return newerVersions(block, activation.spec.channel ?? "stable", from)
    .map((v) => v.version)
    .filter((v) => !withdrawn.has(v));
}

export async function catalog(api: Api, now: Date): Promise<Result> {
  const views = blockViews(await api.list<AIBuildingBlock>(`${GROUP_PATH}/aibuildingblocks`), now);
  return {
    data: { blocks: views },
    text: views.length ? catalogTable(views) : "",
    ...(views.length === 0 && { note: "No AIBuildingBlocks found." }),
  };
}

export async function explainBlock(
  inv: Invocation & { command: { name: "explain-block" } },
  api: Api,
): Promise<Result> {
  const block = await api.get<AIBuildingBlock>(`${GROUP_PATH}/aibuildingblocks/${enc(inv.command.block)}`);
  if (inv.version !== undefined && !block.spec.versions.some((v) => v.version === inv.version)) {
    throw new CommandError(
      `block ${inv.command.block} has no version ${inv.version}; published: ${block.spec.versions.map((v) => v.version).join(", ")}`,
    );
  }
  const view = explainView(block, inv.version);
  return { data: view, text: explainText(view) };
}

export async function rollout(inv: Invocation & { command: { name: "rollout" } }, api: Api): Promise<Result> {
  const { action, block } = inv.command;
  // The block first: a typo gets the API server's NotFound rather than an empty list.
  await api.get<AIBuildingBlock>(`${GROUP_PATH}/aibuildingblocks/${enc(block)}`);
  const all = (await api.list<BlockRollout>(`${GROUP_PATH}/blockrollouts`)).filter((r) => r.spec.block === block);
  if (action === "status") {
    const chosen = inv.version === undefined ? all : all.filter((r) => r.spec.version === inv.version);
    if (inv.version !== undefined && chosen.length === 0)
      throw new CommandError(`block ${block} has no rollout of version ${inv.version}`);
    const views = rolloutViews(chosen);
    return { data: { block, rollouts: views }, text: rolloutStatusText(block, views) };
  }
  const target = pickRollout(block, all, inv.version, action);
  return changeRollout(api, target, action, inv.yes);
}

/** The rollout an action applies to: --version's, else the block's only active one. */
function pickRollout(block: string, all: BlockRollout[], version: string | undefined, action: RolloutAction) {
  if (version !== undefined) {
    const r = all.find((x) => x.spec.version === version);
    if (!r) throw new CommandError(`block ${block} has no rollout of version ${version}`);
    return r;
  }
  const active = all.filter(isActive).sort((a, b) => compareSemver(b.spec.version, a.spec.version));
  if (active.length === 0) {
    throw new CommandError(
      `block ${block} has no active rollout to ${action}${all.length ? ` (its rollouts: ${all.map((r) => `${r.spec.version} ${r.status?.phase ?? "-"}`).join(", ")}); name one with --version` : ""}`,
    );
  }
  if (active.length > 1) {
    throw new UsageError(
      `block ${block} has ${active.length} active rollouts (${active.map((r) => `${r.spec.version} on ${r.spec.channel}`).join(", ")}): choose one with --version`,
    );
  }
  return active[0] as BlockRollout;
}

async function changeRollout(api: Api, r: BlockRollout, action: Exclude<RolloutAction, "status">, yes: boolean) {
  const name = r.metadata.name ?? "";
  const path = `${GROUP_PATH}/blockrollouts/${enc(name)}`;
  const result = (changed: boolean, text: string): Result => ({
    data: { rollout: name, block: r.spec.block, version: r.spec.version, action, changed },
    text: `${text}\n`,
  });
  const patch = (spec: Record<string, boolean>) =>
    api.mergePatch<BlockRollout>(path, { metadata: { resourceVersion: r.metadata.resourceVersion }, spec });
  switch (action) {
    case "pause":
      if (r.spec.paused) return result(false, `blockrollout ${name} is already paused`);
      await patch({ paused: true });
      return result(
        true,
        `blockrollout ${name} paused: no further activation is moved; health gates and rollbacks go on`,
      );
    case "resume":
      if (r.spec.abort)
        throw new CommandError(
          `blockrollout ${name} was aborted, which cannot be undone: publish a newer version of ${r.spec.block} instead`,
        );
      if (!r.spec.paused) return result(false, `blockrollout ${name} is not paused`);
      await patch({ paused: false });
      return result(true, `blockrollout ${name} resumed`);
    case "abort":
      if (r.spec.abort) return result(false, `blockrollout ${name} is already aborted`);
      if (!yes)
        throw new UsageError(
          `aborting ${name} moves every activation it moved back and withdraws version ${r.spec.version} for the fleet, and cannot be undone: add --yes to abort`,
        );
      await patch({ abort: true });
      return result(
        true,
        `blockrollout ${name} aborted: the activations it moved go back to their last healthy version, and ${r.spec.version} is withdrawn`,
      );
  }
}
