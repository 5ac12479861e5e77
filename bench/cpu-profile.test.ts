import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CpuProfile, profileTables, sourceMapNames, summarizeProfile } from "./cpu-profile.ts";

const frame = (functionName: string, url = "") => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

// root -> work -> inner, and root -> (idle). A sample lasts until the next one.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 3] },
    { id: 2, callFrame: frame("work", "file:///repo/operator/src/a.ts"), children: [4] },
    { id: 3, callFrame: frame("(idle)") },
    { id: 4, callFrame: frame("inner", "node:internal/streams/readable") },
  ],
  samples: [4, 2, 3, 4, 2],
  timeDeltas: [0, 1000, 2000, 4000, 8000],
};

describe("summarizeProfile", () => {
  const summary = summarizeProfile(profile, sourceMapNames(undefined));

  it("gives each sample the time until the next, and leaves idle samples out of busy", () => {
    expect(summary.seconds).toBeCloseTo(0.015);
    expect(summary.busySeconds).toBeCloseTo(0.001 + 0.002 + 0.008);
    expect(summary.selfByFunction.get("inner (node:internal/streams/readable)")).toBeCloseTo(0.009);
    expect(summary.selfByFunction.get("work (operator/src/a.ts)")).toBeCloseTo(0.002);
    expect(summary.selfByFile.get("operator/src/a.ts")).toBeCloseTo(0.002);
    expect([...summary.selfByFunction.keys()].some((k) => k.startsWith("(idle)"))).toBe(false);
  });

  it("counts a sample for every function on its stack once", () => {
    expect(summary.totalByFunction.get("work (operator/src/a.ts)")).toBeCloseTo(0.011);
    expect(summary.totalByFunction.get("(root)")).toBeCloseTo(0.011);
  });

  it("stops at the window", () => {
    const first = summarizeProfile(profile, sourceMapNames(undefined), 0.0015);
    expect(first.busySeconds).toBeCloseTo(0.003);
    expect(first.seconds).toBeCloseTo(0.0015);
  });

  it("prints the operator's own functions with what they call, largest first", () => {
    const text = profileTables(summary);
    expect(text).toContain("| 0.01 | work (operator/src/a.ts) |");
    const own = text.slice(text.indexOf("with what it calls"));
    expect(own).not.toContain("inner");
  });
});

describe("sourceMapNames", () => {
  it("names a frame of the bundle by its source, and others by their URL", () => {
    const dir = mkdtempSync(join(tmpdir(), "cpu-profile-"));
    const map = join(dir, "operator.mjs.map");
    // Line 1 of the bundle from column 0: the first source's line 1, with a name in the map that
    // is not used (see sourceMapNames); from column 10: the second source's line 2.
    const sources = ["../operator/src/kube/rest-client.ts", "../node_modules/cdk8s/lib/resolve.js"];
    writeFileSync(map, JSON.stringify({ version: 3, sources, names: ["runPhases"], mappings: "AAAAA,UCCA" }));
    const name = sourceMapNames(map);
    const at = (columnNumber: number) => ({
      functionName: "f",
      url: "file:///x/dist/operator.mjs",
      lineNumber: 0,
      columnNumber,
    });
    expect(name(at(3))).toEqual({ fn: "f", file: "operator/src/kube/rest-client.ts", line: 1 });
    expect(name({ ...at(3), functionName: "" })).toEqual({
      fn: "(anonymous)",
      file: "operator/src/kube/rest-client.ts",
      line: 1,
    });
    expect(name(at(12))).toEqual({ fn: "f", file: "node_modules/cdk8s/lib/resolve.js", line: 2 });
    expect(name(frame("(garbage collector)"))).toEqual({ fn: "(garbage collector)", file: "(garbage collector)" });
    expect(name({ ...frame(""), url: "node:_http_client" })).toEqual({ fn: "(anonymous)", file: "node:_http_client" });
    rmSync(dir, { recursive: true });
  });
});
