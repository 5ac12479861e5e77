// make bench-runtime: server-side apply through the operator's apply path versus a raw
// concurrent client creating the same objects, against one fresh API server in one run.
// Prints figures; asserts nothing.
import { pino } from "pino";
import { Applier } from "../operator/src/kube/apply.ts";
import type { KubeObject } from "../operator/src/kube/object.ts";
import type { ObjectRef } from "../operator/src/kube/resource-paths.ts";
import { WatchCache } from "../operator/src/kube/watch-cache.ts";
import { WorkQueue } from "../operator/src/runtime/work-queue.ts";
import { ControlPlane } from "../test/controlplane/control-plane.ts";
import { countingClient } from "../test/support/clients.ts";
import { answerHelp } from "./help.ts";
import { pool } from "./pool.ts";

answerHelp(import.meta.url);

const N = Number(process.env.BENCH_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const log = pino({ level: "info" });

const configMap = (ns: string, i: number): KubeObject & ObjectRef => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: `cm-${i}`, namespace: ns, labels: { bench: "runtime" } },
  data: { index: String(i), payload: "x".repeat(256) },
});

const indexes = Array.from({ length: N }, (_, i) => i);

const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};

const cp = await ControlPlane.start({
  controllerManager: false,
  apiServerArgs: ["--max-requests-inflight=800", "--max-mutating-requests-inflight=400"],
});
try {
  const c = await countingClient({ file: cp.kubeconfigPath });
  for (const ns of ["raw", "apply"]) {
    await c.client.request("POST", "/api/v1/namespaces", {
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    });
  }

  // 1. Raw: POST each object, CONCURRENCY at a time.
  const writesBeforeRaw = c.writes();
  let t = performance.now();
  let cpu = process.cpuUsage();
  await pool(indexes, CONCURRENCY, (i) =>
    c.client.request("POST", "/api/v1/namespaces/raw/configmaps", { body: configMap("raw", i) }),
  );
  const raw = { seconds: (performance.now() - t) / 1000, cpu: cpuSeconds(cpu), writes: c.writes() - writesBeforeRaw };

  // 2. Apply path: keys through the work queue, CONCURRENCY workers, server-side apply each.
  const applier = new Applier(c.client, c.paths, "bench");
  const cache = new WatchCache<KubeObject>({ client: c.client, path: "/api/v1/namespaces/apply/configmaps" });
  cache.start();
  await cache.waitForSync();
  const runQueue = async (useCache: boolean) => {
    const queue = new WorkQueue();
    for (let i = 0; i < N; i++) queue.add(String(i));
    queue.shutDown(); // no more adds; workers drain what is queued
    let writes = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
          const desired = configMap("apply", Number(key));
          const live = useCache ? cache.get(`apply/${desired.metadata.name}`) : undefined;
          if ((await applier.apply(desired, live)).written) writes++;
          queue.done(key);
        }
      }),
    );
    return writes;
  };
  const writesBefore = c.writes();
  t = performance.now();
  cpu = process.cpuUsage();
  const applied = await runQueue(false);
  const apply = { seconds: (performance.now() - t) / 1000, cpu: cpuSeconds(cpu), writes: applied };

  // 3. Resync: the same desired state again, with the watch cache as the live state.
  while (cache.list().length < N) await new Promise((r) => setTimeout(r, 50));
  const writesMid = c.writes();
  t = performance.now();
  cpu = process.cpuUsage();
  const resyncWrites = await runQueue(true);
  const resync = { seconds: (performance.now() - t) / 1000, cpu: cpuSeconds(cpu), writes: c.writes() - writesMid };
  await cache.stop();

  const rate = (s: number) => Math.round(N / s);
  console.log(`
## Runtime apply benchmark (${N} ConfigMaps, concurrency ${CONCURRENCY}, one fresh kube-apiserver)

| path | seconds | objects/s | client CPU s | write requests |
| --- | ---: | ---: | ---: | ---: |
| raw concurrent POST | ${raw.seconds.toFixed(2)} | ${rate(raw.seconds)} | ${raw.cpu.toFixed(2)} | ${raw.writes} |
| operator apply path (queue + server-side apply) | ${apply.seconds.toFixed(2)} | ${rate(apply.seconds)} | ${apply.cpu.toFixed(2)} | ${apply.writes} |
| unchanged resync through the apply path | ${resync.seconds.toFixed(3)} | - | ${resync.cpu.toFixed(2)} | ${resync.writes} |

apply / raw time ratio: ${(apply.seconds / raw.seconds).toFixed(2)}
write requests on the wire: apply pass ${writesMid - writesBefore}, resync ${resync.writes} (the applier wrote ${resyncWrites})
For scale: a Go operator with client-go's default client-side limit (controller-runtime: 20 QPS,
burst 30) needs about ${Math.round(N / 20)} s for ${N} writes.
`);
  c.client.close();
} catch (err) {
  log.error({ err }, "benchmark failed");
  process.exitCode = 1;
} finally {
  await cp.stop();
}
