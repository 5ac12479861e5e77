// A parameter of type url: where a block reaches a municipality's system (a case-management API).
// Absolute https only, so that an empty string, a relative path (../../etc) or plain http never
// reaches a block; no credentials in it (they would sit in a ConfigMap for every viewer to read).

/** The longest URL a parameter may hold. */
export const MAX_URL_LENGTH = 2048;

/** What is wrong with `value` as a url parameter, or undefined when nothing is. */
export function urlProblem(value: string): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  if (/\s/.test(value)) return "contains white space";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not an absolute URL such as https://zaken.example.nl/api/v1";
  }
  if (url.protocol !== "https:") return `uses ${url.protocol.replace(/:$/, "")}; only https is allowed`;
  if (!url.hostname) return "names no host";
  if (url.username || url.password) return "contains credentials; put them in a Secret, not in a parameter";
  if (url.hash) return "has a fragment (#…), which a server never sees";
  return undefined;
}
