// The portal process: reads its flags (config.ts), serves the portal on node:http and stops
// cleanly on SIGTERM/SIGINT (open live streams are closed, sessions ended). Logs are JSON lines.
import { createServer } from "node:http";
import { configFromCommandLine } from "../../operator/src/runtime/flags.ts";
import { buildPortal } from "./build-portal.ts";
import { loadConfig, usage } from "./config.ts";

const config = configFromCommandLine(process.argv.slice(2), process.env, loadConfig, usage);

const levels = ["debug", "info", "warn", "error"];
const log = (level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}) => {
  if (levels.indexOf(level) < levels.indexOf(config.logLevel)) return;
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
};

const portal = buildPortal(config, log);
const server = createServer(portal.handle);
server.keepAliveTimeout = 5_000;
const [host, port] = ((): [string, number] => {
  const i = config.listen.lastIndexOf(":");
  return [config.listen.slice(0, i).replace(/^\[|\]$/g, "") || "0.0.0.0", Number(config.listen.slice(i + 1))];
})();
server.listen(port, host, () => {
  const address = server.address();
  log("info", "portal listening", {
    address: typeof address === "object" && address ? `${address.address}:${address.port}` : config.listen,
    baseUrl: config.baseUrl,
    publicIdentity: config.publicTokenFile !== undefined,
  });
});

const stop = (signal: string) => {
  log("info", `${signal}: stopping`);
  portal.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
