// node bench/fleet-print.ts FILE: prints the tables of a fleet run (`make bench`) from the JSON
// it wrote to bench/results/. The benchmark writes that JSON after each run, so a run stopped
// during its growth runs still holds its main run and every growth run it finished; this prints
// them as the benchmark prints them at its end, with the same code (bench/fleet-report.ts).
import { readFileSync } from "node:fs";
import type { FleetSetup } from "./fleet-report.ts";
import { printFleetReport } from "./fleet-report.ts";
import { answerHelp } from "./help.ts";

answerHelp(import.meta.url);

const file = process.argv[2];
if (!file) {
  console.error("usage: node bench/fleet-print.ts bench/results/fleet-<start>.json");
  process.exit(2);
}
let run: FleetSetup & { main?: Record<string, unknown>; growth?: Record<string, unknown>[] };
try {
  run = JSON.parse(readFileSync(file, "utf8"));
} catch (err) {
  console.error(`${file}: not the JSON of a fleet run (${(err as Error).message})`);
  process.exit(1);
}
if (!run.main || !run.machine) {
  console.error(`${file}: no "main" or "machine": not the JSON of a fleet run (make bench writes fleet-<start>.json)`);
  process.exit(1);
}
const { main, growth, ...setup } = run;
printFleetReport(main, growth ?? [], setup);
