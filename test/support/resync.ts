// What an operator writes when it resyncs objects that nothing changed: it waits until the
// operator is quiet, resyncs everything, waits until every object was reconciled once more and
// a moment after, and fails with the writes it saw meanwhile. For the tests that a resync of an
// unchanged fleet sends nothing (tenants.test.ts, activations.test.ts).
import type { Manager } from "../../operator/src/runtime/manager.ts";
import type { CountingClient } from "./clients.ts";
import { consistently, waitUntil } from "./cluster.ts";

export interface ResyncProbe {
  operator: Pick<Manager, "depth" | "resync">;
  /** The operator's own client: its writes are counted. */
  client: CountingClient;
  /** Which writes count (by path) after the resync. */
  counts: (path: string) => boolean;
  /** Which writes must have stopped (by path) before the resync: by default those that count. */
  settles?: (path: string) => boolean;
  /** The controller's reconciles so far (its controller_runtime_reconcile_total). */
  reconciles: () => Promise<number>;
  /** How many objects the resync reconciles at least. */
  objects: number;
}

/** Fails, naming each write (method, path, code), when the operator writes after a resync of objects nothing changed. */
export async function expectNoWriteOnResync(p: ResyncProbe): Promise<void> {
  let last = -1;
  await waitUntil("the operator to go quiet", async () => {
    const now = p.client.writes(p.settles ?? p.counts);
    const quiet = now === last && p.operator.depth() === 0;
    last = now;
    await new Promise((r) => setTimeout(r, 500));
    return quiet ? true : undefined;
  });
  const before = { writes: p.client.writes(p.counts), reconciles: await p.reconciles() };
  p.operator.resync();
  await waitUntil("a reconcile of every object", async () =>
    (await p.reconciles()) >= before.reconciles + p.objects && p.operator.depth() === 0 ? true : undefined,
  );
  await consistently(
    "no write after the resync",
    () => {
      const written = p.client.writeLog(p.counts).slice(before.writes);
      return written.length > 0 ? written : undefined;
    },
    500,
  );
}
