// The operator's flags as the Helm chart writes them: the arguments of the rendered Deployment go
// through the operator's own configuration loader, so a flag the chart passes that the operator
// does not know (or a value it refuses) fails here, and the chart's values reach the settings they
// name. Needs the helm binary only, no control plane.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../operator/src/config.ts";
import { renderChart } from "../support/webhook-replicas.ts";

type Container = { name: string; args: string[] };

/** The operator container's arguments in the chart rendered with these `--set` values. */
function operatorArgs(...set: string[]): string[] {
  const [deployment] = renderChart(set, ["templates/operator.yaml"]).filter(
    (o) => o.kind === "Deployment" && o.metadata.name === "aihub-operator",
  );
  const spec = (deployment as { spec?: { template: { spec: { containers: Container[] } } } } | undefined)?.spec;
  const container = spec?.template.spec.containers.find((c) => c.name === "operator");
  if (!container) throw new Error("no operator container in the rendered chart");
  return container.args;
}

describe("the operator's flags in the Helm chart", () => {
  it("are all known to the operator, with the first status's holds at the operator's defaults", () => {
    const config = loadConfig(operatorArgs(), {});
    const defaults = loadConfig([], {});
    expect(config.workers).toBe(4);
    expect(config.leaderElect).toBe(true);
    expect([config.firstStatusHoldSeconds, config.busyFirstStatusHoldSeconds]).toEqual([
      defaults.firstStatusHoldSeconds,
      defaults.busyFirstStatusHoldSeconds,
    ]);
  });

  it("pass the first status's holds from the values", () => {
    const config = loadConfig(operatorArgs("firstStatusHold.seconds=0", "firstStatusHold.busySeconds=30"), {});
    expect([config.firstStatusHoldSeconds, config.busyFirstStatusHoldSeconds]).toEqual([0, 30]);
  });

  it("refuse a hold longer than the operator takes, naming the value", () => {
    const bad = spawnSync("helm", ["template", "aihub", "charts/aihub", "--set", "firstStatusHold.busySeconds=900"], {
      encoding: "utf8",
    });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("at '/firstStatusHold/busySeconds': maximum: got 900, want 600");
    // The operator refuses the same value, so the chart's bound is the operator's.
    expect(() => loadConfig(["--busy-first-status-hold-seconds=900"], {})).toThrow(/busy-first-status-hold-seconds/);
  });
});
