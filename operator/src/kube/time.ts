// Times as the API server writes them.

/**
 * RFC 3339 in whole seconds, as the API server stores metav1.Time: a time with milliseconds
 * would come back truncated and never compare equal to what was computed.
 */
export const rfc3339 = (time: Date): string => time.toISOString().replace(/\.\d+Z$/, "Z");

/** metav1.MicroTime (RFC 3339 with microseconds), as Events and Leases carry it. */
export const microTime = (time: Date | number): string => new Date(time).toISOString().replace(/Z$/, "000Z");
