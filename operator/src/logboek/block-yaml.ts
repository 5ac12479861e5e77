// YAML for the sidecar's configuration without the yaml library's document model. Every
// reconcile of an activation renders its collector configuration; through `yaml`'s stringify
// that took about 2.5 ms each and, at 342 municipalities, a seventh of the operator's CPU while
// the fleet converged (ADR 16). This writes the same text for the subset the configuration uses:
// block mappings and sequences, double-quoted printable ASCII strings (but "<<"), plain keys,
// finite decimal numbers and booleans. For anything outside it, it returns undefined and the
// caller uses the library, so the text never depends on which of the two wrote it
// (block-yaml.test.ts compares them). Pure.
import { stringify } from "yaml";

/** A candidate for a plain key: starts with a letter or underscore, then letters, digits, _ . / - only. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
/**
 * Whether the library writes a key plain. Its YAML 1.1 rules quote more than the reserved words
 * (e0, for example); so it is asked once per key. Keys are the configuration's own names and the
 * block's processing activity ids: a few hundred at most, and the memo is bounded.
 */
const plainKeys = new Map<string, boolean>();
const PLAIN_KEYS_MAX = 10_000;
/** Printable ASCII without the two characters a double-quoted scalar escapes. */
const SIMPLE_STRING = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
/** YAML 1.1's merge key: the library writes this string plain, not quoted, so it is left to it. */
const MERGE_KEY = "<<";
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** The options the collector configuration is written with; blockYaml writes the same text. */
export const BLOCK_YAML_OPTIONS = {
  version: "1.1",
  defaultStringType: "QUOTE_DOUBLE",
  defaultKeyType: "PLAIN",
  lineWidth: 0,
  aliasDuplicateObjects: false,
} as const;

class NotSimple extends Error {}

function scalar(value: unknown): string {
  if (typeof value === "string") {
    if (!SIMPLE_STRING.test(value) || value === MERGE_KEY) throw new NotSimple();
    return `"${value}"`;
  }
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    const text = String(value);
    if (!Number.isFinite(value) || !DECIMAL.test(text) || Object.is(value, -0)) throw new NotSimple();
    return text;
  }
  throw new NotSimple();
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** An empty mapping or sequence, written in flow style ({} or []) as the library does. */
const isEmpty = (v: unknown) =>
  (Array.isArray(v) && v.length === 0) || (isMapping(v) && Object.values(v).every((x) => x === undefined));

function key(k: string): string {
  let plain = plainKeys.get(k);
  if (plain === undefined) {
    plain = PLAIN_KEY.test(k) && stringify({ [k]: 0 }, BLOCK_YAML_OPTIONS) === `${k}: 0\n`;
    if (plainKeys.size < PLAIN_KEYS_MAX) plainKeys.set(k, plain);
  }
  if (!plain) throw new NotSimple();
  return k;
}

/** A mapping's entries at `indent`; the first line's indentation may already be written (`first`). */
function mapping(obj: Record<string, unknown>, indent: string, out: string[], first = indent): void {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined);
  let lead = first;
  for (const [k, v] of entries) {
    value(`${lead}${key(k)}:`, v, indent, out);
    lead = indent;
  }
}

/** `head` (a key with its colon, or a sequence's dash) followed by `v`. */
function value(head: string, v: unknown, indent: string, out: string[]): void {
  if (isEmpty(v)) {
    out.push(`${head} ${Array.isArray(v) ? "[]" : "{}"}`);
  } else if (isMapping(v)) {
    out.push(head);
    mapping(v, `${indent}  `, out);
  } else if (Array.isArray(v)) {
    out.push(head);
    for (const item of v) sequenceItem(item, `${indent}  `, out);
  } else {
    out.push(`${head} ${scalar(v)}`);
  }
}

function sequenceItem(item: unknown, indent: string, out: string[]): void {
  if (isEmpty(item)) {
    out.push(`${indent}- ${Array.isArray(item) ? "[]" : "{}"}`);
  } else if (isMapping(item)) {
    // The item's first key on the dash's line, the others under it.
    mapping(item, `${indent}  `, out, `${indent}- `);
  } else if (Array.isArray(item)) {
    throw new NotSimple();
  } else {
    out.push(`${indent}- ${scalar(item)}`);
  }
}

/**
 * `doc` as block YAML, as `stringify(doc, { version: "1.1", defaultStringType: "QUOTE_DOUBLE",
 * defaultKeyType: "PLAIN", lineWidth: 0, aliasDuplicateObjects: false })` writes it; undefined
 * when `doc` holds anything else than the subset above.
 */
export function blockYaml(doc: Record<string, unknown>): string | undefined {
  if (isEmpty(doc)) return undefined;
  const out: string[] = [];
  try {
    mapping(doc, "", out);
  } catch (err) {
    if (err instanceof NotSimple) return undefined;
    throw err;
  }
  return `${out.join("\n")}\n`;
}
