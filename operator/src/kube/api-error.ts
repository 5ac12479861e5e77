// Classifying failed requests.
import { ApiError } from "./rest-client.ts";

export const isNotFound = (err: unknown) => err instanceof ApiError && err.code === 404;
export const isConflict = (err: unknown) => err instanceof ApiError && err.code === 409;
/** A create refused because an object of that name exists (not every 409 on a create says so). */
export const isAlreadyExists = (err: unknown) => isConflict(err) && (err as ApiError).reason === "AlreadyExists";
