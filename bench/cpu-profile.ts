// Where a V8 CPU profile (node --cpu-prof) spends its time: self time by source file and by
// function, and time by function including what it calls, over the profile's first N seconds.
// Frames of a bundle are named by its source map, so the operator's bundle reads as its sources.
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** A frame's name for the tables: its function and where it is (a source of the bundle if mapped). */
export type FrameName = (frame: CallFrame) => { fn: string; file: string; line?: number };

/** `fn (file:line)`, or the name alone for V8's own entries ("(garbage collector)", "(program)"). */
const functionKey = (n: ReturnType<FrameName>) =>
  n.file === n.fn && !n.line ? n.fn : `${n.fn} (${n.file}${n.line ? `:${n.line}` : ""})`;

export interface ProfileSummary {
  /** Seconds the profile covers (at most the window asked for). */
  seconds: number;
  /** Seconds the thread was busy: every sample but V8's "(idle)". */
  busySeconds: number;
  selfByFile: Map<string, number>;
  selfByFunction: Map<string, number>;
  /** Each busy sample counted once for every function on its stack. */
  totalByFunction: Map<string, number>;
}

/** Sums a profile's samples, up to `windowSeconds` after its start. */
export function summarizeProfile(profile: CpuProfile, name: FrameName, windowSeconds = Infinity): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Microseconds per sampled node: a sample's time is the delta to the next sample.
  const micros = new Map<number, number>();
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed > windowSeconds * 1e6) break;
    const id = profile.samples[i] as number;
    micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const summary: ProfileSummary = {
    seconds: Math.min(elapsed, windowSeconds * 1e6) / 1e6,
    busySeconds: 0,
    selfByFile: new Map(),
    selfByFunction: new Map(),
    totalByFunction: new Map(),
  };
  const add = (m: Map<string, number>, key: string, s: number) => m.set(key, (m.get(key) ?? 0) + s);
  for (const [id, us] of micros) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    const s = us / 1e6;
    const frameName = name(node.callFrame);
    summary.busySeconds += s;
    add(summary.selfByFile, frameName.file, s);
    add(summary.selfByFunction, functionKey(frameName), s);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      onStack.add(functionKey(name(frame)));
    }
    for (const key of onStack) add(summary.totalByFunction, key, s);
  }
  return summary;
}

/**
 * Names frames by a bundle's source map where the frame is in the bundle (`bundleSuffix`): the
 * source file and the line where the function begins (its name is the minified one: Node's
 * `SourceMap` gives some segments without a name a name from the map's list, so the map's names
 * are not used); by their URL otherwise (Node's own modules, natives). Paths up to `node_modules/` or
 * the repository's root are left out.
 */
export function sourceMapNames(mapFile: string | undefined, bundleSuffix = "operator.mjs"): FrameName {
  const map = mapFile ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : undefined;
  return (frame) => {
    const fn = frame.functionName || "(anonymous)";
    if (map && frame.url.endsWith(bundleSuffix) && frame.lineNumber >= 0) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
      if ("originalSource" in entry && entry.originalSource) {
        return { fn, file: shortPath(entry.originalSource), line: entry.originalLine + 1 };
      }
    }
    return { fn, file: frame.url ? shortPath(frame.url) : fn };
  };
}

function shortPath(path: string): string {
  const modules = path.lastIndexOf("node_modules/");
  if (modules >= 0) return path.slice(modules);
  return path.replace(/^.*?\/(operator|bench|test|portal)\//, "$1/").replace(/^file:\/\//, "");
}

/** The summary as Markdown tables, each largest first, `top` rows. */
export function profileTables(summary: ProfileSummary, top = 30): string {
  const table = (title: string, m: Map<string, number>, filter = (_: string) => true) => {
    const rows = [...m]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, s]) => `| ${s.toFixed(2)} | ${k.replaceAll("|", "\\|")} |`);
    return [`| ${title} | |`, "| ---: | --- |", ...rows].join("\n");
  };
  return [
    `${summary.seconds.toFixed(1)} s profiled, ${summary.busySeconds.toFixed(1)} s busy (not idle)`,
    table("self seconds, by file", summary.selfByFile),
    table("self seconds, by function", summary.selfByFunction),
    table("seconds with what it calls, the operator's own functions", summary.totalByFunction, (k) =>
      k.includes("(operator/"),
    ),
  ].join("\n\n");
}
