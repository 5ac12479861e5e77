// The API server's answer to a failed request, as a person would read it.
import { ApiException } from "@kubernetes/client-node";

export interface ApiStatus {
  code: number;
  reason?: string;
  message: string;
  causes?: { field?: string; message?: string; reason?: string }[];
}

/** Extracts the metav1.Status of a failed request, or undefined when `err` is not an API error. */
export function apiStatus(err: unknown): ApiStatus | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body = typeof err.body === "string" ? safeParse(err.body) : err.body;
  if (body && typeof body === "object" && "message" in body) {
    const status = body as { message: string; reason?: string; details?: { causes?: ApiStatus["causes"] } };
    return { code: err.code, reason: status.reason, message: status.message, causes: status.details?.causes };
  }
  return { code: err.code, message: String(err.body ?? err.message) };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

export const isNotFound = (err: unknown) => apiStatus(err)?.code === 404;
export const isConflict = (err: unknown) => apiStatus(err)?.code === 409;
