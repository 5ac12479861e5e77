import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { blockActivation, municipalTenant } from "../../operator/src/api/v1alpha1/index.ts";
import { validateActivation } from "../../operator/src/webhook/validate-activation.ts";
import { exampleBlock } from "../../test/support/example-catalog.ts";
import { DEFAULT_ACTIVATIONS } from "./default-activations.ts";
import { FLEET_LABELS, fleetApp, fleetManifests } from "./fleet.ts";
import { type Municipality, parseMunicipalities } from "./municipalities.ts";

const SHIPPED = "cdk/fleet/municipalities.csv";
const fleet = parseMunicipalities(readFileSync(SHIPPED, "utf8"), SHIPPED);
const { tenants, activations } = fleetManifests(fleet);
const tmp = mkdtempSync(join(tmpdir(), "aihub-fleet-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const readYaml = (file: string) => parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS());
const main = (...args: string[]) =>
  spawnSync(process.execPath, ["cdk/fleet/main.ts", ...args], { encoding: "utf8", timeout: 30_000 });

describe("the fleet's manifests", () => {
  it("declare one MunicipalTenant per municipality, with its code, name, ring and admins, labelled", () => {
    expect(tenants).toHaveLength(fleet.length);
    const utrecht = tenants.find((t) => t.metadata?.name === "utrecht");
    expect(utrecht).toEqual({
      apiVersion: "aihub.gemeenten.nl/v1alpha1",
      kind: "MunicipalTenant",
      metadata: { name: "utrecht", labels: FLEET_LABELS },
      spec: {
        municipalityCode: "GM0344",
        displayName: "Utrecht",
        admins: { groups: ["gm0344-informatiebeheer"] },
        rolloutRing: "early",
      },
    });
  });

  it("declare each municipality's default activations in its tenant's namespace", () => {
    expect(activations).toHaveLength(fleet.reduce((n, m) => n + m.activations.length, 0));
    expect(activations.length).toBeGreaterThan(0);
    for (const m of fleet) {
      const own = activations.filter((a) => a.metadata?.namespace === m.tenant);
      expect(own.map((a) => a.metadata?.name)).toEqual(m.activations);
      for (const a of own) expect(a.spec).toEqual(DEFAULT_ACTIVATIONS[a.metadata?.name ?? ""]);
    }
  });

  it("are what the operator reads: every tenant and activation parses with its zod API", () => {
    for (const t of tenants) expect(() => municipalTenant.parse(t), t.metadata?.name).not.toThrow();
    for (const a of activations) expect(() => blockActivation.parse(a), a.metadata?.name).not.toThrow();
  });

  it("have activations that the admission webhook admits against the example catalog", () => {
    for (const block of Object.keys(DEFAULT_ACTIVATIONS)) {
      const activation = blockActivation.parse({
        apiVersion: "aihub.gemeenten.nl/v1alpha1",
        kind: "BlockActivation",
        metadata: { name: block, namespace: "utrecht" },
        spec: DEFAULT_ACTIVATIONS[block],
      });
      expect(validateActivation(activation, exampleBlock(block)), block).toEqual({ allowed: true });
    }
  });

  it("are synthesised into two files, tenants first, which hold the same objects", () => {
    const out = join(tmp, "synth");
    fleetApp(fleet, out).synth();
    expect(readdirSync(out).sort()).toEqual(["0000-tenants.k8s.yaml", "0001-activations.k8s.yaml"]);
    expect(readYaml(join(out, "0000-tenants.k8s.yaml"))).toEqual(tenants);
    expect(readYaml(join(out, "0001-activations.k8s.yaml"))).toEqual(activations);
  });

  it("are the same for the same CSV, and a new municipality only adds its own objects", () => {
    expect(fleetManifests(fleet)).toEqual({ tenants, activations });
    const zeist: Municipality = {
      code: "GM0355",
      name: "Zeist",
      tenant: "zeist",
      ring: "general",
      activations: ["uitlegbaarheid"],
      line: 99,
    };
    const grown = fleetManifests([...fleet, zeist]);
    expect(grown.tenants.slice(0, -1)).toEqual(tenants);
    expect(grown.tenants.at(-1)?.metadata?.name).toBe("zeist");
    expect(grown.activations.slice(0, -1)).toEqual(activations);
    expect(grown.activations.at(-1)?.metadata).toMatchObject({ name: "uitlegbaarheid", namespace: "zeist" });
  });
});

describe("node cdk/fleet/main.ts", () => {
  it("answers --help and exits 0", () => {
    const r = main("--help");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("usage: node cdk/fleet/main.ts [--csv <file>] [--out <dir>]");
  });

  it("writes the fleet and removes the files of an earlier run", () => {
    const out = join(tmp, "main");
    const r1 = main("--csv", SHIPPED, "--out", out);
    expect(r1.status, r1.stderr).toBe(0);
    writeFileSync(join(out, "0002-stale.k8s.yaml"), "kind: Stale\n");
    writeFileSync(join(out, "notes.txt"), "kept\n");
    const r = main("--csv", SHIPPED, "--out", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(out, "0000-tenants.k8s.yaml")}`);
    expect(r.stdout).toContain(`${fleet.length} municipalities, ${activations.length} activations`);
    expect(readdirSync(out).sort()).toEqual(["0000-tenants.k8s.yaml", "0001-activations.k8s.yaml", "notes.txt"]);
    expect(readYaml(join(out, "0000-tenants.k8s.yaml"))).toEqual(tenants);
  });

  it("refuses a bad CSV with the line and column of each problem and writes nothing", () => {
    const csv = join(tmp, "bad.csv");
    writeFileSync(csv, "code,name,ring\nGM0363,Amsterdam,canary\nGM0344,Utrecht,ring-4\n");
    const out = join(tmp, "bad");
    const r = main("--csv", csv, "--out", out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${csv}: line 3, column 3 (ring): "ring-4" is not a rollout ring`);
    expect(r.stderr).toContain(`${csv}: nothing written`);
    expect(() => readdirSync(out)).toThrow(/ENOENT/);
  });

  it("refuses an unknown flag or a missing file with exit code 2", () => {
    const flag = main("--rings", "3");
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--rings'");
    const missing = main("--csv", join(tmp, "missing.csv"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`cannot read --csv ${join(tmp, "missing.csv")}`);
  });
});
