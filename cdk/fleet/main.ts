// `make fleet`: synthesises a fleet of municipalities, declared in a CSV, into Kubernetes manifests.
//
// usage: node cdk/fleet/main.ts [--csv <file>] [--out <dir>]
//
//   --csv  the municipalities (default cdk/fleet/municipalities.csv): a header line with the
//          columns code, name, ring, activations and tenant (code and name required), then one
//          municipality a line; see cdk/fleet/municipalities.ts
//   --out  where to write (default dist/fleet): 0000-tenants.k8s.yaml, a MunicipalTenant for each
//          municipality, and 0001-activations.k8s.yaml, its default activations
//
// A file with problems is refused as a whole, each problem with its line and column, and nothing
// is written (exit code 1). Apply the tenants first; once they are Ready (the operator has made
// their namespaces), the activations:
//
//   kubectl apply --server-side -f dist/fleet/0000-tenants.k8s.yaml
//   kubectl wait --for=condition=Ready mt -l app.kubernetes.io/managed-by=aihub-fleet
//   kubectl apply --server-side -f dist/fleet/0001-activations.k8s.yaml
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CsvError } from "./csv.ts";
import { fleetApp } from "./fleet.ts";
import { parseMunicipalities } from "./municipalities.ts";

function usage(): string {
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  const header = lines.slice(
    0,
    lines.findIndex((l) => !l.startsWith("//")),
  );
  return header.map((l) => l.replace(/^\/\/ ?/, "")).join("\n");
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let options: { csv: string; out: string; help?: boolean };
try {
  options = parseArgs({
    options: {
      csv: { type: "string", default: "cdk/fleet/municipalities.csv" },
      out: { type: "string", default: "dist/fleet" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\n\n${usage()}`, 2);
}
if (options.help) {
  console.log(usage());
  process.exit(0);
}

let text: string;
try {
  text = readFileSync(options.csv, "utf8");
} catch (err) {
  fail(`cannot read --csv ${options.csv}: ${(err as Error).message}`, 2);
}

let municipalities: ReturnType<typeof parseMunicipalities>;
try {
  municipalities = parseMunicipalities(text, options.csv);
} catch (err) {
  if (!(err instanceof CsvError)) throw err;
  fail(`${err.message}\n${options.csv}: nothing written`, 1);
}

// The files of an earlier run go: a chart that is no longer there must not stay behind.
try {
  for (const file of readdirSync(options.out)) if (file.endsWith(".k8s.yaml")) rmSync(join(options.out, file));
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
}
const app = fleetApp(municipalities, options.out);
app.synth();
const activations = municipalities.reduce((n, m) => n + m.activations.length, 0);
for (const file of readdirSync(options.out)
  .filter((f) => f.endsWith(".k8s.yaml"))
  .sort()) {
  console.log(`wrote ${join(options.out, file)}`);
}
console.log(`${municipalities.length} municipalities, ${activations} activations`);
