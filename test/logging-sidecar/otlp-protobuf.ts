// What a block's OpenTelemetry SDK sends when it speaks protobuf, as the tests send it: an
// ExportTraceServiceRequest in the protobuf wire format (opentelemetry-proto's trace, common and
// resource messages, by their field numbers), over OTLP/HTTP (content type
// application/x-protobuf, the block's OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf) or over OTLP/gRPC
// (a unary call of TraceService/Export, framed as gRPC frames it). The collector's own decoder is
// what checks these bytes: what it cannot read it refuses, and what it reads arrives at the
// Logboek, where otlp.ts's reader checks every field.
import http2 from "node:http2";
import type { BlockSpan } from "./otlp.ts";

/** A protobuf message being written: fields appended in order. */
class Writer {
  private readonly chunks: Uint8Array[] = [];

  private varint(n: bigint): void {
    const out: number[] = [];
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.chunks.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: 0 | 1 | 2): void {
    this.varint(BigInt((field << 3) | wire));
  }

  int(field: number, n: number | bigint): this {
    this.tag(field, 0);
    this.varint(BigInt(n));
    return this;
  }

  fixed64(field: number, n: bigint): this {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n, true);
    this.chunks.push(b);
    return this;
  }

  double(field: number, n: number): this {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, n, true);
    this.chunks.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(BigInt(b.length));
    this.chunks.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** AnyValue: string_value 1, int_value 3, double_value 4. */
const anyValue = (v: string | number) =>
  typeof v === "string"
    ? new Writer().string(1, v)
    : Number.isInteger(v)
      ? new Writer().int(3, v)
      : new Writer().double(4, v);

/** KeyValue: key 1, value 2. */
const keyValue = (key: string, v: string | number) => new Writer().string(1, key).message(2, anyValue(v));

/** An ExportTraceServiceRequest with the spans, in one resource and one scope, as an SDK batches them. */
export function tracesProtobuf(spans: BlockSpan[], resource: Record<string, string> = {}): Uint8Array {
  const res = new Writer(); // Resource: attributes 1
  for (const [k, v] of Object.entries(resource)) res.message(1, keyValue(k, v));
  const scope = new Writer().string(1, "aihub-test-block").string(2, "1.0.0"); // InstrumentationScope: name, version
  const scopeSpans = new Writer().message(1, scope); // ScopeSpans: scope 1, spans 2
  for (const s of spans) {
    const span = new Writer().bytes(1, Buffer.from(s.traceId, "hex")).bytes(2, Buffer.from(s.spanId, "hex"));
    if (s.parentSpanId) span.bytes(4, Buffer.from(s.parentSpanId, "hex"));
    span
      .string(5, s.name)
      .int(6, 2) // kind SERVER: the block handles a call
      .fixed64(7, s.startTimeUnixNano)
      .fixed64(8, s.endTimeUnixNano);
    for (const [k, v] of Object.entries(s.attributes)) span.message(9, keyValue(k, v));
    span.message(15, new Writer().int(3, s.statusCode ?? 1)); // Status: code 3
    scopeSpans.message(2, span);
  }
  const resourceSpans = new Writer().message(1, res).message(2, scopeSpans); // ResourceSpans
  return new Writer().message(1, resourceSpans).finish(); // ExportTraceServiceRequest: resource_spans 1
}

/**
 * One OTLP/gRPC export of the spans to `127.0.0.1:port` (plain HTTP/2, as on the pod's loopback):
 * resolves with the call's grpc-status (0: accepted) and grpc-message.
 */
export function exportGrpc(port: number, spans: BlockSpan[]): Promise<{ status: number; message: string }> {
  const payload = tracesProtobuf(spans);
  // A gRPC frame: not compressed (0), the length (big-endian), the message.
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const call = session.request({
      ":method": "POST",
      ":path": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      "content-type": "application/grpc",
      te: "trailers",
    });
    let status: number | undefined;
    let message = "";
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) status = Number(h["grpc-status"]);
      if (h["grpc-message"] !== undefined) message = decodeURIComponent(String(h["grpc-message"]));
    };
    call.on("response", take);
    call.on("trailers", take);
    call.on("data", () => undefined);
    call.on("error", reject);
    call.on("end", () => {
      session.close();
      if (status === undefined) reject(new Error("the gRPC call ended without a grpc-status"));
      else resolve({ status, message });
    });
    call.end(frame);
  });
}
