// How RestClient's requests and watches reach the API server: over one HTTP/2 connection (as
// client-go does), or over HTTP/1.1 keep-alive connections when the server offers no HTTP/2 (a
// proxy in between, for example). The first connection asks for both by ALPN and the server's
// choice decides for the client's life (docs/adr/0016, thirty-first pass).
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";
import { Agent, request as https } from "node:https";
import { type SecureContext, type TLSSocket, connect as tlsConnect } from "node:tls";

/** A finished answer: its status code and its body as text. */
export interface Answer {
  status: number;
  text: string;
}

/** What a stream's reader is told: the status first, then text as it arrives, then its end. */
export interface StreamHandlers {
  onResponse(status: number): void;
  onData(text: string): void;
  onEnd(): void;
  onError(err: Error): void;
}

export interface Transport {
  readonly protocol: "h2" | "http/1.1";
  send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
    timeoutMs: number,
  ): Promise<Answer>;
  /**
   * Opens a long-lived GET (a watch); `destroy` ends it, with `err` reported to onError. `quiet`
   * says nothing arrived for too long: the connection itself may be dead, and is checked.
   */
  open(
    url: URL,
    headers: Record<string, string>,
    handlers: StreamHandlers,
  ): { destroy(err: Error, quiet?: boolean): void };
  close(): void;
}

export interface TlsMaterial {
  secureContext: SecureContext;
  rejectUnauthorized?: false;
}

/** How long a connection may leave a ping unanswered after a request timed out on it. */
const PING_TIMEOUT_MS = 15_000;
/** How long the first connection may take to be made (a request's own default timeout). */
const CONNECT_TIMEOUT_MS = 30_000;
/** The flow-control window for all streams of a connection: a credit, not memory set aside. */
const CONNECTION_WINDOW = 4 << 20;

const timedOut = (method: string, path: string) => new Error(`${method} ${path}: timed out`);

/** HTTP/1.1: one request per connection at a time, at most `maxSockets` connections for requests. */
export class Http1Transport implements Transport {
  readonly protocol = "http/1.1";
  private readonly tls: TlsMaterial;
  private readonly agent: Agent;
  /** Watches hold their connection for minutes: on their own agent, they never take a request's socket. */
  private readonly watchAgent = new Agent({ keepAlive: true });

  constructor(tls: TlsMaterial, maxSockets: number) {
    this.tls = tls;
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(method: string, url: URL, headers: Record<string, string>, payload: string | undefined, timeoutMs: number) {
    return new Promise<Answer>((resolve, reject) => {
      const req = https(url, { ...this.tls, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(timedOut(method, url.pathname)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  open(url: URL, headers: Record<string, string>, handlers: StreamHandlers) {
    const req = https(url, { ...this.tls, method: "GET", headers, agent: this.watchAgent }, (res) => {
      handlers.onResponse(res.statusCode ?? 0);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => handlers.onData(chunk));
      res.on("end", () => handlers.onEnd());
      res.on("error", (err) => handlers.onError(err));
      res.on("close", () => handlers.onError(new Error("watch stream closed")));
    });
    req.on("error", (err) => handlers.onError(err));
    req.end();
    return { destroy: (err: Error) => req.destroy(err) };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

/**
 * One HTTP/2 connection, made again when the server closes it or sends GOAWAY, or when it leaves a
 * ping unanswered after a request timed out (a connection that died without a word). Keeps the
 * process alive only while a stream is open on it.
 */
class Connection {
  private readonly origin: string;
  private readonly tls: TlsMaterial;
  /** The connection that negotiate() made, taken by the first session. */
  private first: TLSSocket | undefined;
  private session: ClientHttp2Session | undefined;
  private readonly open = new Map<ClientHttp2Session, number>();

  constructor(origin: string, tls: TlsMaterial, first: TLSSocket | undefined) {
    this.origin = origin;
    this.tls = tls;
    this.first = first;
  }

  /** The live session, connected now if there is none. */
  current(): ClientHttp2Session {
    const live = this.session;
    if (live && !live.closed && !live.destroyed) return live;
    const socket = this.first;
    this.first = undefined;
    const session = http2.connect(this.origin, {
      ...this.tls,
      ...(socket && { createConnection: () => socket }),
    });
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // An error of the connection reaches each stream on it as well; the next request connects anew.
    session.on("error", forget);
    session.on("goaway", forget);
    session.on("close", forget);
    session.on("connect", () => session.setLocalWindowSize(CONNECTION_WINDOW));
    session.unref();
    this.session = session;
    return session;
  }

  /** Counts a stream on `session`; the process stays alive while any is open. */
  hold(session: ClientHttp2Session): () => void {
    const n = (this.open.get(session) ?? 0) + 1;
    this.open.set(session, n);
    if (n === 1) session.ref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(session) ?? 1) - 1;
      if (left > 0) this.open.set(session, left);
      else {
        this.open.delete(session);
        if (!session.destroyed) session.unref();
      }
    };
  }

  /** After a timeout: a connection that does not answer a ping in time is closed and made again. */
  check(session: ClientHttp2Session): void {
    if (session.destroyed || session.closed) return;
    const dead = setTimeout(() => session.destroy(new Error("the API server left a ping unanswered")), PING_TIMEOUT_MS);
    dead.unref();
    try {
      // Queued (undefined) while the connection is still being made; false when enough pings are out already.
      const sent = session.ping((err) => {
        clearTimeout(dead);
        if (err) session.destroy(err);
      });
      if (sent === false) clearTimeout(dead);
    } catch (err) {
      clearTimeout(dead);
      session.destroy(err as Error);
    }
  }

  /** Ends the connection and every stream on it at once, as destroying HTTP/1.1 sockets does. */
  close(): void {
    this.session?.destroy();
    this.session = undefined;
    this.first?.destroy();
    this.first = undefined;
  }
}

/** True when the server refused a stream without working on it (GOAWAY, REFUSED_STREAM): safe to send again. */
function unprocessed(err: unknown, stream?: ClientHttp2Stream): boolean {
  const code = (err as { code?: string }).code;
  return (
    code === "ERR_HTTP2_GOAWAY_SESSION" ||
    code === "ERR_HTTP2_INVALID_SESSION" ||
    stream?.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM
  );
}

/** HTTP/2: every request a stream of one connection, at most `inFlight` at once; watches on a second connection. */
export class Http2Transport implements Transport {
  readonly protocol = "h2";
  private readonly requests: Connection;
  private readonly watches: Connection;
  private running = 0;
  private readonly waiting: { go: () => void; stop: (err: Error) => void }[] = [];
  private closed = false;

  private readonly inFlight: number;

  constructor(origin: string, tls: TlsMaterial, inFlight: number, first?: TLSSocket) {
    this.inFlight = inFlight;
    this.requests = new Connection(origin, tls, first);
    this.watches = new Connection(origin, tls, undefined);
  }

  async send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
    timeoutMs: number,
  ) {
    await this.slot();
    try {
      try {
        return await this.once(method, url, headers, payload, timeoutMs);
      } catch (err) {
        // Refused before the server worked on it (the connection was going away): once more, on a new one.
        if (!(err instanceof Unprocessed)) throw err;
        return await this.once(method, url, headers, payload, timeoutMs);
      }
    } catch (err) {
      throw err instanceof Unprocessed ? err.cause : err;
    } finally {
      this.free();
    }
  }

  /** Waits until fewer than `inFlight` requests are out; a freed place goes to the longest waiting. */
  private async slot(): Promise<void> {
    if (this.closed) throw new Error("the client is closed");
    if (this.running < this.inFlight) {
      this.running++;
      return;
    }
    await new Promise<void>((go, stop) => this.waiting.push({ go, stop }));
  }

  private free(): void {
    const next = this.waiting.shift();
    if (next) next.go();
    else this.running--;
  }

  private once(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
    timeoutMs: number,
  ) {
    return new Promise<Answer>((resolve, reject) => {
      const session = this.requests.current();
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(
          { ":method": method, ":path": url.pathname + url.search, ...headers },
          { endStream: payload === undefined },
        );
      } catch (err) {
        reject(unprocessed(err) ? new Unprocessed(err) : err);
        return;
      }
      const release = this.requests.hold(session);
      let status = 0;
      let settled = false;
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        this.requests.check(session);
        done(timedOut(method, url.pathname));
      }, timeoutMs);
      const done = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        release();
        if (err === undefined) resolve({ status, text: Buffer.concat(chunks).toString("utf8") });
        else reject(status === 0 && unprocessed(err, stream) ? new Unprocessed(err) : err);
      };
      stream.on("response", (h) => {
        status = Number(h[":status"]);
      });
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => done());
      stream.on("error", (err) => done(err));
      stream.on("close", () => done(new Error(`${method} ${url.pathname}: the stream closed before its answer ended`)));
      if (payload !== undefined) stream.end(payload);
    });
  }

  open(url: URL, headers: Record<string, string>, handlers: StreamHandlers) {
    let stream: ClientHttp2Stream | undefined;
    let session: ClientHttp2Session | undefined;
    let release = () => {};
    let ended = false;
    const end = (fn: () => void) => {
      if (ended) return;
      ended = true;
      release();
      fn();
    };
    try {
      session = this.watches.current();
      stream = session.request({ ":method": "GET", ":path": url.pathname + url.search, ...headers });
      release = this.watches.hold(session);
      const s = stream;
      s.setEncoding("utf8");
      s.on("response", (h) => handlers.onResponse(Number(h[":status"])));
      s.on("data", (text: string) => handlers.onData(text));
      s.on("end", () => end(() => handlers.onEnd()));
      s.on("error", (err) => end(() => handlers.onError(err)));
      s.on("close", () => end(() => handlers.onError(new Error("watch stream closed"))));
    } catch (err) {
      queueMicrotask(() => end(() => handlers.onError(err as Error)));
    }
    return {
      destroy: (err: Error, quiet = false) => {
        const s = stream;
        end(() => {
          s?.close(http2.constants.NGHTTP2_CANCEL);
          handlers.onError(err);
        });
        // Quiet for too long: a quiet kind, or a connection that died without a word.
        if (quiet && session) this.watches.check(session);
      },
    };
  }

  close(): void {
    this.closed = true;
    this.requests.close();
    this.watches.close();
    for (const w of this.waiting.splice(0)) w.stop(new Error("the client is closed"));
  }
}

/** A request the server never worked on: sent once more on a new connection. */
class Unprocessed extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super(String((cause as Error)?.message ?? cause));
    this.cause = cause;
  }
}

/**
 * Connects once, offering HTTP/2 and HTTP/1.1, and returns the transport for what the server
 * chose; the connection made to ask becomes the HTTP/2 transport's first.
 */
export function negotiate(
  server: string,
  tls: TlsMaterial,
  inFlight: number,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): Promise<Transport> {
  const url = new URL(server);
  return new Promise<Transport>((resolve, reject) => {
    const socket = tlsConnect({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 443),
      servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      ALPNProtocols: ["h2", "http/1.1"],
      ...tls,
    });
    // As a request's own timeout did for the connection it made: a server that never answers.
    socket.setTimeout(connectTimeoutMs, () =>
      socket.destroy(new Error(`connecting to ${url.origin}: no answer in ${connectTimeoutMs} ms`)),
    );
    socket.once("secureConnect", () => {
      socket.setTimeout(0);
      socket.removeListener("error", reject);
      // Until the first connection takes it over, an error of the socket is the connection's to report.
      socket.on("error", () => {});
      if (socket.alpnProtocol === "h2") resolve(new Http2Transport(url.origin, tls, inFlight, socket));
      else {
        socket.destroy();
        resolve(new Http1Transport(tls, inFlight));
      }
    });
    socket.once("error", reject);
  });
}
