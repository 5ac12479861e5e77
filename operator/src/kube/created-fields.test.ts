import { describe, expect, test } from "vitest";
import { unionFields, upgradedManagedFields } from "./created-fields.ts";

const created = {
  manager: "aihub-activation",
  operation: "Update",
  apiVersion: "apps/v1",
  time: "2026-12-02T00:00:00Z",
  fieldsType: "FieldsV1",
  fieldsV1: { "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:dnsPolicy": {} } } } },
};
const scaler = {
  manager: "kubectl-scale",
  operation: "Update",
  subresource: "scale",
  fieldsV1: { "f:spec": { "f:replicas": {} } },
};
const status = {
  manager: "aihub-activation",
  operation: "Update",
  subresource: "status",
  fieldsV1: { "f:status": {} },
};

describe("the fields of a created child become the field manager's applied fields", () => {
  test("its Update entry becomes an Apply entry in its place; the rest is kept in order", () => {
    expect(upgradedManagedFields([scaler, created, status], "aihub-activation")).toEqual([
      scaler,
      { ...created, operation: "Apply" },
      status,
    ]);
  });

  test("beside an Apply entry of its own, the Update entry's fields join it and the Update entry goes", () => {
    const applied = {
      manager: "aihub-activation",
      operation: "Apply",
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": { "f:labels": { "f:app": {} } }, "f:spec": { "f:replicas": {} } },
    };
    expect(upgradedManagedFields([applied, scaler, created], "aihub-activation")).toEqual([
      {
        ...applied,
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:dnsPolicy": {} } } },
        },
      },
      scaler,
    ]);
  });

  test("nothing to do without an Update entry of its own on the object itself", () => {
    expect(upgradedManagedFields([scaler, status], "aihub-activation")).toBeUndefined();
    expect(upgradedManagedFields([{ ...created, manager: "someone" }], "aihub-activation")).toBeUndefined();
  });

  test("the union of two field sets keeps every path of both", () => {
    expect(
      unionFields({ "f:a": { "f:b": {} }, "f:c": {} }, { "f:a": { "f:d": {} }, 'k:{"x":1}': { ".": {} } }),
    ).toEqual({
      "f:a": { "f:b": {}, "f:d": {} },
      "f:c": {},
      'k:{"x":1}': { ".": {} },
    });
  });
});
