// What the CRD generator needs to know about a kind beyond its zod schema.
import type { z } from "zod";
import type { CelRule } from "./common.ts";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: "Cluster" | "Namespaced";
  /** The whole object (apiVersion, kind, metadata, spec, status). */
  schema: z.ZodObject;
  /** CEL rules on the whole object, for checks that involve metadata. */
  rootRules?: CelRule[];
  printerColumns: PrinterColumn[];
}
