// REST clients for tests: from a kubeconfig file or YAML, with a counter of requests by verb.
import { loadClusterAccess, parseKubeconfig } from "../../operator/src/kube/kubeconfig.ts";
import { ResourcePaths } from "../../operator/src/kube/resource-paths.ts";
import { RestClient, WRITE_METHODS } from "../../operator/src/kube/rest-client.ts";

export interface CountingClient {
  client: RestClient;
  paths: ResourcePaths;
  /** Requests sent, by method; writes are POST, PUT, PATCH and DELETE. */
  counts: Map<string, number>;
  writes(filter?: (path: string) => boolean): number;
  /** Each write so far, as "METHOD path", in order: what a failed assertion names. */
  writeLog(): readonly string[];
}

export async function countingClient(kubeconfig: { file?: string; yaml?: string }): Promise<CountingClient> {
  const access = kubeconfig.file
    ? loadClusterAccess(kubeconfig.file)
    : parseKubeconfig(kubeconfig.yaml ?? "", "<inline>");
  const client = new RestClient(access);
  const counts = new Map<string, number>();
  const writePaths: string[] = [];
  const log: string[] = [];
  client.observe((r) => {
    counts.set(r.method, (counts.get(r.method) ?? 0) + 1);
    if (!WRITE_METHODS.has(r.method)) return;
    writePaths.push(r.path);
    log.push(`${r.method} ${r.path}`);
  });
  return {
    client,
    paths: new ResourcePaths(client),
    counts,
    writes: (filter = () => true) => writePaths.filter(filter).length,
    writeLog: () => log,
  };
}
