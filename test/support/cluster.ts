// Setting up a cluster for tests and `make dev`: CRDs installed and Established, examples applied.
import {
  ApiextensionsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { isNotFound } from "../../operator/src/kube/api-error.ts";
import { serverSideApply } from "../../operator/src/kube/apply.ts";
import { readManifests } from "./manifests.ts";

export const SETUP_FIELD_MANAGER = "aihub-setup";

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

const isEstablished = (crd: V1CustomResourceDefinition) =>
  crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;

/** Applies the CRDs in `dir` and waits until each is Established. Returns the CRDs as served. */
export async function installCrds(kc: KubeConfig, dir = "crds"): Promise<V1CustomResourceDefinition[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crds = readManifests(dir);
  for (const crd of crds) await serverSideApply(objects, crd, SETUP_FIELD_MANAGER);
  return Promise.all(
    crds.map((crd) =>
      waitUntil(`CRD ${crd.metadata?.name} to be Established`, async () => {
        const served = await ext.readCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
        return isEstablished(served) ? served : undefined;
      }),
    ),
  );
}

/**
 * Until the tenant controller exists, the namespaces of example activations are created here,
 * labelled as belonging to the tenant of the same name.
 */
export async function ensureTenantNamespace(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.readNamespace({ name });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await core.createNamespace({
      body: { metadata: { name, labels: { "aihub.gemeenten.nl/tenant": name } } },
    });
  }
}

/** Applies manifests in order (server-side apply); namespaced objects get their namespace first. */
export async function applyManifests(kc: KubeConfig, manifests: KubernetesObject[]): Promise<KubernetesObject[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const applied: KubernetesObject[] = [];
  for (const m of manifests) {
    if (m.metadata?.namespace) await ensureTenantNamespace(kc, m.metadata.namespace);
    applied.push(await serverSideApply(objects, m, SETUP_FIELD_MANAGER));
  }
  return applied;
}

/** The examples in the order they depend on each other: catalog, tenants, activations. */
export const EXAMPLE_FOLDERS = ["examples/catalog", "examples/tenants", "examples/activations"];
