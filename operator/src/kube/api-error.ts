// Classifying failed requests.
import { ApiError } from "./rest-client.ts";

export const isNotFound = (err: unknown) => err instanceof ApiError && err.code === 404;
export const isConflict = (err: unknown) => err instanceof ApiError && err.code === 409;
