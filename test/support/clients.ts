// REST clients for tests: from a kubeconfig file or YAML, with a counter of requests by verb.
import { loadClusterAccess, parseKubeconfig } from "../../operator/src/kube/kubeconfig.ts";
import { ResourcePaths } from "../../operator/src/kube/resource-paths.ts";
import { RestClient, WRITE_METHODS } from "../../operator/src/kube/rest-client.ts";

export interface CountingClient {
  client: RestClient;
  paths: ResourcePaths;
  /** Requests sent, by method; writes are POST, PUT, PATCH and DELETE. */
  counts: Map<string, number>;
  /** Writes answered so far (by path: those `filter` keeps). */
  writes(filter?: (path: string) => boolean): number;
  /** The same writes, in order, each as "METHOD path code": what a failed assertion names. */
  writeLog(filter?: (path: string) => boolean): string[];
}

export async function countingClient(kubeconfig: { file?: string; yaml?: string }): Promise<CountingClient> {
  const access = kubeconfig.file
    ? loadClusterAccess(kubeconfig.file)
    : parseKubeconfig(kubeconfig.yaml ?? "", "<inline>");
  const client = new RestClient(access);
  const counts = new Map<string, number>();
  const log: { method: string; path: string; code: number }[] = [];
  const kept = (filter: (path: string) => boolean) => log.filter((w) => filter(w.path));
  client.observe((r) => {
    counts.set(r.method, (counts.get(r.method) ?? 0) + 1);
    if (WRITE_METHODS.has(r.method)) log.push({ method: r.method, path: r.path, code: r.code });
  });
  return {
    client,
    paths: new ResourcePaths(client),
    counts,
    writes: (filter = () => true) => kept(filter).length,
    writeLog: (filter = () => true) => kept(filter).map((w) => `${w.method} ${w.path} ${w.code}`),
  };
}
