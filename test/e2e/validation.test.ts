// The API server itself rejects bad resources, and its message names the field at fault.
// Each case is sent as a dry-run create to the real kube-apiserver with the generated CRDs.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ObjectRef } from "../../operator/src/kube/resource-paths.ts";
import { type Cluster, connect, ensureTenantNamespace, installCrds } from "../support/cluster.ts";
import { rejection } from "../support/rejection.ts";

const API = "aihub.gemeenten.nl/v1alpha1";
const NS = "e2e-validation";
const DIGEST = "a".repeat(64);

type Obj = ObjectRef & { spec: Record<string, unknown> } & Record<string, unknown>;

const tenant = (): Obj => ({
  apiVersion: API,
  kind: "MunicipalTenant",
  metadata: { name: "zwolle" },
  spec: {
    municipalityCode: "GM0193",
    displayName: "Zwolle",
    admins: { groups: ["gm0193-informatiebeheer"] },
    egress: [{ name: "zaaksysteem", cidr: "10.19.0.0/16", ports: [{ port: 443 }] }],
  },
});

const block = (): Obj => ({
  apiVersion: API,
  kind: "AIBuildingBlock",
  metadata: { name: "samenvatten" },
  spec: {
    displayName: "Samenvatten",
    description: "Summarises long case files for civil servants.",
    category: "other",
    supplier: { name: "Voorbeeld B.V.", country: "NL" },
    certification: {
      riskClass: "limited",
      certifiedBy: "Loket",
      validUntil: "2027-12-31",
    },
    parameters: [
      {
        name: "maxWords",
        type: "integer",
        description: "Longest summary.",
        minimum: 10,
        maximum: 500,
      },
    ],
    versions: [
      {
        version: "1.0.0",
        image: `registry.gemeenten.nl/aihub/samenvatten@sha256:${DIGEST}`,
        releaseDate: "2026-10-01",
        releaseNotes: "First version.",
      },
    ],
  },
});

const activation = (): Obj => ({
  apiVersion: API,
  kind: "BlockActivation",
  metadata: { name: "samenvatten", namespace: NS },
  spec: {
    block: "samenvatten",
    channel: "stable",
    parameters: { maxWords: 200 },
  },
});

type Spec = Record<string, unknown>;
const at = (o: Obj) => o.spec as Spec;
const first = (list: unknown) => (list as Spec[])[0] as Spec;

interface Case {
  name: string;
  make: () => Obj;
  /** The field path the API server must name. */
  field: string;
  /** A fragment of the message that tells what is wrong or accepted. */
  says: RegExp;
}

const named = (make: () => Obj, name: string) => () => {
  const o = make();
  o.metadata = { ...o.metadata, name };
  return o;
};

const cases: Case[] = [
  // Names that would collide with the platform's own objects, or make unusable children.
  {
    name: "an activation named after the tenant's default-deny policy",
    field: "metadata.name",
    says: /names starting with aihub- are reserved/,
    make: named(activation, "aihub-default-deny"),
  },
  {
    name: "an activation name with a dot",
    field: "metadata.name",
    says: /use lower-case letters, digits and '-', start with a letter/,
    make: named(activation, "bezwaar.intake"),
  },
  {
    name: "an activation name that starts with a digit",
    field: "metadata.name",
    says: /start with a letter/,
    make: named(activation, "1-intake"),
  },
  {
    name: "an activation name of 64 characters",
    field: "metadata.name",
    says: /may not be more than 63 bytes/,
    make: named(activation, `a${"b".repeat(63)}`),
  },
  {
    name: "a tenant named like a system namespace",
    field: "metadata.name",
    says: /the platform's own namespaces/,
    make: named(tenant, "kube-public"),
  },
  {
    name: "a tenant whose admins are everyone signed in",
    field: "spec.admins.groups[0]",
    says: /system: groups and users are Kubernetes' own/,
    make: () => {
      const o = tenant();
      at(o).admins = { groups: ["system:authenticated"] };
      return o;
    },
  },
  // MunicipalTenant
  {
    name: "CBS code without GM",
    field: "spec.municipalityCode",
    says: /should match '\^GM\[0-9\]\{4\}\$'/,
    make: () => {
      const o = tenant();
      at(o).municipalityCode = "0193";
      return o;
    },
  },
  {
    name: "CBS code too long",
    field: "spec.municipalityCode",
    says: /may not be more than 6 bytes/,
    make: () => {
      const o = tenant();
      at(o).municipalityCode = "GM01934";
      return o;
    },
  },
  {
    name: "empty display name",
    field: "spec.displayName",
    says: /at least 1 chars/,
    make: () => {
      const o = tenant();
      at(o).displayName = "";
      return o;
    },
  },
  {
    name: "missing display name",
    field: "spec.displayName",
    says: /Required value/,
    make: () => {
      const o = tenant();
      delete at(o).displayName;
      return o;
    },
  },
  {
    name: "unknown rollout ring",
    field: "spec.rolloutRing",
    says: /supported values: "canary", "early", "general"/,
    make: () => {
      const o = tenant();
      at(o).rolloutRing = "fast";
      return o;
    },
  },
  {
    name: "egress CIDR out of range",
    field: "spec.egress[0].cidr",
    says: /must be a network in CIDR notation/,
    make: () => {
      const o = tenant();
      first(at(o).egress).cidr = "10.19.0.0/33";
      return o;
    },
  },
  {
    name: "egress to a host name",
    field: "spec.egress[0].cidr",
    says: /must be a network in CIDR notation/,
    make: () => {
      const o = tenant();
      first(at(o).egress).cidr = "zaken.zwolle.nl";
      return o;
    },
  },
  {
    name: "egress port above 65535",
    field: "spec.egress[0].ports[0].port",
    says: /less than or equal to 65535/,
    make: () => {
      const o = tenant();
      first(at(o).egress).ports = [{ port: 70000 }];
      return o;
    },
  },
  {
    name: "egress without ports",
    field: "spec.egress[0].ports",
    says: /at least 1 items/,
    make: () => {
      const o = tenant();
      first(at(o).egress).ports = [];
      return o;
    },
  },
  {
    name: "egress protocol ICMP",
    field: "spec.egress[0].ports[0].protocol",
    says: /supported values: "TCP", "UDP"/,
    make: () => {
      const o = tenant();
      first(at(o).egress).ports = [{ port: 443, protocol: "ICMP" }];
      return o;
    },
  },
  {
    name: "two egress entries with one name",
    field: "spec.egress[1]",
    says: /Duplicate value: \{"name":"zaaksysteem"\}/,
    make: () => {
      const o = tenant();
      const e = at(o).egress as Spec[];
      e.push({ ...first(e), cidr: "10.20.0.0/16" });
      return o;
    },
  },
  {
    name: "quota of zero pods",
    field: "spec.quota.pods",
    says: /greater than or equal to 1/,
    make: () => {
      const o = tenant();
      at(o).quota = { pods: 0 };
      return o;
    },
  },
  {
    name: "quota memory that is no quantity",
    field: "spec.quota.memory",
    says: /should match/,
    make: () => {
      const o = tenant();
      at(o).quota = { memory: "lots" };
      return o;
    },
  },
  {
    name: "the same admin group twice",
    field: "spec.admins.groups[1]",
    says: /Duplicate value: "gm0193-informatiebeheer"/,
    make: () => {
      const o = tenant();
      at(o).admins = {
        groups: ["gm0193-informatiebeheer", "gm0193-informatiebeheer"],
      };
      return o;
    },
  },
  {
    name: "deletion protection as a string",
    field: "spec.deletionProtection",
    says: /must be of type boolean/,
    make: () => {
      const o = tenant();
      at(o).deletionProtection = "yes";
      return o;
    },
  },
  {
    name: "a tenant name that cannot be a namespace",
    field: "metadata.name",
    says: /becomes its namespace's name/,
    make: () => {
      const o = tenant();
      o.metadata = { name: "zwolle.centrum" };
      return o;
    },
  },
  // AIBuildingBlock
  {
    name: "image by tag, not digest",
    field: "spec.versions[0].image",
    says: /must be pinned by digest/,
    make: () => {
      const o = block();
      first(at(o).versions).image = "registry.gemeenten.nl/aihub/samenvatten:1.0.0";
      return o;
    },
  },
  {
    name: "image with a short digest",
    field: "spec.versions[0].image",
    says: /must be pinned by digest/,
    make: () => {
      const o = block();
      first(at(o).versions).image = "registry.gemeenten.nl/aihub/samenvatten@sha256:abc";
      return o;
    },
  },
  {
    name: "version with a leading v",
    field: "spec.versions[0].version",
    says: /should match/,
    make: () => {
      const o = block();
      first(at(o).versions).version = "v1.0.0";
      return o;
    },
  },
  {
    name: "no versions",
    field: "spec.versions",
    says: /at least 1 items/,
    make: () => {
      const o = block();
      at(o).versions = [];
      return o;
    },
  },
  {
    name: "a version published twice",
    field: "spec.versions[1]",
    says: /Duplicate value: \{"version":"1.0.0"\}/,
    make: () => {
      const o = block();
      const v = at(o).versions as Spec[];
      v.push({ ...first(v) });
      return o;
    },
  },
  {
    name: "unknown channel",
    field: "spec.versions[0].channel",
    says: /supported values: "stable", "candidate"/,
    make: () => {
      const o = block();
      first(at(o).versions).channel = "beta";
      return o;
    },
  },
  {
    name: "release date not ISO",
    field: "spec.versions[0].releaseDate",
    says: /date/,
    make: () => {
      const o = block();
      first(at(o).versions).releaseDate = "01-10-2026";
      return o;
    },
  },
  {
    name: "risk class outside the AI Act",
    field: "spec.certification.riskClass",
    says: /supported values: "minimal", "limited", "high"/,
    make: () => {
      const o = block();
      (at(o).certification as Spec).riskClass = "unacceptable";
      return o;
    },
  },
  {
    name: "high risk without a DPIA",
    field: "spec.certification.dpiaReference",
    says: /high-risk block needs spec.certification.dpiaReference/,
    make: () => {
      const o = block();
      (at(o).certification as Spec).riskClass = "high";
      return o;
    },
  },
  {
    name: "supplier country spelled out",
    field: "spec.supplier.country",
    says: /may not be more than 2 bytes/,
    make: () => {
      const o = block();
      (at(o).supplier as Spec).country = "Netherlands";
      return o;
    },
  },
  {
    name: "certification date not ISO",
    field: "spec.certification.validUntil",
    says: /date/,
    make: () => {
      const o = block();
      (at(o).certification as Spec).validUntil = "31-12-2027";
      return o;
    },
  },
  {
    name: "enum parameter without allowed values",
    field: "spec.parameters[0].allowedValues",
    says: /allowedValues is required when type is enum/,
    make: () => {
      const o = block();
      at(o).parameters = [{ name: "tone", type: "enum", description: "Tone." }];
      return o;
    },
  },
  {
    name: "allowed values on an integer parameter",
    field: "spec.parameters[0].allowedValues",
    says: /only for type enum/,
    make: () => {
      const o = block();
      first(at(o).parameters).allowedValues = ["1", "2"];
      return o;
    },
  },
  {
    name: "minimum above maximum",
    field: "spec.parameters[0].minimum",
    says: /minimum must not be greater than maximum/,
    make: () => {
      const o = block();
      first(at(o).parameters).minimum = 900;
      return o;
    },
  },
  {
    name: "unknown parameter type",
    field: "spec.parameters[0].type",
    says: /supported values: "string", "integer", "boolean", "enum", "duration"/,
    make: () => {
      const o = block();
      first(at(o).parameters).type = "float";
      return o;
    },
  },
  {
    name: "parameter name not lowerCamelCase",
    field: "spec.parameters[0].name",
    says: /should match/,
    make: () => {
      const o = block();
      first(at(o).parameters).name = "Max-Words";
      return o;
    },
  },
  {
    name: "privileged port",
    field: "spec.runtime.port",
    says: /greater than or equal to 1024/,
    make: () => {
      const o = block();
      at(o).runtime = { port: 80 };
      return o;
    },
  },
  // BlockActivation
  {
    name: "channel and pinned version together",
    field: "spec",
    says: /set spec.channel to follow a channel or spec.version to pin a version, not both/,
    make: () => {
      const o = activation();
      at(o).version = "1.0.0";
      return o;
    },
  },
  {
    name: "Manual without an approved version",
    field: "spec.approvedVersion",
    says: /updatePolicy Manual needs spec.approvedVersion/,
    make: () => {
      const o = activation();
      at(o).updatePolicy = "Manual";
      return o;
    },
  },
  {
    name: "approved version with Automatic",
    field: "spec.approvedVersion",
    says: /only used with updatePolicy Manual/,
    make: () => {
      const o = activation();
      at(o).approvedVersion = "1.0.0";
      return o;
    },
  },
  {
    name: "Manual on a pinned version",
    field: "spec.updatePolicy",
    says: /pinned spec.version needs no approval/,
    make: () => {
      const o = activation();
      delete at(o).channel;
      at(o).version = "1.0.0";
      at(o).updatePolicy = "Manual";
      at(o).approvedVersion = "1.0.0";
      return o;
    },
  },
  {
    name: "unknown update policy",
    field: "spec.updatePolicy",
    says: /supported values: "Automatic", "Manual"/,
    make: () => {
      const o = activation();
      at(o).updatePolicy = "Sometimes";
      return o;
    },
  },
  {
    name: "human review without a reviewer group",
    field: "spec.humanInTheLoop.reviewerGroup",
    says: /reviewerGroup is required when required is true/,
    make: () => {
      const o = activation();
      at(o).humanInTheLoop = { required: true };
      return o;
    },
  },
  {
    name: "review sample above 100%",
    field: "spec.humanInTheLoop.samplePercentage",
    says: /less than or equal to 100/,
    make: () => {
      const o = activation();
      at(o).humanInTheLoop = { samplePercentage: 150 };
      return o;
    },
  },
  {
    name: "too many replicas",
    field: "spec.replicas",
    says: /less than or equal to 20/,
    make: () => {
      const o = activation();
      at(o).replicas = 50;
      return o;
    },
  },
  {
    name: "block name with capitals",
    field: "spec.block",
    says: /should match/,
    make: () => {
      const o = activation();
      at(o).block = "Samenvatten";
      return o;
    },
  },
  {
    name: "more than 64 parameters",
    field: "spec.parameters",
    says: /at most 64 items|64 properties/,
    make: () => {
      const o = activation();
      at(o).parameters = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, i]));
      return o;
    },
  },
];

let cluster: Cluster;

beforeAll(async () => {
  cluster = await connect(inject("kubeconfig"));
  await installCrds(cluster);
  await ensureTenantNamespace(cluster, NS);
});

afterAll(() => cluster?.client.close());

async function create(obj: Obj, query: Record<string, string> = {}): Promise<unknown> {
  const path = await cluster.paths.collectionPathOf(obj);
  return cluster.client.request("POST", path, {
    body: obj,
    query: { dryRun: "All", ...query },
  });
}

describe("the real API server", () => {
  it("accepts the valid base objects that the cases below break", async () => {
    for (const make of [tenant, block, activation]) await expect(create(make())).resolves.toBeDefined();
  });

  it(`has at least 25 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)("rejects $name, naming $field", async ({ make, field, says }) => {
    const err = await rejection(create(make()));
    expect(err.code).toBe(422);
    expect(err.message).toContain(`${field}:`);
    expect(err.message).toMatch(says);
    expect(err.causes.some((c) => c.field === field)).toBe(true);
  });

  it("rejects an unknown field under strict field validation (what kubectl does), naming it", async () => {
    const o = tenant();
    at(o).municipalitycode = "GM0193";
    const err = await rejection(create(o, { fieldValidation: "Strict" }));
    expect(err.message).toContain('unknown field "spec.municipalitycode"');
  });

  it("keeps the CBS code and the block of an activation immutable", async () => {
    const t = tenant();
    t.metadata = { name: "immutable-code" };
    const tenantPath = await cluster.paths.pathOf(t);
    await cluster.client.request("POST", await cluster.paths.collectionPathOf(t), { body: t });
    const codeErr = await rejection(
      cluster.client.request("PATCH", tenantPath, {
        body: { spec: { municipalityCode: "GM0194" } },
        contentType: "application/merge-patch+json",
      }),
    );
    expect(codeErr.message).toContain("spec.municipalityCode: Invalid value");
    expect(codeErr.message).toContain("municipalityCode is immutable");

    const a = activation();
    a.metadata = { name: "immutable-block", namespace: NS };
    await cluster.client.request("POST", await cluster.paths.collectionPathOf(a), { body: a });
    const blockErr = await rejection(
      cluster.client.request("PATCH", await cluster.paths.pathOf(a), {
        body: { spec: { block: "pseudonimisering" } },
        contentType: "application/merge-patch+json",
      }),
    );
    expect(blockErr.message).toContain("spec.block: Invalid value");
    expect(blockErr.message).toContain("block is immutable");
  });
});
