// The V8 flags in operator/node-options and the environment in operator/node-env, for whatever
// starts the operator as a process.
import { readFileSync } from "node:fs";
import { nodeEnv } from "../../operator/image/image-config.ts";

/** The environment to start the operator in: this process's, with operator/node-env's variables unless set. */
export function operatorNodeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...nodeEnv(), ...env };
}

export function operatorNodeOptions(file = "operator/node-options"): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join(" ")
    .split(/\s+/)
    .filter(Boolean);
}
