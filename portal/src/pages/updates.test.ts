import { describe, expect, it } from "vitest";
import { APPROVAL_ANNOTATION } from "../../../operator/src/webhook/approval-record.ts";
import { exampleActivation } from "../../../test/support/example-catalog.ts";
import { approvalHistory } from "./updates.ts";

describe("approvalHistory", () => {
  it("lists the recorded approvals of every activation, newest first, with who and which note", () => {
    const a = exampleActivation("utrecht", "pseudonimisering");
    const record = (version: string, user: string, approvedAt: string) => ({
      version,
      user,
      approvedAt,
      releaseNotes: `notes ${version}`,
    });
    const annotated = {
      ...a,
      metadata: {
        ...a.metadata,
        annotations: {
          [APPROVAL_ANNOTATION]: JSON.stringify([
            record("1.2.0", "a@utrecht.nl", "2026-03-10T09:00:00Z"),
            record("1.3.0", "j.devries@utrecht.nl", "2026-09-23T09:00:00Z"),
          ]),
        },
      },
    };
    expect(approvalHistory([exampleActivation("utrecht", "bezwaar-intake"), annotated])).toEqual([
      { ...record("1.3.0", "j.devries@utrecht.nl", "2026-09-23T09:00:00Z"), activation: "pseudonimisering" },
      { ...record("1.2.0", "a@utrecht.nl", "2026-03-10T09:00:00Z"), activation: "pseudonimisering" },
    ]);
  });
});
