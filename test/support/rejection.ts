// Expecting the API server (or a webhook) to refuse a request.
import { ApiError } from "../../operator/src/kube/rest-client.ts";

/** Resolves with the API server's refusal; fails the test when the request was accepted. */
export async function rejection(request: Promise<unknown>): Promise<ApiError> {
  try {
    await request;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("the API server accepted it");
}
