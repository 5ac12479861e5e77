// The command line of `kubectl aihub`: the command, its arguments and the flags, checked against
// what each command takes. Flags may come before or after the command, as with kubectl.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

export type OutputFormat = "table" | "json" | "yaml";

export type Command =
  | { name: "help"; topic?: string }
  | { name: "tenants" }
  | { name: "updates" }
  | { name: "approve"; activation: string }
  | { name: "decline"; activation: string }
  | { name: "catalog" }
  | { name: "explain-block"; block: string }
  | { name: "rollout"; action: RolloutAction; block: string };

export type RolloutAction = "status" | "pause" | "resume" | "abort";
export const ROLLOUT_ACTIONS: readonly RolloutAction[] = ["status", "pause", "resume", "abort"];

export interface Invocation {
  command: Command;
  output: OutputFormat;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  version?: string;
  yes: boolean;
}

export const COMMANDS = [
  "tenants",
  "updates",
  "approve",
  "decline",
  "catalog",
  "explain-block",
  "rollout",
  "help",
] as const;

const options = {
  help: { type: "boolean", short: "h" },
  output: { type: "string", short: "o" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  namespace: { type: "string", short: "n" },
  "all-namespaces": { type: "boolean", short: "A" },
  version: { type: "string" },
  yes: { type: "boolean", short: "y" },
} as const;

type Flag = keyof typeof options;

/** Flags every command takes; the others only where listed. */
const GLOBAL_FLAGS: readonly Flag[] = ["help", "output", "kubeconfig", "context", "namespace"];
const COMMAND_FLAGS: Record<string, readonly Flag[]> = {
  updates: ["all-namespaces"],
  approve: ["version"],
  decline: ["version"],
  "explain-block": ["version"],
  "rollout status": ["version"],
  "rollout pause": ["version"],
  "rollout resume": ["version"],
  "rollout abort": ["version", "yes"],
};

/**
 * Parses argv (without node and the script). `--help` anywhere yields the help command for what
 * precedes it. Throws UsageError for anything a script could not have meant.
 */
export function parseCommandLine(argv: readonly string[]): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(plainParseError(err));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  const base = {
    output: outputFormat(values.output),
    ...(values.kubeconfig !== undefined && { kubeconfig: nonEmpty("--kubeconfig", values.kubeconfig) }),
    ...(values.context !== undefined && { context: nonEmpty("--context", values.context) }),
    ...(values.namespace !== undefined && { namespace: nonEmpty("--namespace", values.namespace) }),
    allNamespaces: values["all-namespaces"] === true,
    ...(values.version !== undefined && { version: nonEmpty("--version", values.version) }),
    yes: values.yes === true,
  };

  if (values.help || name === undefined || name === "help") {
    const topic = name === "help" || name === undefined ? rest.join(" ") : [name, ...rest].slice(0, 2).join(" ");
    return { ...base, command: { name: "help", ...(topic && { topic }) } };
  }

  const command = toCommand(name, rest);
  const key = command.name === "rollout" ? `rollout ${command.action}` : command.name;
  const allowed = new Set<Flag>([...GLOBAL_FLAGS, ...(COMMAND_FLAGS[key] ?? [])]);
  for (const flag of Object.keys(values) as Flag[]) {
    if (!allowed.has(flag)) throw new UsageError(`${key} does not take --${flag}`);
  }
  if (base.allNamespaces && base.namespace !== undefined)
    throw new UsageError("--namespace and --all-namespaces exclude each other");
  return { ...base, command };
}

function toCommand(name: string, rest: string[]): Command {
  const args = (n: number, what: string) => {
    if (rest.length < n) throw new UsageError(`${name} needs ${what}`);
    if (rest.length > n)
      throw new UsageError(`${name} takes ${n === 0 ? "no arguments" : what}, not also "${rest.slice(n).join(" ")}"`);
    return rest;
  };
  switch (name) {
    case "tenants":
    case "updates":
    case "catalog":
      args(0, "");
      return { name };
    case "approve":
    case "decline":
      return { name, activation: args(1, "the name of a BlockActivation")[0] as string };
    case "explain-block":
      return { name, block: args(1, "the name of an AIBuildingBlock")[0] as string };
    case "rollout": {
      const [action, ...more] = rest;
      if (action === undefined) throw new UsageError(`rollout needs an action: ${ROLLOUT_ACTIONS.join(", ")}`);
      if (!(ROLLOUT_ACTIONS as readonly string[]).includes(action))
        throw new UsageError(`unknown rollout action "${action}": use ${ROLLOUT_ACTIONS.join(", ")}`);
      if (more.length !== 1)
        throw new UsageError(
          more.length === 0
            ? `rollout ${action} needs the name of an AIBuildingBlock`
            : `rollout ${action} takes one block, not "${more.join(" ")}"`,
        );
      return { name, action: action as RolloutAction, block: more[0] as string };
    }
    default:
      throw new UsageError(`unknown command "${name}": use ${COMMANDS.join(", ")}`);
  }
}

function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === "table") return "table";
  if (value === "json" || value === "yaml") return value;
  throw new UsageError(`unknown output format "${value}": use json or yaml (tables are the default)`);
}

function nonEmpty(flag: string, value: string): string {
  if (value === "") throw new UsageError(`${flag} needs a value`);
  return value;
}

/** parseArgs' messages without Node's advice about positionals and "--". */
function plainParseError(err: unknown): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown flag ${flag}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /Option '([^']+)'/.exec(message)?.[1];
    return flag ? `${flag.replace(/^-., /, "").replace(/ <value>$/, "")} needs a value` : message;
  }
  return message;
}
