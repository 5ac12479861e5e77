// The AdmissionReview (admission.k8s.io/v1) the API server sends to a validating webhook.
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  name?: string;
  namespace?: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  userInfo?: { username?: string; groups?: string[] };
}

export interface AdmissionReview {
  apiVersion: "admission.k8s.io/v1";
  kind: "AdmissionReview";
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
  /** A mutating webhook's change, base64 of a JSON patch. */
  patchType?: "JSONPatch";
  patch?: string;
}

/** A decision: allowed, or denied with a message that names the field and the fix. */
export type Decision =
  | { allowed: true; warnings?: string[]; patch?: unknown[] }
  /** `unavailable`: refused for now (the webhook is starting), not because the object is invalid. */
  | { allowed: false; message: string; unavailable?: boolean };

export function toResponse(uid: string, decision: Decision): AdmissionReview {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: decision.allowed
      ? {
          uid,
          allowed: true,
          ...(decision.warnings?.length ? { warnings: decision.warnings } : {}),
          ...(decision.patch?.length
            ? { patchType: "JSONPatch" as const, patch: Buffer.from(JSON.stringify(decision.patch)).toString("base64") }
            : {}),
        }
      : decision.unavailable
        ? { uid, allowed: false, status: { code: 503, reason: "ServiceUnavailable", message: decision.message } }
        : { uid, allowed: false, status: { code: 422, reason: "Invalid", message: decision.message } },
  };
}
