// Summarises a V8 CPU profile of the operator: its busy time by source file and by function, and
// the operator's own functions with what they call, as Markdown tables, largest first. Frames of
// the bundle are named by its source map. A diagnostic for where the operator's CPU goes; take
// the profile with the fleet benchmark, for example:
//
//   BENCH_CONTENDERS=aihub BENCH_NODE_ARGS="$(grep -v '^#' operator/node-options) --cpu-prof \
//     --cpu-prof-dir=bench/results --cpu-prof-interval=2000" node bench/fleet.ts
//   node bench/cpu-profile-summary.ts bench/results/CPU.<...>.cpuprofile [--map dist/operator.mjs.map]
//     [--seconds 180] [--top 30]
//
// --map      the bundle's source map (default dist/operator.mjs.map, when it exists)
// --seconds  only the profile's first this many seconds (for example until Ready)
// --top      rows per table (default 30)
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type CpuProfile, profileTables, sourceMapNames, summarizeProfile } from "./cpu-profile.ts";
import { answerHelp } from "./help.ts";

answerHelp(import.meta.url);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { map: { type: "string" }, seconds: { type: "string" }, top: { type: "string" } },
});
const [file] = positionals;
if (!file) {
  console.error("usage: node bench/cpu-profile-summary.ts <file.cpuprofile> [--map FILE] [--seconds N] [--top N]");
  process.exit(2);
}
const positive = (flag: string, value: string | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) {
    console.error(`--${flag}: want a number above 0, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
};
const seconds = positive("seconds", values.seconds, Infinity);
const top = positive("top", values.top, 30);
const map = values.map ?? (existsSync("dist/operator.mjs.map") ? "dist/operator.mjs.map" : undefined);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
console.log(profileTables(summarizeProfile(profile, sourceMapNames(map), seconds), top));
