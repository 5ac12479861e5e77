// A small OpenID Connect provider for tests, standing in for a municipality's identity provider:
// discovery, JWKS, an authorization endpoint that signs in one configured person at once (no
// login form: the test is about the portal and the API server, not about a provider's screens),
// and a token endpoint that checks the client secret, the redirect URI and PKCE (S256) before it
// issues an ES256-signed ID token with the person's email and groups. HTTPS with a CA of its own,
// so the API server (--authentication-config) and the portal can both be given that CA.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createCertificateAuthority } from "../../operator/src/pki/certificates.ts";

export interface OidcPerson {
  email: string;
  groups: string[];
}

export interface OidcProvider {
  issuer: string;
  ca: string;
  clientId: string;
  clientSecret: string;
  /** Who the next sign-in is. */
  signInAs(person: OidcPerson): void;
  /** The ID tokens issued so far. */
  issued: string[];
  /** The AuthenticationConfiguration that makes an API server accept this provider's ID tokens. */
  authenticationConfig(): string;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export async function startOidcProvider(clientId = "aihub-portal"): Promise<OidcProvider> {
  const ca = await createCertificateAuthority("aihub test identity provider");
  const serving = await ca.issue({ commonName: "127.0.0.1", ipAddresses: ["127.0.0.1"], usage: "server" });
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = b64url(randomBytes(8));
  const clientSecret = b64url(randomBytes(24));
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; person: OidcPerson }>();
  let person: OidcPerson = { email: "nobody@example.nl", groups: [] };
  const issued: string[] = [];
  let issuer = "";

  const idToken = (nonce: string, who: OidcPerson) => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", kid }));
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: createHash("sha256").update(who.email).digest("hex").slice(0, 24),
        aud: clientId,
        iat: now,
        exp: now + 3600,
        nonce,
        email: who.email,
        email_verified: true,
        groups: who.groups,
      }),
    );
    const signature = sign("sha256", Buffer.from(`${header}.${claims}`), {
      key: privateKey,
      dsaEncoding: "ieee-p1363",
    });
    return `${header}.${claims}.${b64url(signature)}`;
  };

  const server: Server = createServer({ key: serving.privateKey, cert: serving.certificate }, (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration")
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["ES256"],
        code_challenge_methods_supported: ["S256"],
      });
    if (url.pathname === "/jwks")
      return json(200, { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" }] });
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      if (q.get("client_id") !== clientId || q.get("code_challenge_method") !== "S256" || !q.get("code_challenge"))
        return json(400, { error: "invalid_request" });
      const code = b64url(randomBytes(16));
      codes.set(code, {
        challenge: q.get("code_challenge") ?? "",
        nonce: q.get("nonce") ?? "",
        redirectUri: q.get("redirect_uri") ?? "",
        person,
      });
      const back = new URL(q.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        if (
          !grant ||
          form.get("client_id") !== clientId ||
          form.get("client_secret") !== clientSecret ||
          form.get("redirect_uri") !== grant.redirectUri ||
          b64url(createHash("sha256").update(verifier).digest()) !== grant.challenge
        )
          return json(400, { error: "invalid_grant" });
        const token = idToken(grant.nonce, grant.person);
        issued.push(token);
        json(200, { access_token: b64url(randomBytes(16)), token_type: "Bearer", expires_in: 3600, id_token: token });
      });
      return;
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    ca: ca.certificate,
    clientId,
    clientSecret,
    issued,
    signInAs: (p) => {
      person = p;
    },
    authenticationConfig: () =>
      JSON.stringify({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "AuthenticationConfiguration",
        jwt: [
          {
            issuer: { url: issuer, certificateAuthority: ca.certificate, audiences: [clientId] },
            claimMappings: { username: { claim: "email", prefix: "" }, groups: { claim: "groups", prefix: "" } },
          },
        ],
      }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
