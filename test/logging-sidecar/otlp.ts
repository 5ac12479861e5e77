// OTLP for the tests of the logging sidecar: spans as a block writes them (OTLP/JSON over HTTP,
// or protobuf, otlp-protobuf.ts, what an SDK's OTLP/HTTP exporter sends) and a small protobuf reader for what the sidecar
// exports to the Logboek (ExportTraceServiceRequest, ExportLogsServiceRequest over gRPC).
import { randomBytes } from "node:crypto";
import { tracesProtobuf } from "./otlp-protobuf.ts";

export type Value = string | number | boolean | bigint | Uint8Array | Value[] | { [key: string]: Value } | null;

/** A span as the Logboek received it. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  status: { code: number; message: string };
  attributes: Record<string, Value>;
  resource: Record<string, Value>;
}

/** A log record as the Logboek received it. */
export interface ReceivedLog {
  body: Value;
  attributes: Record<string, Value>;
  resource: Record<string, Value>;
}

// --- protobuf wire format -------------------------------------------------------------------

class Reader {
  pos = 0;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error("protobuf: truncated varint");
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  fixed64(): bigint {
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getBigUint64(0, true);
    this.pos += 8;
    return v;
  }
  double(): number {
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = Number(this.varint());
    const b = this.buf.subarray(this.pos, this.pos + n);
    if (b.length !== n) throw new Error("protobuf: truncated field");
    this.pos += n;
    return b;
  }
  /** Each field of a message: its number, wire type and (for length-delimited fields) bytes. */
  *fields(): Generator<{ field: number; wire: number; r: Reader }> {
    while (!this.done) {
      const tag = Number(this.varint());
      yield { field: tag >>> 3, wire: tag & 7, r: this };
    }
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`protobuf: wire type ${wire}`);
  }
}

const text = new TextDecoder("utf-8", { fatal: true });
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function anyValue(buf: Uint8Array): Value {
  const r = new Reader(buf);
  let v: Value = null;
  for (const { field, wire } of r.fields()) {
    if (field === 1 && wire === 2) v = text.decode(r.bytes());
    else if (field === 2 && wire === 0) v = r.varint() !== 0n;
    else if (field === 3 && wire === 0) v = BigInt.asIntN(64, r.varint());
    else if (field === 4 && wire === 1) v = r.double();
    else if (field === 5 && wire === 2) v = repeated(r.bytes(), 1, anyValue);
    else if (field === 6 && wire === 2) v = keyValues(repeated(r.bytes(), 1, (b) => b));
    else if (field === 7 && wire === 2) v = r.bytes();
    else r.skip(wire);
  }
  // Whole numbers as numbers where they fit, so that tests compare them simply.
  return typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

function repeated<T>(buf: Uint8Array, number: number, decode: (b: Uint8Array) => T): T[] {
  const r = new Reader(buf);
  const out: T[] = [];
  for (const { field, wire } of r.fields()) {
    if (field === number && wire === 2) out.push(decode(r.bytes()));
    else r.skip(wire);
  }
  return out;
}

function keyValues(kvs: Uint8Array[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of kvs) {
    const r = new Reader(kv);
    let key = "";
    let value: Value = null;
    for (const { field, wire } of r.fields()) {
      if (field === 1 && wire === 2) key = text.decode(r.bytes());
      else if (field === 2 && wire === 2) value = anyValue(r.bytes());
      else r.skip(wire);
    }
    out[key] = value;
  }
  return out;
}

/** Resource (field 1 of ResourceSpans/ResourceLogs) and the messages of the scopes (field 2). */
function resources(
  request: Uint8Array,
  recordField: number,
): { resource: Record<string, Value>; records: Uint8Array[] }[] {
  return repeated(request, 1, (rs) => {
    const r = new Reader(rs);
    let resource: Record<string, Value> = {};
    const records: Uint8Array[] = [];
    for (const { field, wire } of r.fields()) {
      if (field === 1 && wire === 2) resource = keyValues(repeated(r.bytes(), 1, (b) => b));
      else if (field === 2 && wire === 2) records.push(...repeated(r.bytes(), recordField, (b) => b));
      else r.skip(wire);
    }
    return { resource, records };
  });
}

/** The spans of an ExportTraceServiceRequest. */
export function decodeTraces(request: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const { resource, records } of resources(request, 2)) {
    for (const span of records) {
      const s: ReceivedSpan = {
        traceId: "",
        spanId: "",
        parentSpanId: "",
        name: "",
        startTimeUnixNano: 0n,
        endTimeUnixNano: 0n,
        status: { code: 0, message: "" },
        attributes: {},
        resource,
      };
      const attrs: Uint8Array[] = [];
      const r = new Reader(span);
      for (const { field, wire } of r.fields()) {
        if (field === 1 && wire === 2) s.traceId = hex(r.bytes());
        else if (field === 2 && wire === 2) s.spanId = hex(r.bytes());
        else if (field === 4 && wire === 2) s.parentSpanId = hex(r.bytes());
        else if (field === 5 && wire === 2) s.name = text.decode(r.bytes());
        else if (field === 7 && wire === 1) s.startTimeUnixNano = r.fixed64();
        else if (field === 8 && wire === 1) s.endTimeUnixNano = r.fixed64();
        else if (field === 9 && wire === 2) attrs.push(r.bytes());
        else if (field === 15 && wire === 2) {
          const st = new Reader(r.bytes());
          for (const f of st.fields()) {
            if (f.field === 2 && f.wire === 2) s.status.message = text.decode(st.bytes());
            else if (f.field === 3 && f.wire === 0) s.status.code = Number(st.varint());
            else st.skip(f.wire);
          }
        } else r.skip(wire);
      }
      s.attributes = keyValues(attrs);
      out.push(s);
    }
  }
  return out;
}

/** The log records of an ExportLogsServiceRequest. */
export function decodeLogs(request: Uint8Array): ReceivedLog[] {
  const out: ReceivedLog[] = [];
  for (const { resource, records } of resources(request, 2)) {
    for (const record of records) {
      const l: ReceivedLog = { body: null, attributes: {}, resource };
      const attrs: Uint8Array[] = [];
      const r = new Reader(record);
      for (const { field, wire } of r.fields()) {
        if (field === 5 && wire === 2) l.body = anyValue(r.bytes());
        else if (field === 6 && wire === 2) attrs.push(r.bytes());
        else r.skip(wire);
      }
      l.attributes = keyValues(attrs);
      out.push(l);
    }
  }
  return out;
}

// --- what a block sends: OTLP/JSON ----------------------------------------------------------

/** A span the test block writes. */
export interface BlockSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, string | number>;
  statusCode?: 1 | 2; // OK, ERROR
}

/** W3C trace context of a call from another organisation: its trace id and the caller's span id. */
export function traceparent(): { header: string; traceId: string; parentSpanId: string } {
  const traceId = randomBytes(16).toString("hex");
  const parentSpanId = randomBytes(8).toString("hex");
  return { header: `00-${traceId}-${parentSpanId}-01`, traceId, parentSpanId };
}

/** Trace and parent span id from a traceparent header (version 00). */
export function parseTraceparent(header: string): { traceId: string; parentSpanId: string } {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(header);
  if (!m?.[1] || !m[2]) throw new Error(`bad traceparent ${header}`);
  return { traceId: m[1], parentSpanId: m[2] };
}

export const newSpanId = () => randomBytes(8).toString("hex");

const jsonValue = (v: string | number) =>
  typeof v === "number" ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { stringValue: v };

/** An OTLP/JSON ExportTraceServiceRequest for /v1/traces. */
export function tracesJson(spans: BlockSpan[], resource: Record<string, string> = {}): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([key, v]) => ({ key, value: jsonValue(v) })) },
        scopeSpans: [
          {
            scope: { name: "aihub-test-block", version: "1.0.0" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: 2, // SERVER: the block handles a call
              startTimeUnixNano: String(s.startTimeUnixNano),
              endTimeUnixNano: String(s.endTimeUnixNano),
              attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: jsonValue(v) })),
              status: { code: s.statusCode ?? 1 },
            })),
          },
        ],
      },
    ],
  });
}

/**
 * Writes spans to the sidecar's OTLP/HTTP receiver as an SDK does, and retries until the sidecar
 * acknowledges them (2xx): refused connections and 429/5xx are retried, as an OTLP exporter
 * retries them. Returns how many attempts it took.
 */
export async function writeSpans(
  url: string,
  spans: BlockSpan[],
  opts: {
    resource?: Record<string, string>;
    deadline?: number;
    signal?: AbortSignal;
    /** The body: OTLP/JSON (default), or protobuf as from OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf. */
    encoding?: "json" | "protobuf";
  } = {},
): Promise<number> {
  const protobuf = opts.encoding === "protobuf";
  const body = protobuf ? tracesProtobuf(spans, opts.resource) : tracesJson(spans, opts.resource);
  const deadline = opts.deadline ?? Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": protobuf ? "application/x-protobuf" : "application/json" },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.ok) return attempt;
      problem = `HTTP ${res.status}`;
      if (res.status === 400) throw new Error(`the sidecar refused the spans: ${problem}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("the sidecar refused")) throw e;
      problem = String((e as Error).cause ?? e);
    }
    if (opts.signal?.aborted) throw new Error(`write aborted after ${attempt} attempts: ${problem}`);
    if (Date.now() > deadline) throw new Error(`spans not acknowledged after ${attempt} attempts: ${problem}`);
    await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 1000)));
  }
}
