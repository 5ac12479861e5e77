import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, splitHostPort, usage, wantsHelp } from "./config.ts";

describe("loadConfig", () => {
  it("has defaults that run a single instance", () => {
    const c = loadConfig([], {});
    expect(c.leaderElect).toBe(false);
    expect(c.workers).toBe(4);
    expect(c.apiConnections).toBe(16);
    expect(c.metricsBindAddress).toBe("0.0.0.0:8443");
    expect(c.metricsSecure).toBe(true);
  });

  it("serves plain HTTP metrics on a loopback address only", () => {
    expect(loadConfig(["--metrics-secure=false", "--metrics-bind-address=127.0.0.1:8080"], {}).metricsSecure).toBe(
      false,
    );
    expect(loadConfig(["--metrics-secure=false", "--metrics-bind-address=[::1]:8080"], {}).metricsSecure).toBe(false);
    expect(() => loadConfig(["--metrics-secure=false"], {})).toThrow(
      "--metrics-secure (AIHUB_METRICS_SECURE): plain HTTP metrics are served on a loopback address only (127.0.0.1:<port>), not on 0.0.0.0:8443; leave --metrics-secure at true",
    );
    expect(() => loadConfig(["--metrics-secure=false", "--metrics-bind-address=:8080"], {})).toThrow(/not on :8080/);
  });

  it("reads environment variables, and flags win over them", () => {
    const c = loadConfig(["--workers=8", "--leader-elect", "true"], {
      AIHUB_WORKERS: "2",
      AIHUB_LOG_LEVEL: "debug",
      AIHUB_API_CONNECTIONS: "32",
    });
    expect(c.workers).toBe(8);
    expect(c.apiConnections).toBe(32);
    expect(c.leaderElect).toBe(true);
    expect(c.logLevel).toBe("debug");
  });

  it("names the flag, the variable, the value and what is accepted, for every bad setting", () => {
    let err: unknown;
    try {
      loadConfig(["--workers=many"], { AIHUB_LEADER_ELECT: "yes", AIHUB_METRICS_BIND_ADDRESS: "8080" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain('--workers (AIHUB_WORKERS): expected a whole number from 1 to 64, got "many"');
    expect(message).toContain('--leader-elect (AIHUB_LEADER_ELECT): expected "true" or "false", got "yes"');
    expect(message).toContain("--metrics-bind-address (AIHUB_METRICS_BIND_ADDRESS): expected host:port");
  });

  it("rejects numbers out of range and unknown flags", () => {
    expect(() => loadConfig(["--workers=0"], {})).toThrow(/expected at least 1, got "0"/);
    expect(() => loadConfig(["--wokers=2"], {})).toThrow(/Unknown option '--wokers'/);
  });

  it("splits host and port, an empty host meaning all interfaces", () => {
    expect(splitHostPort(":8080")).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(splitHostPort("127.0.0.1:9")).toEqual({ host: "127.0.0.1", port: 9 });
    expect(splitHostPort("[::1]:8081")).toEqual({ host: "::1", port: 8081 });
  });
});

describe("usage", () => {
  it("lists every flag with its variable and default, for --help", () => {
    const text = usage();
    expect(text).toContain("--workers (AIHUB_WORKERS)");
    expect(text).toContain("concurrent reconciles per controller (1-64); default 4");
    expect(text).toContain("--allowed-registries (AIHUB_ALLOWED_REGISTRIES)");
    expect(text).toContain("default registry.gemeenten.nl");
    expect(wantsHelp(["--workers=2", "--help"])).toBe(true);
    expect(wantsHelp(["--workers=2"])).toBe(false);
  });

  it("takes certificates from cert-manager only with a Secret for them, and names the way out", () => {
    expect(
      loadConfig(["--webhook-certificates=cert-manager", "--webhook-service=aihub-system/aihub-webhook:443"], {})
        .webhookCertificates,
    ).toBe("cert-manager");
    expect(() => loadConfig(["--webhook-certificates=cert-manager"], {})).toThrow(
      "--webhook-certificates (AIHUB_WEBHOOK_CERTIFICATES): cert-manager writes the certificate into a Secret the operator reads: set --webhook-service",
    );
    expect(() => loadConfig(["--webhook-certificates=vault"], {})).toThrow(
      '--webhook-certificates (AIHUB_WEBHOOK_CERTIFICATES): expected "operator" or "cert-manager", got "vault"',
    );
  });
});
