// The V8 flags in operator/node-options, for whatever starts the operator as a process.
import { readFileSync } from "node:fs";

export function operatorNodeOptions(file = "operator/node-options"): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join(" ")
    .split(/\s+/)
    .filter(Boolean);
}
