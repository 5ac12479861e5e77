// The analysis hook against a small HTTPS server on loopback, with a certificate from the
// project's own CA: go, no-go, and no answer.
import { createServer, type Server } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../pki/certificates.ts";
import { askAnalysis } from "./analysis-hook.ts";

let server: Server;
let url: string;
let caBundle: string;
const questions: Record<string, unknown>[] = [];

beforeAll(async () => {
  const ca = await createCertificateAuthority("analysis-test-ca");
  caBundle = ca.certificate;
  const tls = await ca.issue({ commonName: "127.0.0.1", dnsNames: [], ipAddresses: ["127.0.0.1"], usage: "server" });
  server = createServer({ cert: tls.certificate, key: tls.privateKey }, (req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      questions.push(JSON.parse(body));
      if (req.url === "/go") res.writeHead(200).end("ok");
      else if (req.url === "/slow") setTimeout(() => res.writeHead(200).end(), 3000);
      else res.writeHead(409).end("error rate 7% in ring canary");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  url = `https://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => server.closeAllConnections?.() ?? server.close());

const question = {
  rollout: "bezwaar-intake-1.5.0",
  block: "bezwaar-intake",
  version: "1.5.0",
  ring: "canary" as const,
  nextRing: "early" as const,
  rings: [],
};

describe("askAnalysis", () => {
  it("takes a 2xx answer as go, and sends what the ring did", async () => {
    const v = await askAnalysis({ url: `${url}/go`, caBundle, timeoutSeconds: 5 }, question);
    expect(v).toEqual({ ring: "canary", verdict: "Go", message: "analysis hook said go (HTTP 200)" });
    expect(questions.at(-1)).toMatchObject({ type: "confirm-ring", rollout: "bezwaar-intake-1.5.0", ring: "canary" });
  });

  it("takes any other answer as no-go, with what the hook said", async () => {
    const v = await askAnalysis({ url: `${url}/nogo`, caBundle, timeoutSeconds: 5 }, question);
    expect(v.verdict).toBe("NoGo");
    expect(v.message).toBe("analysis hook said no-go (HTTP 409: error rate 7% in ring canary)");
  });

  it("takes no answer (a timeout, an untrusted certificate) as unreachable, not as no-go", async () => {
    const slow = await askAnalysis({ url: `${url}/slow`, caBundle, timeoutSeconds: 1 }, question);
    expect(slow).toMatchObject({ verdict: "Unreachable" });
    expect(slow.message).toContain("no answer within 1 s");
    const untrusted = await askAnalysis({ url: `${url}/go`, timeoutSeconds: 5 }, question);
    expect(untrusted.verdict).toBe("Unreachable");
  });
});
