// The transport against real HTTP servers of Node's own (the protocol's behaviour, not the
// Kubernetes API's: that is what the e2e tests send through it): HTTP/2 where the server offers
// it, HTTP/1.1 where not, a new connection after GOAWAY, the cap on requests in flight.
import http2 from "node:http2";
import https from "node:https";
import { type AddressInfo, createServer } from "node:net";
import { createSecureContext } from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, type KeyPairPem } from "../pki/certificates.ts";
import type { ClusterAccess } from "./kubeconfig.ts";
import { RestClient } from "./rest-client.ts";
import { negotiate } from "./transport.ts";

let ca: string;
let pair: KeyPairPem;
const closers: (() => void)[] = [];

beforeAll(async () => {
  const authority = await createCertificateAuthority("transport-test-ca");
  ca = authority.certificate;
  pair = await authority.issue({ commonName: "localhost", ipAddresses: ["127.0.0.1"], usage: "server" });
});

afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const access = (port: number): ClusterAccess => ({
  server: `https://127.0.0.1:${port}`,
  tls: { ca },
  authorization: () => "Bearer t",
  source: "transport.test.ts",
});

async function listen(server: https.Server | http2.Http2SecureServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

const json = (body: unknown) => JSON.stringify(body);

describe("RestClient's transport", () => {
  it("speaks HTTP/1.1 to a server that offers no HTTP/2, requests and watches alike", async () => {
    const server = https.createServer({ key: pair.privateKey, cert: pair.certificate }, (req, res) => {
      if (req.url?.includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`${json({ type: "ADDED", object: { n: 1 } })}\n${json({ type: "ADDED", object: { n: 2 } })}\n`);
        return;
      }
      res.writeHead(req.headers.authorization === "Bearer t" ? 200 : 401, { "content-type": "application/json" });
      res.end(json({ method: req.method, path: req.url, version: req.httpVersion }));
    });
    const client = new RestClient(access(await listen(server)), 4);
    closers.push(() => client.close());
    expect(await client.protocol()).toBe("http/1.1");
    expect(await client.request("POST", "/api/x", { body: { a: 1 } })).toEqual({
      method: "POST",
      path: "/api/x",
      version: "1.1",
    });
    const seen: unknown[] = [];
    await client.watch("/api/x", (e) => seen.push(e.object), { idleTimeoutMs: 5000 });
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("speaks HTTP/2 where offered, with at most inFlight requests at once on one connection", async () => {
    let running = 0;
    let most = 0;
    const sessions = new Set<http2.ServerHttp2Session>();
    const server = http2.createSecureServer({ key: pair.privateKey, cert: pair.certificate }, (req, res) => {
      sessions.add(req.stream.session as http2.ServerHttp2Session);
      running++;
      most = Math.max(most, running);
      setTimeout(() => {
        running--;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(json({ path: req.url, version: req.httpVersion }));
      }, 20);
    });
    const client = new RestClient(access(await listen(server)), 3);
    closers.push(() => client.close());
    expect(await client.protocol()).toBe("h2");
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.request<{ path: string }>("GET", `/api/${i}`)),
    );
    expect(answers.map((a) => a.path)).toEqual(Array.from({ length: 12 }, (_, i) => `/api/${i}`));
    expect(most).toBe(3);
    expect(sessions.size).toBe(1);
  });

  it("connects anew after the server sent GOAWAY or closed the connection", async () => {
    const sessions: http2.ServerHttp2Session[] = [];
    const server = http2.createSecureServer({ key: pair.privateKey, cert: pair.certificate }, (req, res) => {
      const session = req.stream.session as http2.ServerHttp2Session;
      if (!sessions.includes(session)) sessions.push(session);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(json({ n: sessions.indexOf(session) }));
    });
    const client = new RestClient(access(await listen(server)), 4);
    closers.push(() => client.close());
    expect(await client.request("GET", "/a")).toEqual({ n: 0 });
    sessions[0]?.goaway();
    await new Promise((r) => setTimeout(r, 50));
    expect(await client.request("GET", "/b")).toEqual({ n: 1 });
    sessions[1]?.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(await client.request("GET", "/c")).toEqual({ n: 2 });
  });

  it("gives up on an answer that does not come in time, and on requests waiting when the client closes", async () => {
    const server = http2.createSecureServer({ key: pair.privateKey, cert: pair.certificate }, () => {
      // never answers
    });
    const client = new RestClient(access(await listen(server)), 1);
    await expect(client.request("GET", "/slow", { timeoutMs: 200 })).rejects.toThrow("GET /slow: timed out");
    const first = client.request("GET", "/first", { timeoutMs: 5000 });
    const waiting = client.request("GET", "/waiting", { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    client.close();
    await expect(waiting).rejects.toThrow("the client is closed");
    await expect(first).rejects.toThrow();
  });

  it("gives up connecting to a server that accepts the connection and never answers", async () => {
    const silent = createServer(() => {
      // accepts, says nothing
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    closers.push(() => silent.close());
    const port = (silent.address() as AddressInfo).port;
    await expect(
      negotiate(`https://127.0.0.1:${port}`, { secureContext: createSecureContext({ ca }) }, 4, 200),
    ).rejects.toThrow(`connecting to https://127.0.0.1:${port}: no answer in 200 ms`);
  });
});
