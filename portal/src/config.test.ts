import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, usage } from "./config.ts";

describe("loadConfig", () => {
  it("has local defaults: loopback, eight-hour sessions", () => {
    const c = loadConfig([], {});
    expect(c.listen).toBe("127.0.0.1:8080");
    expect(c.sessionTtl).toBe(8 * 3_600_000);
    expect(c.baseUrl).toBe("http://127.0.0.1:8080");
  });
  it("takes flags over the environment", () => {
    const c = loadConfig(["--listen", ":9000", "--session-ttl=30m"], { AIHUB_PORTAL_LISTEN: "127.0.0.1:1" });
    expect(c.listen).toBe(":9000");
    expect(c.sessionTtl).toBe(1_800_000);
  });
  it("names the flag, the variable, the value and what is accepted", () => {
    expect(() => loadConfig(["--max-sessions=0", "--session-ttl=8 hours"], {})).toThrow(ConfigError);
    try {
      loadConfig(["--max-sessions=0", "--session-ttl=8 hours"], {});
    } catch (err) {
      expect((err as Error).message).toContain(
        '--max-sessions (AIHUB_PORTAL_MAX_SESSIONS): expected at least 1, got "0"',
      );
      expect((err as Error).message).toContain(
        '--session-ttl (AIHUB_PORTAL_SESSION_TTL): expected a duration such as 30m, 8h or 1h30m, got "8 hours"',
      );
    }
  });
  it("refuses half an OpenID Connect configuration and unknown flags", () => {
    expect(() => loadConfig(["--oidc-issuer-url=https://id.utrecht.nl"], {})).toThrow(
      /--oidc-client-id \(AIHUB_PORTAL_OIDC_CLIENT_ID\): OpenID Connect needs both/,
    );
    expect(() => loadConfig(["--listne=:1"], {})).toThrow(/Unknown option '--listne'.*see --help/);
    expect(() => loadConfig(["--oidc-issuer-url=https://id.utrecht.nl", "--oidc-client-id=portal"], {})).toThrow(
      /--oidc-client-secret-file \(AIHUB_PORTAL_OIDC_CLIENT_SECRET_FILE\): OpenID Connect needs the client secret/,
    );
  });
  it("documents every flag with its default", () => {
    expect(usage()).toContain("--max-sessions (AIHUB_PORTAL_MAX_SESSIONS)");
    expect(usage()).toContain("default 8h");
  });
});
