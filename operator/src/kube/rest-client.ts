// A thin JSON client for the Kubernetes API on node:https with keep-alive. Bodies are plain
// objects sent as they are: client-node's typed serializer renames or drops keys of plain
// objects (for example `default` in a CRD schema), which server-side apply must not suffer
// (docs/adr/0003). Every response is reported to observers, which feed the
// rest_client_requests_total metric and the write counters that tests and benchmarks read.
import { Agent, request } from "node:https";
import { createSecureContext, type SecureContext } from "node:tls";
import { type ClusterAccess, loadClusterAccess } from "./kubeconfig.ts";

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
  private readonly tls: { secureContext: SecureContext; rejectUnauthorized?: false };
  private readonly authorization: ClusterAccess["authorization"];
  private readonly agent: Agent;
  /** Watches hold their connection for minutes: on their own agent, they never take a request's socket. */
  private readonly watchAgent = new Agent({ keepAlive: true });
  private readonly observers: RequestObserver[] = [];

  constructor(access: ClusterAccess, maxSockets = 64) {
    this.server = access.server.replace(/\/$/, "");
    const { rejectUnauthorized, ...material } = access.tls;
    this.tls = {
      secureContext: createSecureContext(material),
      ...(rejectUnauthorized === false && { rejectUnauthorized }),
    };
    this.authorization = access.authorization;
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** A client for a kubeconfig file (or $KUBECONFIG, in-cluster, ~/.kube/config; see kubeconfig.ts). */
  static fromKubeconfig(path?: string, maxSockets = 64): RestClient {
    return new RestClient(loadClusterAccess(path), maxSockets);
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
    return {
      ...(authorization ? { authorization } : {}),
      accept: "application/json",
      "user-agent": "aihub-operator",
      ...extra,
    };
  }

  /** Sends one request; resolves with the decoded JSON body, rejects with ApiError. */
  request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers = this.headers(options.headers);
    if (payload !== undefined) {
      headers["content-type"] = options.contentType ?? "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    const started = performance.now();
    return new Promise<T>((resolve, reject) => {
      const req = request(url, { ...this.tls, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          this.record(method, path, status, started);
          const decoded = text ? safeJson(text) : undefined;
          if (status >= 200 && status < 300) resolve(decoded as T);
          else reject(toApiError(status, decoded, text));
        });
        res.on("error", reject);
      });
      req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", (err) => {
        this.record(method, path, 0, started);
        reject(err);
      });
      req.end(payload);
    });
  }

  /**
   * Streams a watch: calls `onEvent` for each event until the server ends the stream (resolves)
   * or an error, an idle timeout or the signal ends it (rejects). A non-2xx answer rejects
   * with ApiError (for example 410 Gone for a too old resourceVersion).
   */
  watch<T>(path: string, onEvent: (event: WatchEvent<T>) => void, options: WatchOptions): Promise<void> {
    const url = this.url(path, { ...options.query, watch: true });
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        options.signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve();
      };
      const req = request(
        url,
        { ...this.tls, method: "GET", headers: this.headers(undefined), agent: this.watchAgent },
        (res) => {
          const status = res.statusCode ?? 0;
          this.record("WATCH", path, status, started);
          if (status < 200 || status >= 300) {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              finish(toApiError(status, text ? safeJson(text) : undefined, text));
            });
            return;
          }
          let buffered = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
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
                  req.destroy(err as Error);
                  return;
                }
              }
              newline = buffered.indexOf("\n");
            }
          });
          res.on("end", () => finish());
          res.on("error", (err) => finish(err));
          res.on("close", () => finish(settled ? undefined : new Error("watch stream closed")));
        },
      );
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () => req.destroy(new WatchIdle(`watch ${path}: no event for ${options.idleTimeoutMs} ms`)),
          options.idleTimeoutMs,
        );
      };
      const onAbort = () => req.destroy(new Error("watch aborted"));
      options.signal?.addEventListener("abort", onAbort);
      if (options.signal?.aborted) onAbort();
      armIdle();
      req.on("error", (err) => {
        if (!settled) this.record("WATCH", path, 0, started);
        finish(err);
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
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
