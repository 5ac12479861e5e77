// Who approved or declined an update, recorded by the API server's own account of the request: the
// mutating webhook adds a record (user from userInfo) to the approval annotation whenever
// spec.approvedVersion or spec.declinedVersion changes, and puts the previous records back on every other change, so that
// nobody (a tenant admin included) can type or edit them. The annotation holds the last ten, so
// that approvals in quick succession are all kept; the activation controller copies them into
// status, which tenant admins can only read.
import type { AIBuildingBlock, BlockActivation } from "../api/v1alpha1/index.ts";
import { rfc3339 } from "../kube/time.ts";
import type { AdmissionRequest } from "./admission-review.ts";

export const APPROVAL_ANNOTATION = "aihub.gemeenten.nl/approval";
const POINTER = `/metadata/annotations/${APPROVAL_ANNOTATION.replace(/~/g, "~0").replace(/\//g, "~1")}`;

export interface ApprovalRecord {
  version: string;
  /** Absent in records written before declining existed: those are approvals. */
  decision?: "Approved" | "Declined";
  user: string;
  approvedAt: string;
  /** The release notes of that version as the catalog had them when the approval was given. */
  releaseNotes: string;
}

export type JsonPatch = { op: "add" | "replace" | "remove"; path: string; value?: unknown }[];

export const APPROVALS_KEPT = 10;

const isRecord = (r: Partial<ApprovalRecord>): r is ApprovalRecord =>
  typeof r?.version === "string" && typeof r.user === "string" && typeof r.approvedAt === "string";

/** The records in an annotation, oldest first; nothing when it holds something else. */
export function readApprovals(annotations: Record<string, string> | undefined): ApprovalRecord[] {
  const raw = annotations?.[APPROVAL_ANNOTATION];
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as Partial<ApprovalRecord>[];
    return Array.isArray(list)
      ? list.filter(isRecord).map(({ decision, ...r }) => ({
          ...r,
          ...(decision === "Declined" && { decision }),
          releaseNotes: String(r.releaseNotes ?? ""),
        }))
      : [];
  } catch {
    return [];
  }
}

/**
 * The JSON patch that makes the request's approval annotation true: a new record when the
 * approved version changes (by the requesting user, now), else the record the object had before.
 */
export function approvalPatch(req: AdmissionRequest, block: AIBuildingBlock | undefined, now: Date): JsonPatch {
  const obj = req.object as BlockActivation | undefined;
  if (!obj || (req.operation !== "CREATE" && req.operation !== "UPDATE")) return [];
  const old = req.oldObject as BlockActivation | undefined;
  const manual = obj.spec?.updatePolicy === "Manual";
  const approved = manual ? obj.spec.approvedVersion : undefined;
  const declined = manual ? obj.spec.declinedVersion : undefined;
  const before = old?.metadata?.annotations?.[APPROVAL_ANNOTATION];
  const record = (version: string, decision?: "Declined"): ApprovalRecord => ({
    version,
    ...(decision && { decision }),
    user: req.userInfo?.username ?? "unknown",
    approvedAt: rfc3339(now),
    releaseNotes: (block?.spec.versions.find((v) => v.version === version)?.releaseNotes ?? "").slice(0, 2048),
  });
  const added = [
    ...(approved && approved !== old?.spec?.approvedVersion ? [record(approved)] : []),
    ...(declined && declined !== old?.spec?.declinedVersion ? [record(declined, "Declined")] : []),
  ];
  const desired = added.length
    ? JSON.stringify([...readApprovals(old?.metadata?.annotations), ...added].slice(-APPROVALS_KEPT))
    : before;
  const current = obj.metadata?.annotations?.[APPROVAL_ANNOTATION];
  if (current === desired) return [];
  if (desired === undefined) return [{ op: "remove", path: POINTER }];
  if (!obj.metadata?.annotations) {
    return [{ op: "add", path: "/metadata/annotations", value: { [APPROVAL_ANNOTATION]: desired } }];
  }
  return [{ op: current === undefined ? "add" : "replace", path: POINTER, value: desired }];
}
