// The fleet as cdk8s charts, built with the constructs generated from crds/: a MunicipalTenant
// for every municipality (chart "tenants") and its default activations in its namespace (chart
// "activations"). The activations chart depends on the tenants chart, so it is written second:
// the operator makes each namespace from its tenant, and an activation needs the namespace.
import { App, Chart, YamlOutputType } from "cdk8s";
import type { Construct } from "constructs";
import {
  BlockActivation,
  type BlockActivationManifest,
  MunicipalTenant,
  type MunicipalTenantManifest,
} from "../src/imports/aihub.gemeenten.nl.ts";
import { DEFAULT_ACTIVATIONS } from "./default-activations.ts";
import type { Municipality } from "./municipalities.ts";

/** On every object the fleet declares, so that `kubectl get mt,ba -A -l ...` finds them. */
export const FLEET_LABELS = { "app.kubernetes.io/managed-by": "aihub-fleet" };

/**
 * The group (in the identity provider) of a municipality's information managers, by the
 * platform's naming convention: the CBS code in lower case, then -informatiebeheer.
 */
export const adminGroupOf = (m: Municipality) => `${m.code.toLowerCase()}-informatiebeheer`;

export class FleetTenants extends Chart {
  constructor(scope: Construct, id: string, municipalities: Municipality[]) {
    super(scope, id, { disableResourceNameHashes: true, labels: FLEET_LABELS });
    for (const m of municipalities) {
      new MunicipalTenant(this, m.tenant, {
        metadata: { name: m.tenant },
        spec: {
          municipalityCode: m.code,
          displayName: m.name,
          admins: { groups: [adminGroupOf(m)] },
          rolloutRing: m.ring,
        },
      });
    }
  }
}

export class FleetActivations extends Chart {
  constructor(scope: Construct, id: string, municipalities: Municipality[]) {
    super(scope, id, { disableResourceNameHashes: true, labels: FLEET_LABELS });
    for (const m of municipalities) {
      for (const block of m.activations) {
        const spec = DEFAULT_ACTIVATIONS[block];
        if (!spec) throw new Error(`line ${m.line}: no default activation for ${block}`);
        new BlockActivation(this, `${m.tenant}-${block}`, {
          metadata: { name: block, namespace: m.tenant },
          spec,
        });
      }
    }
  }
}

/** The fleet's app: `synth()` writes 0000-tenants.k8s.yaml and 0001-activations.k8s.yaml into `outdir`. */
export function fleetApp(municipalities: Municipality[], outdir = "dist/fleet"): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const tenants = new FleetTenants(app, "tenants", municipalities);
  const activations = new FleetActivations(app, "activations", municipalities);
  activations.addDependency(tenants);
  return app;
}

export interface FleetManifests {
  tenants: MunicipalTenantManifest[];
  activations: BlockActivationManifest[];
}

/** The objects `synth()` would write, tenants first, as plain objects. */
export function fleetManifests(municipalities: Municipality[]): FleetManifests {
  const app = fleetApp(municipalities);
  const [tenants, activations] = app.charts.map((c) => c.toJson());
  return { tenants: tenants ?? [], activations: activations ?? [] };
}
