// A program's settings as flags and environment variables, the way the operator and the portal
// both take them: a flag wins over its variable, an empty value counts as unset, one zod schema
// validates the lot, and every bad setting is answered at once with its flag, its variable, the
// value given and what would be accepted. `--help` lists every flag with its variable and default.
import { parseArgs } from "node:util";
import { z } from "zod";

export interface FlagSource {
  flag: string;
  env: string;
  help: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Whether the arguments ask for help. */
export const wantsHelp = (argv: readonly string[]) => argv.includes("--help") || argv.includes("-h");

/** host:port, an empty host meaning every interface; `example` is shown in the error. */
export const hostPort = (example: string) =>
  z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]*):[0-9]{1,5}$/, `expected host:port, for example ${example} or :8080`);

/** A whole number from a string, within bounds. */
export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

/** Each setting's raw value: its flag (`--name=value` or `--name value`), else its variable. */
export function readSettings(
  sources: Record<string, FlagSource>,
  argv: readonly string[],
  env: Record<string, string | undefined>,
): Record<string, string> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.values(sources).map((s) => [s.flag, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | undefined>;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; see --help for the flags`);
  }
  const raw: Record<string, string> = {};
  for (const [key, s] of Object.entries(sources)) {
    const value = values[s.flag] ?? env[s.env];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  return raw;
}

/** One error for every issue, each naming the flag, the variable and the value given. */
export function configError(
  sources: Record<string, FlagSource>,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  raw: Record<string, string>,
): ConfigError {
  const lines = issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const s = sources[key];
    const where = s ? `--${s.flag} (${s.env})` : key;
    return `${where}: ${issue.message}${raw[key] === undefined ? "" : `, got ${JSON.stringify(raw[key])}`}`;
  });
  return new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
}

/** The usage text: `intro` lines, then every flag with its variable, what it is for and its default. */
export function usageText(
  sources: Record<string, FlagSource>,
  intro: readonly string[],
  shownDefault: (key: string) => string | undefined,
): string {
  const rows = Object.entries(sources).map(([key, s]) => {
    const d = shownDefault(key);
    return `  --${s.flag} (${s.env})\n      ${s.help}${d ? `; default ${d}` : ""}`;
  });
  return [...intro, "", "Flags:", ...rows, "  --help, -h", "      print this and exit"].join("\n");
}

/**
 * What a program's entry point does first: `--help` prints `usage()` and exits 0; a bad setting
 * prints the ConfigError and exits 2 (a usage error); otherwise the configuration.
 */
export function configFromCommandLine<T>(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  load: (argv: string[], env: Record<string, string | undefined>) => T,
  usage: () => string,
): T {
  if (wantsHelp(argv)) {
    console.log(usage());
    process.exit(0);
  }
  try {
    return load([...argv], env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}
