import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./args.ts";
import { UsageError } from "./errors.ts";

const usage = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`${argv.join(" ")} parsed`);
};

describe("parseCommandLine", () => {
  it("reads commands, their arguments and flags before or after the command", () => {
    expect(parseCommandLine(["tenants"])).toMatchObject({ command: { name: "tenants" }, output: "table" });
    expect(parseCommandLine(["-n", "utrecht", "approve", "pseudonimisering", "--version=1.3.0", "-ojson"])).toEqual({
      command: { name: "approve", activation: "pseudonimisering" },
      namespace: "utrecht",
      version: "1.3.0",
      output: "json",
      allNamespaces: false,
      yes: false,
    });
    expect(parseCommandLine(["updates", "-A", "-o", "yaml"])).toMatchObject({
      command: { name: "updates" },
      allNamespaces: true,
      output: "yaml",
    });
    expect(parseCommandLine(["rollout", "abort", "bezwaar-intake", "--yes", "--context", "prod"])).toMatchObject({
      command: { name: "rollout", action: "abort", block: "bezwaar-intake" },
      yes: true,
      context: "prod",
    });
    expect(parseCommandLine(["explain-block", "transcriptie", "--kubeconfig", "/k"])).toMatchObject({
      command: { name: "explain-block", block: "transcriptie" },
      kubeconfig: "/k",
    });
  });

  it("answers help for the whole, a command and a rollout action", () => {
    expect(parseCommandLine([]).command).toEqual({ name: "help" });
    expect(parseCommandLine(["--help"]).command).toEqual({ name: "help" });
    expect(parseCommandLine(["help", "approve"]).command).toEqual({ name: "help", topic: "approve" });
    expect(parseCommandLine(["approve", "--help"]).command).toEqual({ name: "help", topic: "approve" });
    expect(parseCommandLine(["rollout", "pause", "-h"]).command).toEqual({ name: "help", topic: "rollout pause" });
  });

  it("refuses what a script cannot have meant, saying what is wrong", () => {
    expect(usage(["bogus"])).toMatch(/^unknown command "bogus"/);
    expect(usage(["tenants", "--bogus"])).toBe("unknown flag --bogus");
    expect(usage(["tenants", "-o", "wide"])).toMatch(/^unknown output format "wide"/);
    expect(usage(["updates", "-n"])).toBe("--namespace needs a value");
    expect(usage(["approve"])).toBe("approve needs the name of a BlockActivation");
    expect(usage(["approve", "a", "b"])).toMatch(/not also "b"/);
    expect(usage(["catalog", "x"])).toMatch(/catalog takes no arguments/);
    expect(usage(["tenants", "-A"])).toBe("tenants does not take --all-namespaces");
    expect(usage(["catalog", "--version", "1.0.0"])).toBe("catalog does not take --version");
    expect(usage(["rollout", "pause", "x", "--yes"])).toBe("rollout pause does not take --yes");
    expect(usage(["rollout"])).toMatch(/^rollout needs an action/);
    expect(usage(["rollout", "undo", "x"])).toMatch(/^unknown rollout action "undo"/);
    expect(usage(["rollout", "status"])).toBe("rollout status needs the name of an AIBuildingBlock");
    expect(usage(["updates", "-A", "-n", "utrecht"])).toMatch(/exclude each other/);
    expect(usage(["approve", "a", "--version="])).toBe("--version needs a value");
  });
});
