// Sign-in through the municipality's identity provider: OpenID Connect's authorization code flow
// with PKCE (S256), a state and a nonce. The ID token it yields is the person's bearer token: the
// API server validates it with its own OIDC (or structured authentication) configuration, so the
// portal verifies nothing of the token's signature itself; it checks that the token answers its
// own request (state, nonce, audience) and then asks the API server who it is (SelfSubjectReview).
// Requests in flight are bounded (oldest dropped) and expire after ten minutes.
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:https";

export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back: <base-url>/aanmelden/oidc/terug. */
  redirectUri: string;
  /** A CA for the provider's certificate besides the system's (a test's own provider). */
  ca?: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  issuer: string;
}

interface Pending {
  verifier: string;
  nonce: string;
  at: number;
}

const b64url = (b: Buffer) => b.toString("base64url");
const MAX_PENDING = 1000;
const PENDING_MS = 10 * 60_000;

/** A JSON request over HTTPS, with the provider's CA when one is given. */
function fetchJson<T>(url: string, ca: string | undefined, body?: URLSearchParams): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body?.toString();
    const req = request(
      url,
      {
        method: payload === undefined ? "GET" : "POST",
        headers: {
          accept: "application/json",
          ...(payload !== undefined && {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": String(Buffer.byteLength(payload)),
          }),
        },
        ...(ca && { ca }),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          else {
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              reject(new Error(`${url}: not JSON`));
            }
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url}: timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** The claims of a JWT, unverified (the API server verifies it). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1];
  if (!part) throw new Error("the ID token is not a JWT");
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export class OidcClient {
  private readonly settings: OidcSettings;
  private discovery: Promise<Discovery> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;

  constructor(settings: OidcSettings, now: () => number = Date.now) {
    this.settings = settings;
    this.now = now;
  }

  private discover(): Promise<Discovery> {
    this.discovery ??= fetchJson<Discovery>(
      `${this.settings.issuerUrl.replace(/\/$/, "")}/.well-known/openid-configuration`,
      this.settings.ca,
    ).catch((err: unknown) => {
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }

  /** Where to send the browser, and the state to remember in its cookie. */
  async start(): Promise<{ url: string; state: string }> {
    const d = await this.discover();
    const state = b64url(randomBytes(24));
    const verifier = b64url(randomBytes(32));
    const nonce = b64url(randomBytes(24));
    for (const [key, p] of this.pending) if (this.now() - p.at > PENDING_MS) this.pending.delete(key);
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    this.pending.set(state, { verifier, nonce, at: this.now() });
    const url = new URL(d.authorization_endpoint);
    for (const [k, v] of Object.entries({
      response_type: "code",
      client_id: this.settings.clientId,
      redirect_uri: this.settings.redirectUri,
      scope: "openid profile email groups",
      state,
      nonce,
      code_challenge: b64url(createHash("sha256").update(verifier).digest()),
      code_challenge_method: "S256",
    }))
      url.searchParams.set(k, v);
    return { url: url.toString(), state };
  }

  /**
   * The ID token for the code the provider sent back; `cookieState` is the state the browser's
   * cookie holds, so that only the browser that started the sign-in can finish it.
   */
  async finish(
    query: URLSearchParams,
    cookieState: string | undefined,
  ): Promise<{ idToken: string; expiresAt?: number }> {
    const error = query.get("error");
    if (error)
      throw new Error(
        `the identity provider refused the sign-in: ${error} ${query.get("error_description") ?? ""}`.trim(),
      );
    const state = query.get("state") ?? "";
    const pending = this.pending.get(state);
    if (!state || state !== cookieState || !pending || this.now() - pending.at > PENDING_MS)
      throw new Error("the sign-in expired or was not started in this browser; please start again");
    this.pending.delete(state);
    const d = await this.discover();
    const answer = await fetchJson<{ id_token?: string }>(
      d.token_endpoint,
      this.settings.ca,
      new URLSearchParams({
        grant_type: "authorization_code",
        code: query.get("code") ?? "",
        redirect_uri: this.settings.redirectUri,
        client_id: this.settings.clientId,
        client_secret: this.settings.clientSecret,
        code_verifier: pending.verifier,
      }),
    );
    if (!answer.id_token) throw new Error("the identity provider sent no ID token");
    const claims = jwtClaims(answer.id_token);
    if (claims.nonce !== pending.nonce) throw new Error("the ID token does not answer this sign-in (nonce)");
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(this.settings.clientId)) throw new Error("the ID token is not for this portal (audience)");
    return { idToken: answer.id_token, ...(typeof claims.exp === "number" && { expiresAt: claims.exp * 1000 }) };
  }
}
