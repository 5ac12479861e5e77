// A municipality's Logboek for the tests of the logging sidecar: OTLP over gRPC (HTTP/2 with TLS,
// Node's http2) that accepts only clients with a certificate of its CA, decodes what it gets and
// acknowledges it. It keeps a record only once it acknowledged it, so "arrived" means "acknowledged".
// It can be stopped and started again on the same port, refuse everything (UNAVAILABLE), or hold
// its answers (a request whose connection closes unanswered is not kept).
import http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { decodeLogs, decodeTraces, type ReceivedLog, type ReceivedSpan } from "./otlp.ts";

export const TRACES_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
export const LOGS_PATH = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

export type Stream = "records" | "violations";
export type Mode = "up" | "unavailable" | "hold";

export interface Arrival<T> {
  record: T;
  stream: Stream;
  /** performance.now() when the Logboek acknowledged it. */
  ackedAt: number;
}

export interface LogboekTls {
  /** The Logboek's server certificate and key. */
  certificate: string;
  privateKey: string;
  /** The CA whose client certificates it accepts. */
  clientCa: string;
}

export class Logboek {
  /** First acknowledged arrival per span id. */
  readonly spans = new Map<string, Arrival<ReceivedSpan>>();
  readonly logs: Arrival<ReceivedLog>[] = [];
  /** Spans acknowledged, duplicates included; export calls answered with OK; calls refused. */
  spansAcked = 0;
  callsAcked = 0;
  callsRefused = 0;
  /** Subjects (CN) of the client certificates seen. */
  readonly clients = new Set<string>();
  /** Values of the x-aihub-logboek-stream header seen. */
  readonly streamHeaders = new Set<string>();
  mode: Mode = "up";
  /** Called with each batch of spans it acknowledged. */
  onSpans?: (spans: ReceivedSpan[], stream: Stream, ackedAt: number) => void;

  private server: http2.Http2SecureServer | undefined;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /** Every connection, also one still in its TLS handshake (not a session yet), for stop(). */
  private readonly sockets = new Set<Socket>();
  private held: (() => void)[] = [];
  port = 0;

  private readonly tls: LogboekTls;

  constructor(tls: LogboekTls) {
    this.tls = tls;
  }

  /** Listens on 127.0.0.1 (on the port it had before, when started again). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = http2.createSecureServer({
      key: this.tls.privateKey,
      cert: this.tls.certificate,
      ca: this.tls.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      allowHTTP1: false,
    });
    server.on("session", (session) => {
      this.sessions.add(session);
      session.on("close", () => this.sessions.delete(session));
      session.on("error", () => {});
      const peer = (
        session.socket as unknown as { getPeerCertificate?: () => { subject?: { CN?: string } } }
      ).getPeerCertificate?.();
      if (peer?.subject?.CN) this.clients.add(peer.subject.CN);
    });
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("stream", (stream, headers) => this.handle(stream, headers));
    server.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection (answers held are never given). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.held = [];
    for (const s of this.sessions) s.destroy();
    // A sidecar may be connecting right now: close() would wait for that connection for ever.
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Gives the answers held back (mode "hold") and goes back to "up". */
  release(): void {
    this.mode = "up";
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  /** Open HTTP/2 connections (sidecars connected). */
  get connections(): number {
    return this.sessions.size;
  }

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  spansOf(stream: Stream): ReceivedSpan[] {
    return [...this.spans.values()].filter((a) => a.stream === stream).map((a) => a.record);
  }

  logsOf(stream: Stream): ReceivedLog[] {
    return this.logs.filter((a) => a.stream === stream).map((a) => a.record);
  }

  private handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    stream.on("error", () => {});
    const path = headers[":path"];
    const header = String(headers["x-aihub-logboek-stream"] ?? "");
    this.streamHeaders.add(header);
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      if (path !== TRACES_PATH && path !== LOGS_PATH) return this.answer(stream, 12, "unimplemented");
      if (this.mode === "unavailable") {
        this.callsRefused++;
        return this.answer(stream, 14, "the Logboek is unavailable");
      }
      let message: Buffer;
      try {
        message = grpcMessage(Buffer.concat(chunks), String(headers["grpc-encoding"] ?? "identity"));
      } catch (e) {
        return this.answer(stream, 3, String(e));
      }
      const kind: Stream = header === "violations" ? "violations" : "records";
      const keep = () => {
        if (stream.closed || stream.destroyed) return; // the sidecar gave up on it: not acknowledged
        this.answer(stream, 0);
        const ackedAt = performance.now();
        this.callsAcked++;
        if (path === TRACES_PATH) {
          const spans = decodeTraces(message);
          this.spansAcked += spans.length;
          for (const s of spans)
            if (!this.spans.has(s.spanId)) this.spans.set(s.spanId, { record: s, stream: kind, ackedAt });
          this.onSpans?.(spans, kind, ackedAt);
        } else {
          for (const l of decodeLogs(message)) this.logs.push({ record: l, stream: kind, ackedAt });
        }
      };
      if (this.mode === "hold") this.held.push(keep);
      else keep();
    });
  }

  private answer(stream: http2.ServerHttp2Stream, status: number, message = ""): void {
    if (stream.closed || stream.destroyed) return;
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () =>
      stream.sendTrailers({
        "grpc-status": String(status),
        ...(message ? { "grpc-message": encodeURI(message) } : {}),
      }),
    );
    // An empty Export*ServiceResponse: everything accepted.
    stream.end(status === 0 ? Buffer.from([0, 0, 0, 0, 0]) : undefined);
  }
}

/** The protobuf message of a unary gRPC request (one length-prefixed message, maybe gzipped). */
function grpcMessage(body: Buffer, encoding: string): Buffer {
  if (body.length < 5) throw new Error("short gRPC message");
  const compressed = body[0] === 1;
  const length = body.readUInt32BE(1);
  const payload = body.subarray(5, 5 + length);
  if (payload.length !== length) throw new Error("truncated gRPC message");
  if (!compressed) return payload;
  if (encoding !== "gzip") throw new Error(`compression ${encoding}`);
  return gunzipSync(payload);
}
