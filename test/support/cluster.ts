// Setting up a cluster for tests and `make dev`: CRDs installed and Established, examples applied.

import { isNotFound } from "../../operator/src/kube/api-error.ts";
import { serverSideApply } from "../../operator/src/kube/apply.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { type ObjectRef, ResourcePaths } from "../../operator/src/kube/resource-paths.ts";
import { RestClient } from "../../operator/src/kube/rest-client.ts";
import { readManifests } from "./manifests.ts";

export const SETUP_FIELD_MANAGER = "aihub-setup";

/** A REST client with discovery, for tests and scripts. */
export interface Cluster {
  client: RestClient;
  paths: ResourcePaths;
}

/** A client for the kubeconfig at `path` ($KUBECONFIG and so on when undefined). */
export async function connect(path?: string): Promise<Cluster> {
  const client = RestClient.fromKubeconfig(path);
  return { client, paths: new ResourcePaths(client) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

const shown = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)));

/**
 * The negative counterpart of waitUntil: probes every `everyMs` for `forMs`, the last time at the
 * end, and fails at once when the probe returns a value (what it saw instead) or throws. Undefined
 * means the condition holds. Precede it with a waitUntil on something that shows the event was
 * processed: on its own, "nothing happened yet" also passes when nothing was ever going to happen.
 */
export async function consistently<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  forMs: number,
  everyMs = 100,
): Promise<void> {
  const started = Date.now();
  const deadline = started + forMs;
  for (;;) {
    let seen: T | undefined;
    try {
      seen = await probe();
    } catch (err) {
      throw new Error(`${what}: probe failed after ${Date.now() - started} ms: ${String(err)}`, { cause: err });
    }
    if (seen !== undefined) throw new Error(`${what}: broken after ${Date.now() - started} ms, seen: ${shown(seen)}`);
    const left = deadline - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(everyMs, left));
  }
}

interface Crd extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/** Applies the CRDs in `dir` and waits until each is Established. Returns the CRDs as served. */
export function installCrds(cluster: Cluster, dir = "crds"): Promise<Crd[]> {
  return applyCrds(cluster, readManifests(dir) as (Crd & ObjectRef)[]);
}

/** Applies `crds` and waits until each is Established. Returns the CRDs as served. */
export async function applyCrds(cluster: Cluster, crds: (KubeObject & ObjectRef)[]): Promise<Crd[]> {
  for (const crd of crds)
    await serverSideApply(cluster.client, cluster.paths, crd, {
      fieldManager: SETUP_FIELD_MANAGER,
    });
  return Promise.all(
    crds.map((crd) =>
      waitUntil(`CRD ${crd.metadata?.name} to be Established`, async () => {
        const served = await cluster.client.request<Crd>("GET", `${CRD_PATH}/${crd.metadata?.name}`);
        const established = served.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
        return established ? served : undefined;
      }),
    ),
  );
}

/** Applies the admission policies in `dir` (ValidatingAdmissionPolicies and their bindings). */
/**
 * What the chart installs beside the operator that the operator relies on: the admission
 * policies and the ClusterRoles tenants are bound to (plain YAML in the chart's templates).
 */
export async function installPolicies(
  cluster: Cluster,
  dirs = ["charts/aihub/templates/admission", "charts/aihub/templates/tenant-cluster-roles.yaml"],
): Promise<void> {
  for (const m of readManifests(...dirs) as (KubeObject & ObjectRef)[]) {
    await serverSideApply(cluster.client, cluster.paths, m, { fieldManager: SETUP_FIELD_MANAGER });
  }
}

/**
 * Creates a tenant's namespace, labelled as belonging to the tenant of the same name, where no
 * tenant controller runs to make it (`make dev` applies the examples before the operator starts).
 */
export async function ensureTenantNamespace(cluster: Cluster, name: string): Promise<void> {
  try {
    await cluster.client.request("GET", `/api/v1/namespaces/${name}`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await cluster.client.request("POST", "/api/v1/namespaces", {
      body: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "aihub.gemeenten.nl/tenant": name } },
      },
    });
  }
}

/**
 * Applies manifests in order (server-side apply); namespaced objects get their namespace first,
 * unless `createNamespaces` is false: a test that runs the tenant controller lets it make them,
 * so that a namespace it failed to make fails the apply.
 */
export async function applyManifests(
  cluster: Cluster,
  manifests: KubeObject[],
  o: { createNamespaces?: boolean } = {},
): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const m of manifests as (KubeObject & ObjectRef)[]) {
    if (m.metadata?.namespace && o.createNamespaces !== false)
      await ensureTenantNamespace(cluster, m.metadata.namespace);
    applied.push(
      await serverSideApply(cluster.client, cluster.paths, m, {
        fieldManager: SETUP_FIELD_MANAGER,
      }),
    );
  }
  return applied;
}

/** The examples in the order they depend on each other: catalog, tenants, activations. */
export const EXAMPLE_FOLDERS = ["examples/catalog", "examples/tenants", "examples/activations"];
