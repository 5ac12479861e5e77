import { describe, expect, it } from "vitest";
import { ApiError } from "../operator/src/kube/rest-client.ts";
import { afterRefusedCreate } from "./fleet-raw.ts";

describe("afterRefusedCreate", () => {
  it("takes only AlreadyExists for an object that exists; the quota admission's 409 is sent again", () => {
    expect(
      afterRefusedCreate(new ApiError(409, 'statefulsets.apps "bezwaar-intake" already exists', "AlreadyExists")),
    ).toBe("exists");
    // What kube-apiserver answered a create when its quota admission could not write the quota's
    // status (2026-12-03: counted as existing, the StatefulSet was never created).
    const quotaConflict = new ApiError(
      409,
      'Operation cannot be fulfilled on resourcequotas "aihub-tenant": the object has been modified; please apply your changes to the latest version and try again',
      "Conflict",
    );
    expect(afterRefusedCreate(quotaConflict)).toBe("quota");
    expect(
      afterRefusedCreate(
        new ApiError(
          403,
          "forbidden: status unknown for quota: aihub-tenant, resource: count/blockactivations.aihub.gemeenten.nl",
          "Forbidden",
        ),
      ),
    ).toBe("quota");
  });

  it("sends a create again while its namespace is missing, and lets any other refusal stand", () => {
    expect(afterRefusedCreate(new ApiError(404, 'namespaces "gemeente-0058" not found', "NotFound"))).toBe("again");
    expect(
      afterRefusedCreate(
        new ApiError(403, "exceeded quota: aihub-tenant, requested: count/statefulsets.apps=1", "Forbidden"),
      ),
    ).toBe("fail");
    expect(afterRefusedCreate(new ApiError(422, "spec.replicas: Invalid value", "Invalid"))).toBe("fail");
    expect(afterRefusedCreate(new Error("socket hang up"))).toBe("fail");
  });
});
