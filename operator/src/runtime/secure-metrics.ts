// /metrics over HTTPS for whoever the API server says may read it, as controller-runtime's secure
// metrics do: the bearer token is checked with a TokenReview, the person or ServiceAccount behind
// it with a SubjectAccessReview for `get` on the non-resource URL /metrics. Prometheus in the
// cluster scrapes with its ServiceAccount token and a ClusterRole that grants exactly that.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { Registry } from "prom-client";
import type { RestClient } from "../kube/rest-client.ts";
import type { KeyPairPem } from "../pki/certificates.ts";

export interface SecureMetricsOptions {
  host: string;
  port: number;
  registry: Registry;
  /** The operator's client: it may create TokenReviews and SubjectAccessReviews. */
  client: RestClient;
  tls: KeyPairPem;
  /** How long a decision about one token is reused (default 10 s): a scrape every 15 s costs two reviews at most. */
  cacheMs?: number;
  now?: () => number;
}

/** A token longer than this is refused unread: ServiceAccount tokens are about 1 kB. */
const MAX_TOKEN_LENGTH = 16 * 1024;

type Decision = { code: 200 } | { code: 401 | 403; message: string };

interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** The decision for one bearer token: who it is (TokenReview), and whether they may get /metrics. */
export async function reviewToken(client: RestClient, token: string): Promise<Decision> {
  const review = await client.request<{ status?: { authenticated?: boolean; user?: UserInfo; error?: string } }>(
    "POST",
    "/apis/authentication.k8s.io/v1/tokenreviews",
    { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } } },
  );
  const user = review.status?.user;
  if (!review.status?.authenticated || !user?.username) {
    return { code: 401, message: "the bearer token is not valid for this cluster" };
  }
  const access = await client.request<{ status?: { allowed?: boolean } }>(
    "POST",
    "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    {
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user: user.username,
          uid: user.uid,
          groups: user.groups,
          extra: user.extra,
          nonResourceAttributes: { path: "/metrics", verb: "get" },
        },
      },
    },
  );
  return access.status?.allowed
    ? { code: 200 }
    : {
        code: 403,
        message: `${user.username} may not get /metrics: grant it a ClusterRole with nonResourceURLs ["/metrics"] and verbs ["get"]`,
      };
}

export async function startSecureMetricsServer(o: SecureMetricsOptions): Promise<Server & { port: number }> {
  const cacheMs = o.cacheMs ?? 10_000;
  const now = o.now ?? Date.now;
  // By a hash of the token, never the token itself.
  const decisions = new Map<string, { decision: Decision; until: number }>();
  const decide = async (token: string): Promise<Decision> => {
    const key = createHash("sha256").update(token).digest("hex");
    const cached = decisions.get(key);
    if (cached && cached.until > now()) return cached.decision;
    const decision = await reviewToken(o.client, token);
    if (decisions.size > 1000) decisions.clear(); // a bound, not an LRU: tokens are few
    decisions.set(key, { decision, until: now() + cacheMs });
    return decision;
  };
  const server = createServer({ cert: o.tls.certificate, key: o.tls.privateKey }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || req.method !== "GET") {
      res.writeHead(404).end();
      return;
    }
    const header = req.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : "";
    if (!token || token.length > MAX_TOKEN_LENGTH) {
      res
        .writeHead(401, { "www-authenticate": 'Bearer realm="aihub-operator"', "content-type": "text/plain" })
        .end("a bearer token is required (Authorization: Bearer <token>)\n");
      return;
    }
    decide(token)
      .then(async (decision) => {
        if (decision.code !== 200) {
          res.writeHead(decision.code, { "content-type": "text/plain" }).end(`${decision.message}\n`);
          return;
        }
        const text = await o.registry.metrics();
        res.writeHead(200, { "content-type": o.registry.contentType }).end(text);
      })
      .catch((err: Error) => {
        // The API server could not be asked: refuse, and say so (never serve without a decision).
        res.writeHead(503, { "content-type": "text/plain" }).end(`could not review the token: ${err.message}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, resolve);
  });
  const address = server.address();
  return Object.assign(server, { port: typeof address === "object" && address ? address.port : o.port });
}
