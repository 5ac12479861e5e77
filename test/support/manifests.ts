// Reading YAML manifests (crds/, examples/) as plain objects.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../operator/src/kube/object.ts";

/** Every YAML document in the given files or folders (recursively, in name order). */
export function readManifests(...paths: string[]): KubeObject[] {
  const files: string[] = [];
  const collect = (p: string) => {
    if (statSync(p).isDirectory()) {
      for (const entry of readdirSync(p).sort()) collect(join(p, entry));
    } else if (/\.ya?ml$/.test(p)) files.push(p);
  };
  for (const p of paths) collect(p);
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8")).flatMap((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const value = doc.toJS() as KubeObject | null;
      return value ? [value] : [];
    }),
  );
}
