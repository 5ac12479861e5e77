// kubectl-aihub: the kubectl plugin of aihub (issue 14). `kubectl aihub --help` says what it does.
import { ApiError } from "../../operator/src/kube/rest-client.ts";
import { type Api, connect } from "./api.ts";
import { type Invocation, parseCommandLine } from "./args.ts";
import { approve, catalog, decline, explainBlock, type Result, rollout, tenants, updates } from "./commands.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.ts";
import { serialise } from "./format.ts";
import { helpFor } from "./help.ts";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The API for the invocation's kubeconfig and context; tests pass their own. */
  connect?: (o: { kubeconfig?: string; context?: string }) => Api;
  now?: () => Date;
}

/** Runs one command line; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let inv: Invocation;
  try {
    inv = parseCommandLine(argv);
  } catch (err) {
    return fail(io, err);
  }
  if (inv.command.name === "help") {
    const text = helpFor(inv.command.topic);
    if (text === undefined) return fail(io, new UsageError(`no help for "${inv.command.topic}": unknown command`));
    io.stdout(text);
    return EXIT_OK;
  }
  let api: Api | undefined;
  try {
    api = (io.connect ?? connect)({
      ...(inv.kubeconfig !== undefined && { kubeconfig: inv.kubeconfig }),
      ...(inv.context !== undefined && { context: inv.context }),
    });
    const result = await execute(inv, api, io.now?.() ?? new Date());
    if (result.note) io.stderr(`${result.note}\n`);
    io.stdout(inv.output === "table" ? result.text : serialise(result.data, inv.output));
    return EXIT_OK;
  } catch (err) {
    return fail(io, err);
  } finally {
    api?.close();
  }
}

function execute(inv: Invocation, api: Api, now: Date): Promise<Result> {
  const c = inv.command;
  switch (c.name) {
    case "tenants":
      return tenants(api);
    case "updates":
      return updates(inv, api);
    case "approve":
      return approve({ ...inv, command: c }, api);
    case "decline":
      return decline({ ...inv, command: c }, api);
    case "catalog":
      return catalog(api, now);
    case "explain-block":
      return explainBlock({ ...inv, command: c }, api);
    case "rollout":
      return rollout({ ...inv, command: c }, api);
    case "help":
      throw new Error("help is answered before connecting");
  }
}

/** Prints the error as kubectl would and returns its exit code. */
export function fail(io: Pick<Io, "stderr">, err: unknown): number {
  if (err instanceof UsageError) {
    io.stderr(`error: ${err.message}\nSee 'kubectl aihub --help' for usage.\n`);
    return EXIT_USAGE;
  }
  if (err instanceof ApiError) {
    io.stderr(`Error from server${err.reason ? ` (${err.reason})` : ""}: ${err.message}\n`);
    return EXIT_FAILED;
  }
  io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT_FAILED;
}

if (import.meta.main) {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}
