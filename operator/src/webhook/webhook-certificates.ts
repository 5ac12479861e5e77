// The webhook's certificates, shared by every replica through one Secret: a CA (ten years) and a
// serving certificate (one year) for the webhook's names. Whichever replica finds the Secret
// missing, or the serving certificate within 30 days of its end (or not for the names), writes a
// new one; the write is conditional (create, or update at the resourceVersion read), so of
// replicas that try at once one wins and the others read its result. The CA stays, so the
// caBundle in the webhook configurations never changes when the serving certificate does.
import { isIP } from "node:net";
import { ApiError, type RestClient } from "../kube/rest-client.ts";
import {
  type CertificateAuthority,
  certificateFacts,
  createCertificateAuthority,
  type KeyPairPem,
  loadCertificateAuthority,
} from "../pki/certificates.ts";

export interface WebhookTls {
  /** The CA certificate: the webhook configurations' caBundle. */
  ca: string;
  /** The serving certificate and its key. */
  serving: KeyPairPem;
  notAfter: Date;
}

export interface SecretRef {
  namespace: string;
  name: string;
}

export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;
const SERVING_DAYS = 365;

type Secret = {
  metadata: { resourceVersion?: string };
  data?: Record<string, string>;
};

const b64 = (s: string) => Buffer.from(s).toString("base64");
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, "base64").toString("utf8") : "");

async function issueServing(ca: CertificateAuthority, names: string[]): Promise<KeyPairPem> {
  return ca.issue({
    commonName: names[0] ?? "aihub-webhook",
    dnsNames: names.filter((n) => !isIP(n)),
    ipAddresses: names.filter((n) => isIP(n)),
    usage: "server",
    validDays: SERVING_DAYS,
  });
}

function secretBody(ref: SecretRef, ca: KeyPairPem, serving: KeyPairPem, resourceVersion?: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { "app.kubernetes.io/part-of": "aihub" },
      ...(resourceVersion && { resourceVersion }),
    },
    data: {
      "ca.crt": b64(ca.certificate),
      "ca.key": b64(ca.privateKey),
      "tls.crt": b64(serving.certificate),
      "tls.key": b64(serving.privateKey),
    },
  };
}

function fromSecret(secret: Secret): WebhookTls & { caKey: string } {
  const d = secret.data ?? {};
  const serving = { certificate: unb64(d["tls.crt"]), privateKey: unb64(d["tls.key"]) };
  return {
    ca: unb64(d["ca.crt"]),
    caKey: unb64(d["ca.key"]),
    serving,
    notAfter: certificateFacts(serving.certificate).notAfter,
  };
}

/** Whether the serving certificate may be used at `now`: far enough from its end, and for every name. */
function usable(tls: WebhookTls, names: string[], now: number): boolean {
  const facts = certificateFacts(tls.serving.certificate);
  return facts.notAfter.getTime() - now > RENEW_BEFORE_MS && names.every((n) => facts.names.includes(n));
}

/**
 * The webhook's certificates from the Secret `ref`, created or renewed there when needed.
 * `now` is the clock the renewal is judged by.
 */
export async function ensureWebhookTls(
  client: RestClient,
  ref: SecretRef,
  names: string[],
  now: () => number = Date.now,
): Promise<WebhookTls> {
  const path = `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    let secret: Secret | undefined;
    try {
      secret = await client.request<Secret>("GET", path);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    try {
      if (!secret) {
        const ca = await createCertificateAuthority("aihub-webhook-ca", CA_DAYS);
        const serving = await issueServing(ca, names);
        await client.request("POST", `/api/v1/namespaces/${ref.namespace}/secrets`, {
          body: secretBody(ref, ca, serving),
        });
        return { ca: ca.certificate, serving, notAfter: certificateFacts(serving.certificate).notAfter };
      }
      const current = fromSecret(secret);
      if (usable(current, names, now())) return current;
      const ca = await loadCertificateAuthority({ certificate: current.ca, privateKey: current.caKey }, SERVING_DAYS);
      const serving = await issueServing(ca, names);
      await client.request("PUT", path, {
        body: secretBody(
          ref,
          { certificate: current.ca, privateKey: current.caKey },
          serving,
          secret.metadata.resourceVersion,
        ),
      });
      return { ca: current.ca, serving, notAfter: certificateFacts(serving.certificate).notAfter };
    } catch (err) {
      // Another replica wrote first (AlreadyExists, or a newer resourceVersion): read its result.
      if (err instanceof ApiError && err.code === 409) continue;
      throw err;
    }
  }
  throw new Error(`could not agree on the webhook certificates in Secret ${ref.namespace}/${ref.name}`);
}

/**
 * The serving certificate that cert-manager keeps in the Secret `ref` (a Certificate's
 * secretName), read and never written: cert-manager renews it, and its cainjector keeps the
 * caBundle of the webhook configurations. Undefined while cert-manager has not issued it yet.
 */
export async function readIssuedTls(client: RestClient, ref: SecretRef): Promise<WebhookTls | undefined> {
  let secret: Secret;
  try {
    secret = await client.request<Secret>("GET", `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
  const d = secret.data ?? {};
  if (!d["tls.crt"] || !d["tls.key"]) return undefined;
  const serving = { certificate: unb64(d["tls.crt"]), privateKey: unb64(d["tls.key"]) };
  return { ca: unb64(d["ca.crt"]), serving, notAfter: certificateFacts(serving.certificate).notAfter };
}
