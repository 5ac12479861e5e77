// A thin JSON client for the Kubernetes API over HTTP/2 (HTTP/1.1 where the server offers no
// HTTP/2; transport.ts). Bodies are plain
// objects sent as they are: client-node's typed serializer renames or drops keys of plain
// objects (for example `default` in a CRD schema), which server-side apply must not suffer
// (docs/adr/0003). Every response is reported to observers, which feed the
// rest_client_requests_total metric and the write counters that tests and benchmarks read.
import { createSecureContext } from "node:tls";
import { type ClusterAccess, loadClusterAccess } from "./kubeconfig.ts";
import { type Answer, negotiate, type TlsMaterial, type Transport } from "./transport.ts";

export interface StatusCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** A failed request, with the API server's metav1.Status. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  readonly causes: StatusCause[];

  constructor(code: number, message: string, reason?: string, causes: StatusCause[] = []) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason;
    this.causes = causes;
  }
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Extra headers, for example Impersonate-User in tests. */
  headers?: Record<string, string>;
  /** Abort the request when no response has completed in this time. Default 30 s. */
  timeoutMs?: number;
}

/** One finished request; `code` is 0 when no HTTP response arrived. */
export interface RequestRecord {
  method: string;
  path: string;
  code: number;
  seconds: number;
}

export type RequestObserver = (record: RequestRecord) => void;

/** One event of a watch stream. */
export interface WatchEvent<T = unknown> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

/**
 * A watch on which nothing arrived, not even a bookmark, for WatchOptions.idleTimeoutMs: a quiet
 * kind, or a connection that died without a word. Either way the watch is made again.
 */
export class WatchIdle extends Error {}

export interface WatchOptions {
  query?: RequestOptions["query"];
  /** Aborts the stream with an error when nothing (not even a bookmark) arrives in this time. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

export const WRITE_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class RestClient {
  readonly server: string;
  /**
   * One TLS context for every connection. Given ca, cert and key with each request, node builds a
   * context (and parses the key) for each new connection: 2.6 MB more resident for 90 connections.
   */
  private readonly tls: TlsMaterial;
  private readonly authorization: ClusterAccess["authorization"];
  /** HTTP/2 or HTTP/1.1, as the server chose at the first connection; asked again after a failure to connect. */
  private transport: Promise<Transport> | undefined;
  private readonly observers: RequestObserver[] = [];
  private readonly inFlight: number;

  /** `inFlight`: requests sent at once (watches apart); more wait their turn. */
  constructor(access: ClusterAccess, inFlight = 64) {
    this.inFlight = inFlight;
    this.server = access.server.replace(/\/$/, "");
    const { rejectUnauthorized, ...material } = access.tls;
    this.tls = {
      secureContext: createSecureContext(material),
      ...(rejectUnauthorized === false && { rejectUnauthorized }),
    };
    this.authorization = access.authorization;
  }

  /** A client for a kubeconfig file (or $KUBECONFIG, in-cluster, ~/.kube/config; see kubeconfig.ts). */
  static fromKubeconfig(path?: string, inFlight = 64): RestClient {
    return new RestClient(loadClusterAccess(path), inFlight);
  }

  /** The protocol the server chose: "h2", or "http/1.1" when it offers no HTTP/2. */
  async protocol(): Promise<Transport["protocol"]> {
    return (await this.connection()).protocol;
  }

  private connection(): Promise<Transport> {
    if (!this.transport) {
      const asked = negotiate(this.server, this.tls, this.inFlight);
      this.transport = asked;
      asked.catch(() => {
        if (this.transport === asked) this.transport = undefined;
      });
    }
    return this.transport;
  }

  /** Calls `observer` after every request (also failed ones). */
  observe(observer: RequestObserver): void {
    this.observers.push(observer);
  }

  private record(method: string, path: string, code: number, started: number): void {
    const rec = { method, path, code, seconds: (performance.now() - started) / 1000 };
    for (const o of this.observers) o(rec);
  }

  private url(path: string, query: RequestOptions["query"]): URL {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  private headers(extra: Record<string, string> | undefined): Record<string, string> {
    const authorization = this.authorization();
    const headers: Record<string, string> = {
      ...(authorization ? { authorization } : {}),
      accept: "application/json",
      "user-agent": "aihub-operator",
    };
    // HTTP/2 wants header names in lower case; HTTP/1.1 does not mind.
    for (const [k, v] of Object.entries(extra ?? {})) headers[k.toLowerCase()] = v;
    return headers;
  }

  /** Sends one request; resolves with the decoded JSON body, rejects with ApiError. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers = this.headers(options.headers);
    if (payload !== undefined) {
      headers["content-type"] = options.contentType ?? "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    const started = performance.now();
    let answer: Answer;
    try {
      const transport = await this.connection();
      answer = await transport.send(method, url, headers, payload, options.timeoutMs ?? 30_000);
    } catch (err) {
      this.record(method, path, 0, started);
      throw err;
    }
    const { status, text } = answer;
    this.record(method, path, status, started);
    const decoded = text ? safeJson(text) : undefined;
    if (status >= 200 && status < 300) return decoded as T;
    throw toApiError(status, decoded, text);
  }

  /**
   * Streams a watch: calls `onEvent` for each event until the server ends the stream (resolves)
   * or an error, an idle timeout or the signal ends it (rejects). A non-2xx answer rejects
   * with ApiError (for example 410 Gone for a too old resourceVersion).
   */
  async watch<T>(path: string, onEvent: (event: WatchEvent<T>) => void, options: WatchOptions): Promise<void> {
    const url = this.url(path, { ...options.query, watch: true });
    const started = performance.now();
    let transport: Transport;
    try {
      transport = await this.connection();
    } catch (err) {
      this.record("WATCH", path, 0, started);
      throw err;
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let status = 0;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        options.signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve();
      };
      let failed = "";
      let buffered = "";
      const stream = transport.open(url, this.headers(undefined), {
        onResponse: (code) => {
          status = code;
          this.record("WATCH", path, status, started);
        },
        onData: (chunk) => {
          if (status < 200 || status >= 300) {
            failed += chunk;
            return;
          }
          armIdle();
          buffered += chunk;
          let newline = buffered.indexOf("\n");
          while (newline >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) {
              try {
                onEvent(JSON.parse(line) as WatchEvent<T>);
              } catch (err) {
                stream.destroy(err as Error);
                return;
              }
            }
            newline = buffered.indexOf("\n");
          }
        },
        onEnd: () => {
          if (status >= 200 && status < 300) finish();
          else finish(toApiError(status, failed ? safeJson(failed) : undefined, failed));
        },
        onError: (err) => {
          if (!settled && status === 0) this.record("WATCH", path, 0, started);
          finish(err);
        },
      });
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () => stream.destroy(new WatchIdle(`watch ${path}: no event for ${options.idleTimeoutMs} ms`), true),
          options.idleTimeoutMs,
        );
      };
      const onAbort = () => stream.destroy(new Error("watch aborted"));
      options.signal?.addEventListener("abort", onAbort);
      if (options.signal?.aborted) onAbort();
      armIdle();
    });
  }

  close(): void {
    const transport = this.transport;
    this.transport = undefined;
    transport?.then((t) => t.close()).catch(() => {});
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(code: number, body: unknown, text: string): ApiError {
  if (body && typeof body === "object" && "message" in body) {
    const s = body as { message: string; reason?: string; details?: { causes?: StatusCause[] } };
    return new ApiError(code, s.message, s.reason, s.details?.causes ?? []);
  }
  return new ApiError(code, text || `HTTP ${code}`);
}
