// Where the API server is and how to authenticate, from a kubeconfig file or from inside a pod.
// Our own small reader instead of @kubernetes/client-node's KubeConfig: importing client-node
// costs the operator about 86 MB of resident memory, and we need only this.
// Supported: client certificates and bearer tokens (inline, files, or a token file that is
// re-read, as projected service-account tokens rotate). Not supported: exec and auth-provider
// plugins (the error says so).
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

export interface ClusterAccess {
  server: string;
  tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  /** The Authorization header, if any; called for every request. */
  authorization: () => string | undefined;
  /** Where it came from, for messages. */
  source: string;
  /** The context's namespace (or the pod's own), if it names one: a kubectl plugin's default. */
  namespace?: string;
}

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

interface Named<T> {
  name: string;
  [key: string]: T | string;
}

/** A token file read again at most once a minute, as an Authorization header value. */
export function tokenFile(path: string): () => string {
  let cached = "";
  let readAt = 0;
  return () => {
    if (Date.now() - readAt > 60_000) {
      cached = readFileSync(path, "utf8").trim();
      readAt = Date.now();
    }
    return `Bearer ${cached}`;
  };
}

/** The pod's namespace, from its service account's files, if mounted. */
function podNamespace(): { namespace?: string } {
  try {
    return { namespace: readFileSync(join(SERVICE_ACCOUNT, "namespace"), "utf8").trim() };
  } catch {
    return {};
  }
}

export function inClusterAccess(): ClusterAccess {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  if (!host) throw new Error("not running in a pod: KUBERNETES_SERVICE_HOST is not set");
  const server = host.includes(":") ? `https://[${host}]:${port}` : `https://${host}:${port}`;
  return {
    server,
    tls: { ca: readFileSync(join(SERVICE_ACCOUNT, "ca.crt"), "utf8") },
    authorization: tokenFile(join(SERVICE_ACCOUNT, "token")),
    source: "in-cluster service account",
    ...podNamespace(),
  };
}

/**
 * Reads a kubeconfig: `path`, else the first file of $KUBECONFIG, else the pod's service account
 * when running in a cluster, else ~/.kube/config. Its current context, or `context` when given
 * (a context never means the pod's service account).
 */
export function loadClusterAccess(path?: string, context?: string): ClusterAccess {
  const file = path ?? process.env.KUBECONFIG?.split(":").find(Boolean);
  if (!file && context === undefined && process.env.KUBERNETES_SERVICE_HOST) return inClusterAccess();
  return parseKubeconfig(
    readFileSync(file ?? join(homedir(), ".kube", "config"), "utf8"),
    file ?? "~/.kube/config",
    context,
  );
}

/** The access of the kubeconfig's current context, or of the context named `contextOverride`. */
export function parseKubeconfig(text: string, file: string, contextOverride?: string): ClusterAccess {
  const doc = parse(text) as {
    "current-context"?: string;
    contexts?: Named<{ cluster: string; user: string; namespace?: string }>[];
    clusters?: Named<Record<string, string | boolean>>[];
    users?: Named<Record<string, unknown>>[];
  };
  const where = (what: string) => new Error(`kubeconfig ${file}: ${what}`);
  const contextName = contextOverride ?? doc["current-context"];
  const context = doc.contexts?.find((c) => c.name === contextName)?.context as
    | { cluster: string; user: string; namespace?: string }
    | undefined;
  if (!context)
    throw where(
      contextOverride === undefined
        ? `current-context "${contextName ?? ""}" is not among its contexts`
        : `context "${contextOverride}" is not among its contexts`,
    );
  const cluster = doc.clusters?.find((c) => c.name === context.cluster)?.cluster as
    | Record<string, string | boolean>
    | undefined;
  if (!cluster?.server) throw where(`cluster "${context.cluster}" has no server`);
  const user = (doc.users?.find((u) => u.name === context.user)?.user ?? {}) as Record<string, unknown>;
  const base = dirname(file);
  const fileText = (p: unknown) => readFileSync(isAbsolute(String(p)) ? String(p) : join(base, String(p)), "utf8");
  const inline = (b64: unknown) => Buffer.from(String(b64), "base64").toString("utf8");
  const pick = (data: string, path: string, from: Record<string, unknown>) =>
    from[data] ? inline(from[data]) : from[path] ? fileText(from[path]) : undefined;

  if (user.exec || user["auth-provider"]) {
    throw where(
      `user "${context.user}" uses an exec or auth-provider plugin, which aihub does not run; use a client certificate or a token`,
    );
  }
  const tls: ClusterAccess["tls"] = {};
  const ca = pick("certificate-authority-data", "certificate-authority", cluster);
  if (ca) tls.ca = ca;
  if (cluster["insecure-skip-tls-verify"] === true) tls.rejectUnauthorized = false;
  const cert = pick("client-certificate-data", "client-certificate", user);
  const key = pick("client-key-data", "client-key", user);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  const token = user.token ? `Bearer ${String(user.token)}` : undefined;
  const fromFile = user.tokenFile
    ? tokenFile(isAbsolute(String(user.tokenFile)) ? String(user.tokenFile) : join(base, String(user.tokenFile)))
    : undefined;
  return {
    server: String(cluster.server).replace(/\/$/, ""),
    tls,
    authorization: () => fromFile?.() ?? token,
    source: `${file} (context ${contextName})`,
    ...(context.namespace ? { namespace: String(context.namespace) } : {}),
  };
}
