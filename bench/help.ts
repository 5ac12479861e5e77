// `--help` for a benchmark script: prints the comment at the top of the script (what it measures
// and the BENCH_* variables it reads) and exits.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function answerHelp(scriptUrl: string): void {
  if (!process.argv.includes("--help") && !process.argv.includes("-h")) return;
  const header = readFileSync(fileURLToPath(scriptUrl), "utf8")
    .split("\n")
    .filter((line, i, lines) => line.startsWith("//") && lines.slice(0, i).every((l) => l.startsWith("//")))
    .map((line) => line.replace(/^\/\/ ?/, ""));
  console.log(header.join("\n"));
  process.exit(0);
}
