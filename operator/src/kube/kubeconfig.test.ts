import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseKubeconfig } from "./kubeconfig.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

const kubeconfig = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "main",
    contexts: [
      { name: "main", context: { cluster: "c", user: "u" } },
      { name: "other", context: { cluster: "x", user: "y" } },
      { name: "utrecht", context: { cluster: "x", user: "u", namespace: "utrecht" } },
    ],
    clusters: [
      { name: "c", cluster: { server: "https://127.0.0.1:6443/", ...cluster } },
      { name: "x", cluster: { server: "https://10.0.0.1:6443" } },
    ],
    users: [{ name: "u", user }],
  });

describe("parseKubeconfig", () => {
  it("reads the current context's server, CA and client certificate from inline data", () => {
    const a = parseKubeconfig(
      kubeconfig(
        { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") },
        { "certificate-authority-data": b64("CA") },
      ),
      "test",
    );
    expect(a.server).toBe("https://127.0.0.1:6443");
    expect(a.tls).toEqual({ ca: "CA", cert: "CERT", key: "KEY" });
    expect(a.authorization()).toBeUndefined();
  });

  it("reads files relative to the kubeconfig, and tokens", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
    writeFileSync(join(dir, "ca.crt"), "CA-FILE");
    writeFileSync(join(dir, "token"), "from-file\n");
    const file = join(dir, "config");
    const a = parseKubeconfig(kubeconfig({ tokenFile: "token" }, { "certificate-authority": "ca.crt" }), file);
    expect(a.tls.ca).toBe("CA-FILE");
    expect(a.authorization()).toBe("Bearer from-file");
    expect(parseKubeconfig(kubeconfig({ token: "abc" }), file).authorization()).toBe("Bearer abc");
    expect(parseKubeconfig(kubeconfig({}, { "insecure-skip-tls-verify": true }), file).tls.rejectUnauthorized).toBe(
      false,
    );
  });

  it("selects another context than the current one, with its namespace", () => {
    const current = parseKubeconfig(kubeconfig({ token: "abc" }), "k");
    expect(current.namespace).toBeUndefined();
    expect(current.source).toBe("k (context main)");
    const other = parseKubeconfig(kubeconfig({ token: "abc" }), "k", "utrecht");
    expect(other.server).toBe("https://10.0.0.1:6443");
    expect(other.namespace).toBe("utrecht");
    expect(other.authorization()).toBe("Bearer abc");
    expect(other.source).toBe("k (context utrecht)");
    expect(() => parseKubeconfig(kubeconfig({}), "k", "gone")).toThrow(
      'kubeconfig k: context "gone" is not among its contexts',
    );
  });

  it("says what is wrong: an unknown context, a missing server, an exec plugin", () => {
    expect(() =>
      parseKubeconfig(kubeconfig({}).replace("current-context: main", "current-context: gone"), "k"),
    ).toThrow('kubeconfig k: current-context "gone" is not among its contexts');
    expect(() => parseKubeconfig(kubeconfig({}, { server: "" }), "k")).toThrow('cluster "c" has no server');
    expect(() => parseKubeconfig(kubeconfig({ exec: { command: "aws" } }), "k")).toThrow(
      /exec or auth-provider plugin/,
    );
  });
});
