// /healthz (the process is alive), /readyz (caches synced), and /metrics (Prometheus text) when
// given a registry: plain HTTP, so only on loopback (config.ts); else secure-metrics.ts serves it.
import type { Server } from "node:http";
import type { Registry } from "prom-client";

// Not `import ... from "node:http"`: an ES module import of node:http reads all of its exports,
// among them the WebSocket classes, which load Node's bundled fetch implementation (undici, about
// 17 MB of resident memory) into a process that never uses it.
const { createServer } = process.getBuiltinModule("node:http");

export interface HealthServerOptions {
  host: string;
  port: number;
  ready: () => boolean;
  registry?: Registry;
}

export async function startHealthServer(o: HealthServerOptions): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    } else if (path === "/readyz") {
      const ok = o.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok" : "caches not synced");
    } else if (path === "/metrics" && o.registry) {
      o.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": o.registry?.contentType ?? "text/plain" }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, resolve);
  });
  const address = server.address();
  return Object.assign(server, { port: typeof address === "object" && address ? address.port : o.port });
}
