// An activation's parameter values checked against its block's parameter definitions. The CRD
// cannot do this (the values are untyped there, ADR 2), so the webhook and the reconciler use the
// zod schema built here. Messages name the parameter, the value given and what is allowed.
import { z } from "zod";
import { urlProblem } from "./url.ts";
import { type ParameterDefinition, valueMatchesType } from "./v1alpha1/index.ts";

export type ParameterValue = string | number | boolean;

export interface ParameterError {
  parameter: string;
  message: string;
}

export type ParameterValidation =
  | { ok: true; values: Record<string, ParameterValue> }
  | { ok: false; errors: ParameterError[] };

/** Go's time.ParseDuration syntax (what a block written in Go reads): 30s, 1.5h, 1h30m, 0; a sign is allowed. */
export const GO_DURATION_PATTERN = /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/;

const NANOSECONDS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_DURATION = 2n ** 63n - 1n; // Go's Duration is an int64 of nanoseconds

/** Whether a duration in Go's syntax fits Go's int64 nanoseconds (about 2562047h); Go refuses larger ones. */
function fitsGoDuration(text: string): boolean {
  if (!GO_DURATION_PATTERN.test(text)) return true; // the syntax check reports it
  let total = 0n;
  for (const [, whole = "", fraction = "", unit = ""] of text.matchAll(
    /([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/g,
  )) {
    const scale = NANOSECONDS[unit] ?? 1n;
    total += BigInt(whole || "0") * scale;
    if (fraction) total += BigInt(Math.floor(Number(`0.${fraction}`) * Number(scale)));
  }
  // Go allows one nanosecond more for negative durations.
  return total <= (text.startsWith("-") ? MAX_DURATION + 1n : MAX_DURATION);
}

/** A value as the user wrote it: strings quoted (and shortened), numbers and booleans bare. */
function show(value: unknown): string {
  if (typeof value === "string") {
    const quoted = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    return value.length > 60 ? `${quoted} (${value.length} characters)` : quoted;
  }
  return value === undefined ? "nothing" : JSON.stringify(value);
}

function range(def: ParameterDefinition): string {
  if (def.minimum !== undefined && def.maximum !== undefined) return `allowed ${def.minimum} to ${def.maximum}`;
  if (def.minimum !== undefined) return `allowed at least ${def.minimum}`;
  if (def.maximum !== undefined) return `allowed at most ${def.maximum}`;
  return `allowed ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`;
}

const EXAMPLE_DURATIONS = "30s, 5m or 2h";

function expected(def: ParameterDefinition): string {
  switch (def.type) {
    case "integer":
      return "an integer";
    case "boolean":
      return "a boolean (true or false)";
    case "enum":
      return `one of ${(def.allowedValues ?? []).join(", ")}`;
    case "duration":
      return `a duration such as ${EXAMPLE_DURATIONS}`;
    case "url":
      return "an absolute https URL";
    default:
      return "a string";
  }
}

/** The message for a value of the wrong JSON type; YAML quoting is the usual cause, in both directions. */
function wrongType(def: ParameterDefinition, value: unknown): string {
  const prefix = `parameter ${def.name}: ${show(value)}`;
  if (typeof value === "string") {
    const unquoted =
      (def.type === "integer" && /^[-+]?[0-9]+$/.test(value.trim())) ||
      (def.type === "boolean" && /^(true|false)$/.test(value.trim()));
    return unquoted
      ? `${prefix} is a string, but ${expected(def)} is expected; remove the quotes around it`
      : `${prefix} is not ${expected(def)}`;
  }
  if (def.type === "integer" && typeof value === "number") return `${prefix} is not a whole number; ${range(def)}`;
  if (typeof value === "number" || typeof value === "boolean") {
    return `${prefix} is a ${typeof value}, but ${expected(def)} is expected; put it in quotes`;
  }
  return `${prefix} is not ${expected(def)}`;
}

function issueMessage(def: ParameterDefinition, iss: z.core.$ZodRawIssue): string {
  const value = iss.input;
  if (value === undefined) return `parameter ${def.name} is required`;
  if (!valueMatchesType(def.type, value)) return wrongType(def, value);
  const prefix = `parameter ${def.name}: ${show(value)}`;
  switch (iss.code) {
    case "too_big":
      return typeof value === "string"
        ? `${prefix} is too long; allowed at most ${maxStringLength(def)} characters`
        : `${prefix} is too large; ${range(def)}`;
    case "too_small":
      return `${prefix} is too small; ${range(def)}`;
    case "invalid_value":
      return `${prefix} is not ${expected(def)}`;
    case "invalid_format":
      return `${prefix} is not a duration such as ${EXAMPLE_DURATIONS}`;
    case "custom":
      return def.type === "url"
        ? `${prefix} ${urlProblem(String(value))}`
        : `${prefix} is longer than a duration can be; allowed at most 2562047h`;
    default:
      return `${prefix} is not valid: ${iss.message ?? iss.code}`;
  }
}

/**
 * The longest string value: the block's maxLength, else 1024. The CRD cannot bound the values
 * (their type is open, ADR 2), so without this a tenant could write up to etcd's limit into
 * every activation's ConfigMap.
 */
export const DEFAULT_MAX_STRING_LENGTH = 1024;
const maxStringLength = (def: ParameterDefinition) => def.maxLength ?? DEFAULT_MAX_STRING_LENGTH;

/** The zod schema of one parameter's value, with messages that name it. */
function valueSchema(def: ParameterDefinition): z.ZodType {
  const error = (iss: z.core.$ZodRawIssue) => issueMessage(def, iss);
  switch (def.type) {
    case "integer": {
      let schema = z.number({ error }).int({ error });
      if (def.minimum !== undefined) schema = schema.min(def.minimum, { error });
      if (def.maximum !== undefined) schema = schema.max(def.maximum, { error });
      return schema;
    }
    case "boolean":
      return z.boolean({ error });
    case "enum":
      return z.enum(def.allowedValues ?? [], { error });
    case "duration":
      return z
        .string({ error })
        .max(DEFAULT_MAX_STRING_LENGTH, { error })
        .regex(GO_DURATION_PATTERN, { error })
        .refine(fitsGoDuration, { error });
    case "url":
      return z.string({ error }).refine((v) => urlProblem(v) === undefined, { error });
    default:
      return z.string({ error }).max(maxStringLength(def), { error });
  }
}

function unknownParameterMessage(names: string[], definitions: ParameterDefinition[], blockName?: string): string {
  const block = blockName ? `block ${blockName}` : "the block";
  const subject = names.length === 1 ? `parameter ${names[0]} is` : `parameters ${names.join(", ")} are`;
  return definitions.length === 0
    ? `${subject} not defined by ${block}; it defines no parameters, so remove spec.parameters`
    : `${subject} not defined by ${block}; it defines: ${definitions.map((d) => d.name).join(", ")}`;
}

/**
 * One strict object schema for an activation's spec.parameters: unknown parameters are refused,
 * required ones without a default must be given, and defaults fill in what is absent.
 */
export function parameterSchema(definitions: ParameterDefinition[], blockName?: string) {
  const shape: Record<string, z.ZodType> = {};
  for (const def of definitions) {
    const schema = valueSchema(def);
    shape[def.name] =
      def.default !== undefined ? schema.default(def.default) : def.required ? schema : schema.optional();
  }
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === "unrecognized_keys" ? unknownParameterMessage(iss.keys, definitions, blockName) : undefined,
  });
}

/**
 * The schema of a list of definitions, built once per list: building a zod object schema costs
 * more than parsing with it, and a reconcile validates its activation's parameters against the
 * definitions of the block as cached (parsed once, frozen: the same list until the block changes).
 */
const schemas = new WeakMap<ParameterDefinition[], Map<string | undefined, ReturnType<typeof parameterSchema>>>();

function schemaFor(definitions: ParameterDefinition[], blockName: string | undefined) {
  let byBlock = schemas.get(definitions);
  if (!byBlock) {
    byBlock = new Map();
    schemas.set(definitions, byBlock);
  }
  let schema = byBlock.get(blockName);
  if (!schema) {
    schema = parameterSchema(definitions, blockName);
    byBlock.set(blockName, schema);
  }
  return schema;
}

export function validateParameters(
  definitions: ParameterDefinition[],
  values: Record<string, unknown> | undefined,
  blockName?: string,
): ParameterValidation {
  const result = schemaFor(definitions, blockName).safeParse(values ?? {});
  if (result.success) return { ok: true, values: result.data as Record<string, ParameterValue> };
  // One error per unknown parameter, so each can be reported against its own name.
  const errors = result.error.issues.flatMap((iss): ParameterError[] =>
    iss.code === "unrecognized_keys"
      ? iss.keys.map((key) => ({ parameter: key, message: unknownParameterMessage([key], definitions, blockName) }))
      : [{ parameter: String(iss.path[0] ?? ""), message: iss.message }],
  );
  return { ok: false, errors };
}

/** The values as ConfigMap data: keys sorted so the object is stable, numbers and booleans as JSON text. */
export function renderParameters(values: Record<string, ParameterValue>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((key) => {
        const value = values[key];
        return [key, typeof value === "string" ? value : JSON.stringify(value)];
      }),
  );
}
