// MunicipalTenant: one municipality, isolated in its own namespace. Cluster-scoped.
import { z } from "zod";
import { isCidr } from "../cidr.ts";
import {
  API_VERSION,
  conditions,
  dnsLabel,
  listMap,
  objectMeta,
  observedGeneration,
  quantity,
  registerEntryId,
  setOf,
  withRules,
} from "./common.ts";
import type { KindDefinition } from "./kind-definition.ts";

/** No Kubernetes system subject: system:authenticated, for one, is every signed-in user. */
const subject = (description: string) =>
  withRules(z.string().min(1).max(253), [
    {
      rule: "!self.startsWith('system:')",
      message:
        "system: groups and users are Kubernetes' own (system:authenticated is everyone signed in): name the municipality's own",
      holds: (name) => !name.startsWith("system:"),
    },
  ]).describe(description);

const subjectSet = (maxItems: number, description: string, itemDescription: string) =>
  setOf(subject(itemDescription), maxItems, description);

const subjects = (who: string) =>
  z
    .object({
      groups: subjectSet(32, `Groups (from the identity provider) whose members are ${who}.`, "A group name."),
      users: subjectSet(64, `Individual users who are ${who}.`, "A user name as the API server authenticates it."),
    })
    .partial()
    .describe(`Who are ${who} of this municipality's namespace.`);

export const egressPort = z
  .object({
    port: z.number().int().min(1).max(65535).describe("Destination port, 1-65535."),
    protocol: z.enum(["TCP", "UDP"]).default("TCP").describe("Protocol: TCP (default) or UDP."),
  })
  .describe("A destination port.");

export const egressRule = z
  .object({
    name: dnsLabel("A short name for this destination, unique within the tenant, for example zaaksysteem."),
    cidr: withRules(z.string().min(1).max(43), [
      {
        rule: "isCIDR(self)",
        message: "must be a network in CIDR notation, for example 10.20.0.0/16 or 192.0.2.10/32",
        holds: isCidr,
      },
    ]).describe("The destination network in CIDR notation, for example 10.20.0.0/16 or 192.0.2.10/32."),
    ports: listMap(egressPort, "port", 16, "Destination ports; at least one.").min(1),
    description: z.string().max(256).optional().describe("What this system is, for the auditors."),
  })
  .describe("A system outside the cluster that blocks in this tenant may reach.");

export const processingRegisterEntry = z
  .object({
    id: registerEntryId("The entry's id in the municipality's processing register, for example VWR-2024-017."),
    name: z
      .string()
      .min(1)
      .max(253)
      .describe("The processing's name in the register, for example Behandelen bezwaarschriften."),
  })
  .describe("An entry of the municipality's processing register (GDPR article 30).");

/** https://host or https://host:port, nothing more: the OTLP endpoint of a municipality's Logboek. */
export const LOGBOEK_ENDPOINT_PATTERN = "^https://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$";

export const logboek = z
  .object({
    endpoint: z
      .string()
      .max(263)
      .regex(new RegExp(LOGBOEK_ENDPOINT_PATTERN))
      .describe(
        "The Logboek's OTLP endpoint: https://host or https://host:port, no path (for example https://logboek.utrecht.nl:4317). Without a port, 443.",
      ),
    cidr: withRules(z.string().min(1).max(43), [
      {
        rule: "isCIDR(self)",
        message: "must be a network in CIDR notation, for example 10.20.0.0/16 or 192.0.2.10/32",
        holds: isCidr,
      },
    ]).describe(
      "Where the Logboek's addresses are, in CIDR notation: the blocks' network policies let their pods reach it there, on the endpoint's port only.",
    ),
    clientCertificateSecret: dnsLabel(
      "The kubernetes.io/tls Secret in the municipality's namespace with the client certificate the sidecars present to the Logboek (tls.crt, tls.key) and the CA that signs the Logboek's certificate (ca.crt).",
    ).default("aihub-logboek-client"),
    processingRegister: listMap(
      processingRegisterEntry,
      "id",
      512,
      "The municipality's processing register: activations map each processing activity of a block to one of these entries.",
    ).min(1),
    logLines: z
      .enum(["Drop", "Forward"])
      .default("Drop")
      .describe(
        "What the sidecars do with the blocks' log lines (their log files and OTLP logs). Drop (the default): they are no records of Logboek Dataverwerkingen, which holds spans, and go nowhere. Forward: to this Logboek as OTLP logs (its LogsService) beside the spans, checked for plain BSNs like them; only for a Logboek that takes them.",
      ),
  })
  .describe(
    "The municipality's Logboek Dataverwerkingen: where the logging sidecars of its blocks send the record of every processing of personal data.",
  );

export const tenantQuota = z
  .object({
    cpu: quantity("Total CPU requests of all pods in the namespace, for example 8.").default("8"),
    memory: quantity("Total memory requests of all pods in the namespace, for example 32Gi.").default("32Gi"),
    pods: z.number().int().min(1).max(1000).default(50).describe("Most pods the namespace may run."),
    storage: quantity(
      "Total storage requested by persistent volume claims, for example 100Gi; the logging sidecar's queue of every block replica claims 1Gi.",
    ).default("100Gi"),
    activations: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(30)
      .describe(
        "Most BlockActivations the namespace may hold (1-200), each with its own two ConfigMaps (parameters, logging sidecar), StatefulSet, Service, network policy and disruption budget, which the quota counts too.",
      ),
  })
  .describe("The resource quota of the municipality's namespace.");

export const rolloutRing = z
  .enum(["canary", "early", "general"])
  .describe("When this municipality receives automatic updates: canary first, then early, then general (the default).");

const clock = (description: string) =>
  z
    .string()
    .max(5)
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/)
    .describe(description);

export const weekday = z
  .enum(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
  .describe("A day of the week.");

export const maintenanceWindow = z
  .object({
    days: setOf(weekday, 7, "The days on which the window opens.").min(1),
    start: clock("When the window opens, local time in Europe/Amsterdam (HH:MM)."),
    end: clock("When it closes (HH:MM); an end before the start closes it the next day."),
  })
  .describe("A weekly window in which this municipality accepts automatic updates.");

export const municipalTenantSpec = z
  .object({
    municipalityCode: z
      .string()
      .max(6)
      .regex(/^GM[0-9]{4}$/)
      .describe("The municipality's CBS code: GM followed by four digits, for example GM0344 (Utrecht). Immutable.")
      .meta({
        "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "municipalityCode is immutable" }],
      }),
    displayName: z
      .string()
      .min(1)
      .max(100)
      .describe("The municipality's name as residents know it, for example Utrecht."),
    admins: subjects("information managers (admins), who activate blocks and approve updates").optional(),
    viewers: subjects("viewers, who may only read").optional(),
    quota: tenantQuota.optional().describe("The resource quota of the namespace; defaults apply when omitted."),
    egress: listMap(
      egressRule,
      "name",
      32,
      "Systems outside the cluster (case management, source systems) that this tenant's blocks may reach. Everything else is denied.",
    ).optional(),
    logboek: logboek.optional(),
    rolloutRing: rolloutRing.default("general"),
    maintenanceWindows: z
      .array(maintenanceWindow)
      .max(14)
      .optional()
      .describe(
        "When this municipality accepts automatic updates from a fleet rollout (Europe/Amsterdam). Without windows, any time.",
      )
      .meta({ "x-kubernetes-list-type": "atomic" }),
    deletionProtection: z
      .boolean()
      .default(true)
      .describe(
        "While true (the default), deleting this tenant is refused and nothing is removed. Set to false first to delete the tenant and its namespace.",
      ),
  })
  .describe("The desired state of a municipality's tenant.");

export const tenantPhase = z
  .enum(["Pending", "Ready", "Failed", "Terminating"])
  .describe("A one-word summary of the tenant's state; conditions have the details.");

export const municipalTenantStatus = z
  .object({
    observedGeneration,
    namespace: z.string().max(63).optional().describe("The namespace that holds this municipality's workloads."),
    phase: tenantPhase.optional(),
    conditions: conditions.optional(),
  })
  .describe("The observed state of the tenant, written by the operator.");

export const municipalTenant = z
  .object({
    apiVersion: z.literal(API_VERSION).describe("aihub.gemeenten.nl/v1alpha1"),
    kind: z.literal("MunicipalTenant").describe("MunicipalTenant"),
    metadata: objectMeta,
    spec: municipalTenantSpec,
    status: municipalTenantStatus.optional(),
  })
  .describe(
    "One Dutch municipality on the aihub platform. The operator gives it an isolated namespace with a quota, " +
      "default-deny network policies and RBAC for its information managers.",
  );

export type MunicipalTenant = z.infer<typeof municipalTenant>;
export type MunicipalTenantSpec = z.infer<typeof municipalTenantSpec>;

export const municipalTenantKind: KindDefinition = {
  kind: "MunicipalTenant",
  plural: "municipaltenants",
  singular: "municipaltenant",
  shortNames: ["mt"],
  scope: "Cluster",
  schema: municipalTenant,
  nameSchema: {
    maxLength: 63,
    rules: [
      {
        rule: "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
        message:
          "the tenant's name becomes its namespace's name: use lower-case letters, digits and '-' only, for example utrecht",
      },
      {
        rule: "!(self in ['default', 'aihub-system', 'aihub-gateway', 'aihub-logging']) && !self.startsWith('kube-')",
        message:
          "default, aihub-system, aihub-gateway, aihub-logging and kube-* are the platform's own namespaces: name the tenant after the municipality",
      },
    ],
  },
  printerColumns: [
    { name: "Code", type: "string", jsonPath: ".spec.municipalityCode" },
    { name: "Municipality", type: "string", jsonPath: ".spec.displayName" },
    { name: "Ring", type: "string", jsonPath: ".spec.rolloutRing" },
    { name: "Namespace", type: "string", jsonPath: ".status.namespace" },
    {
      name: "Ready",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
