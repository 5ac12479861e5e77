import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the operator's modules", () => {
  // Everything main.ts starts from, loaded in a fresh node as the bundle loads it (ES modules).
  const modules = [
    "./operator.ts",
    "./runtime/health-server.ts",
    "./runtime/secure-metrics.ts",
    "./runtime/memory-reducer.ts",
    "./webhook/serve-webhook.ts",
    "./pki/certificates.ts",
  ];

  it("do not load Node's bundled fetch implementation (undici, about 17 MB resident), which the operator never uses", () => {
    const script = `${modules.map((m) => `await import(${JSON.stringify(new URL(m, import.meta.url).href)});`).join("\n")}
      console.log(JSON.stringify(process.moduleLoadList.filter((m) => /undici/.test(m))));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }),
    ) as string[];
    expect(loaded).toEqual([]);
  });
});
