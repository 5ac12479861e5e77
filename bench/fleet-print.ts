// node bench/fleet-print.ts FILE: prints the tables of a fleet run (`make bench`) from the JSON
// it wrote to bench/results/. The benchmark writes that JSON after each run, so a run stopped
// during its growth runs still holds its main run and every growth run it finished; this prints
// them as the benchmark prints them at its end, with the same code (bench/fleet-report.ts).
//
// node bench/fleet-print.ts --rounds FILE...: the rounds of raw client and aihub in turn
// (BENCH_ROUNDS=N) of several runs as one table, each round named by its run's start, and what
// they say together: the medians, the means with their 95 % intervals, the ranges, how many
// rounds were at most 1.2 times raw (issue 16's target), aihub's peak RSS.
import { readFileSync } from "node:fs";
import type { FleetSetup } from "./fleet-report.ts";
import { printFleetReport } from "./fleet-report.ts";
import { type Round, roundsSummary, roundsTable } from "./fleet-rounds.ts";
import { answerHelp } from "./help.ts";

answerHelp(import.meta.url);

type Run = FleetSetup & { main?: Record<string, unknown>; growth?: Record<string, unknown>[] };

/** The run in `file`, or the process ends with a message that names the file. */
function readRun(file: string): Run & { main: Record<string, unknown> } {
  let run: Run;
  try {
    run = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    console.error(`${file}: not the JSON of a fleet run (${(err as Error).message})`);
    process.exit(1);
  }
  if (!run.main || !run.machine) {
    console.error(
      `${file}: no "main" or "machine": not the JSON of a fleet run (make bench writes fleet-<start>.json)`,
    );
    process.exit(1);
  }
  return run as Run & { main: Record<string, unknown> };
}

const args = process.argv.slice(2);
if (args[0] === "--rounds") {
  const files = args.slice(1);
  if (!files.length) {
    console.error("usage: node bench/fleet-print.ts --rounds bench/results/fleet-<start>.json...");
    process.exit(2);
  }
  const rounds: Round[] = [];
  const labels: string[] = [];
  for (const file of files) {
    const run = readRun(file);
    const own = (run.main.rounds as Round[] | undefined) ?? [];
    if (!own.length) {
      console.error(`${file}: no rounds (a run with BENCH_ROUNDS=2 or more has them)`);
      process.exit(1);
    }
    // The run's start, minutes exact: which run a round came from.
    const start = run.startedAt?.slice(0, 16).replace("T", " ") ?? file;
    own.forEach((r, i) => {
      rounds.push(r);
      labels.push(`${start}, ${i + 1}`);
    });
  }
  console.log(
    `Raw client and aihub in turn: ${rounds.length} rounds of ${files.length} run${files.length === 1 ? "" : "s"} (each aihub phase against the raw phases before and after it)\n\n${roundsTable(rounds, labels)}\n\n${roundsSummary(rounds)}`,
  );
} else {
  const file = args[0];
  if (!file) {
    console.error(
      "usage: node bench/fleet-print.ts bench/results/fleet-<start>.json, or --rounds bench/results/fleet-<start>.json...",
    );
    process.exit(2);
  }
  const { main, growth, ...setup } = readRun(file);
  printFleetReport(main, growth ?? [], setup);
}
