import { describe, expect, it } from "vitest";
import { APPLIED_HASH_ANNOTATION, withAppliedHash } from "./apply.ts";
import { isSubset } from "./subset.ts";

const configMap = (data: Record<string, string>, annotations?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "a", namespace: "n", ...(annotations && { annotations }) },
  data,
});
const hashOf = (o: { metadata: { annotations?: Record<string, string> } }) =>
  o.metadata.annotations?.[APPLIED_HASH_ANNOTATION];

describe("withAppliedHash", () => {
  it("stamps the same hash on the same configuration, and another one when a field goes", () => {
    const full = withAppliedHash(configMap({ a: "1", b: "2" }));
    const again = withAppliedHash(configMap({ a: "1", b: "2" }));
    const changed = withAppliedHash(configMap({ a: "1", b: "3" }));
    const smaller = withAppliedHash(configMap({ a: "1" }));
    expect(hashOf(full)).toMatch(/^[\w-]{27}$/);
    expect(hashOf(again)).toBe(hashOf(full));
    expect(hashOf(changed)).not.toBe(hashOf(full));
    expect(hashOf(smaller)).not.toBe(hashOf(full));
    // The live object of the full configuration contains the smaller one's fields, but not its hash:
    // this is what makes the applier send the apply that removes `b`.
    expect(isSubset(configMap({ a: "1" }), full)).toBe(true);
    expect(isSubset(smaller, full)).toBe(false);
  });

  it("keeps other annotations, ignores an old stamp, and is the same when applied twice", () => {
    const stamped = withAppliedHash(configMap({ a: "1" }, { owner: "team" }));
    expect(stamped.metadata.annotations?.owner).toBe("team");
    expect(withAppliedHash(stamped)).toEqual(stamped);
    const stale = configMap({ a: "1" }, { owner: "team", [APPLIED_HASH_ANNOTATION]: "old" });
    expect(hashOf(withAppliedHash(stale))).toBe(hashOf(stamped));
  });

  it("does not change the object it is given", () => {
    const desired = configMap({ a: "1" });
    withAppliedHash(desired);
    expect(desired.metadata).toEqual({ name: "a", namespace: "n" });
  });
});
