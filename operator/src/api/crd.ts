// Turns a kind's zod schema into a CustomResourceDefinition that the API server accepts:
// a structural OpenAPI v3 schema (no $ref, no junctors with types inside, no
// additionalProperties: false), status subresource, printer columns, short names, categories.
import { stringify } from "yaml";
import { z } from "zod";
import { GROUP, VERSION } from "./v1alpha1/common.ts";
import type { KindDefinition } from "./v1alpha1/kind-definition.ts";

type JsonSchema = { [key: string]: unknown };

/** Keywords that make a schema non-structural or that CRDs do not support. */
export const FORBIDDEN_KEYWORDS = [
  "$ref",
  "$defs",
  "$schema",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "uniqueItems",
  "const",
  "propertyNames",
];

/** Converts one zod schema to the OpenAPI 3.0 subset used by CRDs. Throws on anything unrepresentable. */
export function toStructuralSchema(schema: z.ZodType): JsonSchema {
  const raw = z.toJSONSchema(schema, {
    target: "openapi-3.0",
    io: "input",
    unrepresentable: "throw",
    reused: "inline",
    cycles: "throw",
  }) as JsonSchema;
  return clean(raw, "");
}

function clean(node: JsonSchema, path: string): JsonSchema {
  const out: JsonSchema = {};
  const preserveUnknown = node["x-kubernetes-preserve-unknown-fields"] === true;
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema") continue;
    if (key === "additionalProperties" && value === false) continue;
    // Formats the API server checks itself; zod's regexes for them use syntax Go's RE2 lacks.
    if (key === "pattern" && (node.format === "date" || node.format === "date-time")) continue;
    // A const (from z.literal) becomes a one-value enum.
    if (key === "const") {
      out.enum = [value];
      continue;
    }
    if (preserveUnknown && ["anyOf", "oneOf", "type", "properties", "additionalProperties", "items"].includes(key))
      continue;
    if (key === "properties") {
      const props: JsonSchema = {};
      for (const [name, child] of Object.entries(value as Record<string, JsonSchema>)) {
        props[name] = clean(child, `${path}.${name}`);
      }
      out.properties = props;
    } else if ((key === "items" || key === "additionalProperties") && typeof value === "object" && value !== null) {
      out[key] = clean(value as JsonSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  for (const keyword of FORBIDDEN_KEYWORDS) {
    if (keyword in out) throw new Error(`${path || "<root>"}: "${keyword}" is not allowed in a CRD schema`);
  }
  if (!("type" in out) && !preserveUnknown && out["x-kubernetes-int-or-string"] !== true) {
    throw new Error(`${path || "<root>"}: every schema node needs a type (or x-kubernetes-preserve-unknown-fields)`);
  }
  return out;
}

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels: Record<string, string> };
  spec: JsonSchema;
}

/** The CRD of one kind. Pure: the same input gives byte-identical output. */
export function buildCrd(def: KindDefinition): CustomResourceDefinition {
  const shape = def.schema.shape;
  const properties: JsonSchema = {
    apiVersion: {
      type: "string",
      description:
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
    },
    kind: {
      type: "string",
      description:
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.",
    },
    metadata: def.nameSchema
      ? {
          type: "object",
          properties: {
            name: {
              type: "string",
              maxLength: def.nameSchema.maxLength,
              "x-kubernetes-validations": def.nameSchema.rules,
            },
          },
        }
      : { type: "object" },
    spec: toStructuralSchema(shape.spec as z.ZodType),
  };
  if (shape.status) properties.status = toStructuralSchema((shape.status as z.ZodOptional<z.ZodType>).unwrap());
  const openAPIV3Schema: JsonSchema = {
    type: "object",
    description: def.schema.description,
    properties,
    required: ["spec"],
  };

  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { "app.kubernetes.io/part-of": "aihub" },
    },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ["aihub"],
      },
      scope: def.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema },
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
        },
      ],
    },
  };
}

/** The file name kubebuilder would use: <group>_<plural>.yaml. */
export const crdFileName = (def: KindDefinition) => `${GROUP}_${def.plural}.yaml`;

export const CRD_FILE_HEADER = "# Generated by `make crds` from operator/src/api. Do not edit.\n";

/** The YAML written to crds/: a header that says where it comes from, then the CRD. */
export function renderCrdYaml(crd: CustomResourceDefinition): string {
  return CRD_FILE_HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false });
}
