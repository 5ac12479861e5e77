// Minimal HTTP for starting a control plane: readiness probes and a few writes with the admin
// client certificate, before any Kubernetes client is set up.
import { request as httpRequest } from "node:http";
import { request } from "node:https";

export interface ClientCertificate {
  certificate: string;
  privateKey: string;
}

export class AdminHttp {
  private readonly server: string;
  private readonly ca: string;
  private readonly admin: ClientCertificate;

  constructor(server: string, ca: string, admin: ClientCertificate) {
    this.server = server;
    this.ca = ca;
    this.admin = admin;
  }

  private tls() {
    return { ca: this.ca, cert: this.admin.certificate, key: this.admin.privateKey };
  }

  /** A GET; resolves with status and body (any status). */
  get(path: string, server = this.server): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${server}${path}`, { ...this.tls(), timeout: 5000 }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end();
    });
  }

  /** A GET of bytes (a pprof profile), with a timeout longer than the request takes. */
  getBytes(path: string, timeoutMs: number, server = this.server): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const req = request(`${server}${path}`, { ...this.tls(), timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`GET ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString("utf8")}`)),
        );
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end();
    });
  }

  /** A write; rejects unless the answer is 2xx. */
  send(method: string, path: string, body: unknown, contentType: string): Promise<void> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.server}${path}`,
        {
          ...this.tls(),
          method,
          headers: { "content-type": contentType, "content-length": Buffer.byteLength(payload) },
        },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () =>
            (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
}

/** A plain-HTTP GET (etcd's /health); resolves with the body. */
export function plainGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
