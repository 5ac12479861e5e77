// The admission webhook, served by the operator over HTTPS. Lookups go to the operator's watch
// caches, with a read from the API server when the cache has not seen an object yet (a block
// created a moment before the activation that uses it).
import { createServer, type Server } from "node:https";
import type { Logger } from "pino";
import type { AIBuildingBlock, BlockActivation, MunicipalTenant } from "../api/v1alpha1/index.ts";
import { BY_BLOCK } from "../controllers/activation/activation-controller.ts";
import { isNotFound } from "../kube/api-error.ts";
import type { KubeObject } from "../kube/object.ts";
import type { RestClient } from "../kube/rest-client.ts";
import type { WatchCache } from "../kube/watch-cache.ts";
import type { KeyPairPem } from "../pki/certificates.ts";
import type { OperatorMetrics } from "../runtime/metrics.ts";
import { type AdmissionReview, type Decision, toResponse } from "./admission-review.ts";
import { approvalPatch } from "./approval-record.ts";
import { validateActivation } from "./validate-activation.ts";
import { validateBlockSpec } from "./validate-block-spec.ts";
import {
  type ParameterUse,
  removedParametersInUse,
  type VersionUse,
  validateBlockDelete,
  validateBlockUpdate,
} from "./validate-block-update.ts";

export const ACTIVATION_PATH = "/validate-blockactivation";
export const BLOCK_PATH = "/validate-aibuildingblock";
export const APPROVAL_PATH = "/mutate-blockactivation";
/** The largest request body read: an object and its old version, each at most etcd's 1.5 MiB, and the envelope. */
export const MAX_REVIEW_BYTES = 4 * 1024 * 1024;

export interface WebhookDeps {
  client: RestClient;
  blocks: WatchCache<KubeObject>;
  activations: WatchCache<KubeObject>;
  log: Logger;
  /** The tenants, for their processing registers; without it, the reconciler alone checks the mapping to them. */
  tenants?: WatchCache<KubeObject>;
  /** controller_runtime_webhook_* (requests by code, in flight, latency), when given. */
  metrics?: Pick<OperatorMetrics, "webhookRequests" | "webhookInFlight" | "webhookLatency">;
}

/** A cluster-scoped object from a cache, else from the API server (created a moment ago); undefined if absent. */
async function lookup<T>(client: RestClient, cache: WatchCache<KubeObject>, plural: string, name: string) {
  const cached = cache.get(name);
  if (cached) return cached as unknown as T;
  try {
    return await client.request<T>("GET", `/apis/aihub.gemeenten.nl/v1alpha1/${plural}/${name}`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const lookupBlock = (d: WebhookDeps, name: string) =>
  lookup<AIBuildingBlock>(d.client, d.blocks, "aibuildingblocks", name);

/** The tenant whose namespace `namespace` is (a tenant's namespace has its name). */
const lookupTenant = (d: WebhookDeps, namespace: string | undefined) =>
  d.tenants && namespace ? lookup<MunicipalTenant>(d.client, d.tenants, "municipaltenants", namespace) : undefined;

/** Which versions of `block` activations run (status) or ask for (pinned or approved). */
function versionUses(d: WebhookDeps, block: string): VersionUse[] {
  return d.activations.byIndex(BY_BLOCK, block).flatMap((o) => {
    const a = o as unknown as BlockActivation;
    const key = `${a.metadata.namespace}/${a.metadata.name}`;
    return [a.status?.currentVersion, a.spec.version, a.spec.approvedVersion]
      .filter((v): v is string => Boolean(v))
      .map((version) => ({ activation: key, version }));
  });
}

/** Which parameters the activations of `block` set. */
function parameterUses(d: WebhookDeps, block: string): ParameterUse[] {
  return d.activations.byIndex(BY_BLOCK, block).map((o) => ({
    activation: `${o.metadata.namespace}/${o.metadata.name}`,
    parameters: Object.keys((o.spec as { parameters?: Record<string, unknown> } | undefined)?.parameters ?? {}),
  }));
}

export async function decide(d: WebhookDeps, path: string, review: AdmissionReview): Promise<Decision> {
  const req = review.request;
  // Decisions read the caches (which versions are in use, which parameters are set): before they
  // have listed, a version in use could be removed unseen. Refused, the request can be retried.
  if (!d.blocks.hasSynced() || !d.activations.hasSynced() || (d.tenants && !d.tenants.hasSynced())) {
    return {
      allowed: false,
      unavailable: true,
      message:
        "the aihub webhook is starting and has not read the catalog and the activations yet; retry in a few seconds",
    };
  }
  if (!req) return { allowed: false, message: "no request in the AdmissionReview" };
  if (path === ACTIVATION_PATH) {
    if (req.operation === "DELETE") return { allowed: true };
    const activation = req.object as BlockActivation;
    return validateActivation(
      activation,
      await lookupBlock(d, activation.spec?.block),
      await lookupTenant(d, req.namespace ?? activation.metadata?.namespace),
    );
  }
  if (path === APPROVAL_PATH) {
    const activation = req.object as BlockActivation | undefined;
    const block = activation?.spec?.block ? await lookupBlock(d, activation.spec.block) : undefined;
    return { allowed: true, patch: approvalPatch(req, block, new Date()) };
  }
  if (path === BLOCK_PATH) {
    const oldBlock = req.oldObject as AIBuildingBlock | undefined;
    if (req.operation === "DELETE" && oldBlock)
      return validateBlockDelete(oldBlock, versionUses(d, oldBlock.metadata.name ?? ""));
    const block = req.object as AIBuildingBlock;
    const spec = validateBlockSpec(block.spec, new Date());
    if (!spec.allowed || req.operation !== "UPDATE" || !oldBlock) return spec;
    const name = oldBlock.metadata.name ?? "";
    const versions = validateBlockUpdate(oldBlock, block, versionUses(d, name));
    return versions.allowed ? removedParametersInUse(oldBlock, block, parameterUses(d, name)) : versions;
  }
  return { allowed: false, message: `no webhook at ${path}` };
}

export async function startWebhookServer(
  d: WebhookDeps,
  tls: KeyPairPem,
  host: string,
  port: number,
): Promise<Server & { port: number }> {
  const server = createServer({ cert: tls.certificate, key: tls.privateKey }, (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (d.metrics) {
      // Labelled by the paths the webhooks are registered at; anything else is counted as "other".
      const webhook = [ACTIVATION_PATH, BLOCK_PATH, APPROVAL_PATH].includes(path) ? path : "other";
      const m = d.metrics;
      const started = process.hrtime.bigint();
      m.webhookInFlight.inc({ webhook });
      res.once("close", () => {
        m.webhookInFlight.dec({ webhook });
        m.webhookRequests.inc({ webhook, code: String(res.statusCode) });
        m.webhookLatency.observe({ webhook }, Number(process.hrtime.bigint() - started) / 1e9);
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_REVIEW_BYTES) {
        // Read no further: an AdmissionReview holds at most two objects of etcd's 1.5 MiB.
        if (!res.headersSent) {
          res.once("finish", () => req.destroy());
          res.writeHead(413, { connection: "close" }).end("AdmissionReview too large");
        }
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_REVIEW_BYTES) return; // answered with 413 above
      let review: AdmissionReview;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString("utf8")) as AdmissionReview;
      } catch {
        res.writeHead(400).end("expected an AdmissionReview");
        return;
      }
      const uid = review.request?.uid ?? "";
      decide(d, path, review)
        .catch((err: unknown) => {
          d.log.error({ err: String(err), path }, "admission check failed");
          return { allowed: false as const, message: `the aihub webhook could not check this request: ${String(err)}` };
        })
        .then((decision) => {
          if (!decision.allowed) d.log.info({ path, uid, message: decision.message }, "admission denied");
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(toResponse(uid, decision)));
        });
    });
  });
  // The API server (Go) keeps idle connections for 90 s; Node closes them after 5 s by default,
  // and a request sent on a connection that closes at that moment fails with a broken pipe.
  // Keep connections open longer than the client does.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return Object.assign(server, { port: typeof address === "object" && address ? address.port : port });
}
