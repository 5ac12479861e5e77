import { describe, expect, it } from "vitest";
import type { AIBuildingBlock } from "../api/v1alpha1/index.ts";
import type { AdmissionRequest } from "./admission-review.ts";
import { APPROVAL_ANNOTATION, approvalPatch, readApprovals } from "./approval-record.ts";

const NOW = new Date("2027-02-01T09:30:00.123Z");
const block = {
  metadata: { name: "pseudonimisering" },
  spec: { versions: [{ version: "1.4.0", releaseNotes: "Recognises Frisian names." }] },
} as unknown as AIBuildingBlock;

const activation = (approvedVersion: string | undefined, annotations?: Record<string, string>) => ({
  metadata: { name: "p", namespace: "utrecht", ...(annotations && { annotations }) },
  spec: { block: "pseudonimisering", updatePolicy: "Manual", ...(approvedVersion && { approvedVersion }) },
});

const request = (operation: "CREATE" | "UPDATE", object: unknown, oldObject?: unknown): AdmissionRequest => ({
  uid: "1",
  kind: { group: "aihub.gemeenten.nl", version: "v1alpha1", kind: "BlockActivation" },
  operation,
  object,
  oldObject,
  userInfo: { username: "j.devries@utrecht.nl", groups: ["utrecht-admins"] },
});

const record = (user: string, version = "1.4.0") =>
  JSON.stringify([{ version, user, approvedAt: "2027-01-01T00:00:00Z", releaseNotes: "x" }]);

describe("approvalPatch", () => {
  it("records the requesting user, the time and the release notes when the approved version changes", () => {
    const patch = approvalPatch(request("UPDATE", activation("1.4.0"), activation("1.2.0")), block, NOW);
    expect(patch).toEqual([{ op: "add", path: "/metadata/annotations", value: expect.any(Object) }]);
    const value = (patch[0]?.value as Record<string, string> | undefined)?.[APPROVAL_ANNOTATION];
    expect(readApprovals({ [APPROVAL_ANNOTATION]: value ?? "" })).toEqual([
      {
        version: "1.4.0",
        user: "j.devries@utrecht.nl",
        approvedAt: "2027-02-01T09:30:00Z",
        releaseNotes: "Recognises Frisian names.",
      },
    ]);
  });

  it("overwrites a record the user typed with their own approval", () => {
    const forged = activation("1.4.0", { [APPROVAL_ANNOTATION]: record("burgemeester") });
    const patch = approvalPatch(request("UPDATE", forged, activation("1.2.0")), block, NOW);
    expect(patch[0]?.op).toBe("replace");
    expect(readApprovals({ [APPROVAL_ANNOTATION]: String(patch[0]?.value) }).map((r) => r.user)).toEqual([
      "j.devries@utrecht.nl",
    ]);
  });

  it("puts the previous record back when anything else changes, and removes one typed on create", () => {
    const before = record("j.devries@utrecht.nl");
    const edited = activation("1.4.0", { [APPROVAL_ANNOTATION]: record("burgemeester") });
    const old = activation("1.4.0", { [APPROVAL_ANNOTATION]: before });
    expect(approvalPatch(request("UPDATE", edited, old), block, NOW)).toEqual([
      { op: "replace", path: "/metadata/annotations/aihub.gemeenten.nl~1approval", value: before },
    ]);
    const removed = activation("1.4.0", { other: "x" });
    expect(approvalPatch(request("UPDATE", removed, old), block, NOW)[0]?.op).toBe("add");
    const typedOnCreate = { ...activation(undefined, { [APPROVAL_ANNOTATION]: before }), spec: { block: "b" } };
    expect(approvalPatch(request("CREATE", typedOnCreate), block, NOW)).toEqual([
      { op: "remove", path: "/metadata/annotations/aihub.gemeenten.nl~1approval" },
    ]);
  });

  it("keeps the earlier approvals, the last ten", () => {
    const eleven = JSON.stringify(
      Array.from({ length: 10 }, (_, i) => ({ version: `1.${i}.0`, user: "a", approvedAt: "2027-01-01T00:00:00Z" })),
    );
    const old = activation("1.2.0", { [APPROVAL_ANNOTATION]: eleven });
    const patch = approvalPatch(
      request("UPDATE", { ...old, spec: { ...old.spec, approvedVersion: "1.4.0" } }, old),
      block,
      NOW,
    );
    const kept = readApprovals({ [APPROVAL_ANNOTATION]: String(patch[0]?.value) });
    expect(kept).toHaveLength(10);
    expect(kept[0]?.version).toBe("1.1.0");
    expect(kept.at(-1)).toMatchObject({ version: "1.4.0", user: "j.devries@utrecht.nl" });
  });

  it("records a decline as the requesting user's, after the earlier approvals", () => {
    const old = activation("1.2.0", { [APPROVAL_ANNOTATION]: record("a.jansen@utrecht.nl", "1.2.0") });
    const declined = { ...old, spec: { ...old.spec, declinedVersion: "1.4.0" } };
    const patch = approvalPatch(request("UPDATE", declined, old), block, NOW);
    expect(readApprovals({ [APPROVAL_ANNOTATION]: String(patch[0]?.value) })).toEqual([
      { version: "1.2.0", user: "a.jansen@utrecht.nl", approvedAt: "2027-01-01T00:00:00Z", releaseNotes: "x" },
      {
        version: "1.4.0",
        decision: "Declined",
        user: "j.devries@utrecht.nl",
        approvedAt: "2027-02-01T09:30:00Z",
        releaseNotes: "Recognises Frisian names.",
      },
    ]);
    expect(
      approvalPatch(request("UPDATE", { ...declined, metadata: { ...declined.metadata } }, declined), block, NOW),
    ).toEqual([]);
  });

  it("changes nothing when nothing about the approval changed", () => {
    const a = activation("1.4.0", { [APPROVAL_ANNOTATION]: record("j.devries@utrecht.nl") });
    expect(approvalPatch(request("UPDATE", a, a), block, NOW)).toEqual([]);
  });
});
