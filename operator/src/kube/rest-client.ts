// A thin JSON client for the Kubernetes API on node:https with keep-alive. Bodies are plain
// objects sent as they are: client-node's typed serializer renames or drops keys of plain
// objects (for example `default` in a CRD schema), which server-side apply must not suffer.
import { Agent, request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

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
}

export class RestClient {
  readonly server: string;
  private readonly tls: Record<string, unknown>;
  private readonly agent: Agent;

  private constructor(server: string, tls: Record<string, unknown>, maxSockets: number) {
    this.server = server.replace(/\/$/, "");
    this.tls = tls;
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** A client for the current context of `kc` (client certificates, tokens, CA). */
  static async fromKubeConfig(kc: KubeConfig, maxSockets = 64): Promise<RestClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const opts: Record<string, unknown> = {};
    await kc.applyToHTTPSOptions(opts);
    return new RestClient(cluster.server, opts, maxSockets);
  }

  /** Sends one request; resolves with the decoded JSON body, rejects with ApiError. */
  request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...((this.tls.headers as Record<string, string>) ?? {}),
      accept: "application/json",
    };
    if (payload !== undefined) {
      headers["content-type"] = options.contentType ?? "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    return new Promise<T>((resolve, reject) => {
      const req = request(url, { ...this.tls, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          const decoded = text ? safeJson(text) : undefined;
          if (status >= 200 && status < 300) resolve(decoded as T);
          else reject(toApiError(status, decoded, text));
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
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
    const s = body as {
      message: string;
      reason?: string;
      details?: { causes?: StatusCause[] };
    };
    return new ApiError(code, s.message, s.reason, s.details?.causes ?? []);
  }
  return new ApiError(code, text || `HTTP ${code}`);
}
