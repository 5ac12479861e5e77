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
  /**
   * Restrictions on metadata.name (the only part of metadata a CRD may restrict), for kinds whose
   * name becomes another object's name.
   */
  nameSchema?: { maxLength: number; rules: CelRule[] };
  printerColumns: PrinterColumn[];
}
