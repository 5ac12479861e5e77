// Summarises a V8 heap snapshot (from `BENCH_HEAP_SNAPSHOT=1 make bench`): the live heap by
// node type and constructor name, largest first. A diagnostic for where the operator's memory goes.
//
//   node bench/heap-summary.ts bench/results/Heap.<...>.heapsnapshot [top=30]
import { readFileSync } from "node:fs";
import { answerHelp } from "./help.ts";

answerHelp(import.meta.url);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] }; node_count: number };
  nodes: number[];
  strings: string[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/heap-summary.ts <file.heapsnapshot> [top]");
  process.exit(2);
}
const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const stride = fields.length;
const at = (f: string) => fields.indexOf(f);
const [TYPE, NAME, SIZE] = [at("type"), at("name"), at("self_size")];

const groups = new Map<string, { count: number; bytes: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += stride) {
  const type = types[snap.nodes[i + TYPE] as number] as string;
  const size = snap.nodes[i + SIZE] as number;
  // Strings are grouped as one; objects by constructor; the rest by type and name.
  const name =
    type === "string" || type === "concatenated string" || type === "sliced string"
      ? "(strings)"
      : `${type}: ${snap.strings[snap.nodes[i + NAME] as number]?.slice(0, 60)}`;
  const g = groups.get(name) ?? { count: 0, bytes: 0 };
  g.count++;
  g.bytes += size;
  groups.set(name, g);
  total += size;
}
const top = Number(topArg ?? 30);
console.log(`live heap: ${(total / 2 ** 20).toFixed(1)} MB in ${snap.snapshot.node_count} nodes\n`);
console.log("| MB | count | what |\n| ---: | ---: | --- |");
for (const [name, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  console.log(`| ${(g.bytes / 2 ** 20).toFixed(1)} | ${g.count} | ${name.replaceAll("|", "\\|")} |`);
}
