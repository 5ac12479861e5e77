// The portal's URLs: one table of method, pattern and page, matched by a pure function, so that
// what the server answers is readable in one place and tested without a server. Dutch paths, as
// the pages are Dutch first.

export type RouteName =
  | "home"
  | "signin-form"
  | "signin"
  | "signout"
  | "mijn-gemeente"
  | "catalogus"
  | "bouwblokken"
  | "activate-form"
  | "activate"
  | "change-form"
  | "change"
  | "updates"
  | "approve"
  | "decline"
  | "uitrol"
  | "rollout-action"
  | "transparantie"
  | "algoritmeregister"
  | "live"
  | "asset"
  | "healthz"
  | "oidc-start"
  | "oidc-callback";

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  name: RouteName;
  params: string[];
}

const NAME = "([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)";

const route = (method: Route["method"], path: string, name: RouteName): Route => {
  const params: string[] = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_, p: string) => {
    params.push(p);
    return NAME;
  });
  return { method, pattern: new RegExp(`^${source}$`), name, params };
};

export const ROUTES: readonly Route[] = [
  route("GET", "/", "home"),
  route("GET", "/aanmelden", "signin-form"),
  route("POST", "/aanmelden", "signin"),
  route("GET", "/aanmelden/oidc", "oidc-start"),
  route("GET", "/aanmelden/oidc/terug", "oidc-callback"),
  route("POST", "/afmelden", "signout"),
  route("GET", "/mijn-gemeente", "mijn-gemeente"),
  route("GET", "/catalogus", "catalogus"),
  route("GET", "/bouwblokken", "bouwblokken"),
  route("GET", "/bouwblokken/inschakelen/:block", "activate-form"),
  route("POST", "/bouwblokken/inschakelen/:block", "activate"),
  route("GET", "/bouwblokken/:activation/wijzigen", "change-form"),
  route("POST", "/bouwblokken/:activation/wijzigen", "change"),
  route("GET", "/updates", "updates"),
  route("POST", "/updates/:activation/goedkeuren", "approve"),
  route("POST", "/updates/:activation/afwijzen", "decline"),
  route("GET", "/uitrol", "uitrol"),
  route("POST", "/uitrol/:rollout/:action", "rollout-action"),
  route("GET", "/transparantie", "transparantie"),
  route("GET", "/transparantie/:tenant/algoritmeregister.json", "algoritmeregister"),
  route("GET", "/live", "live"),
  route("GET", "/assets/:file", "asset"),
  route("GET", "/healthz", "healthz"),
];

export type Match = { name: RouteName; params: Record<string, string> } | { name: "not-found" | "method-not-allowed" };

export function matchRoute(method: string, path: string): Match {
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method && !(method === "HEAD" && r.method === "GET")) continue;
    const params: Record<string, string> = {};
    // Each parameter's pattern has one inner group, so the outer groups are every other one.
    r.params.forEach((p, i) => {
      params[p] = m[1 + i * 2] ?? "";
    });
    return { name: r.name, params };
  }
  return { name: pathMatched ? "method-not-allowed" : "not-found" };
}

/** Pages that only a signed-in person sees; the rest are public. */
export const PUBLIC_ROUTES: ReadonlySet<RouteName> = new Set([
  "signin-form",
  "signin",
  "oidc-start",
  "oidc-callback",
  "transparantie",
  "algoritmeregister",
  "asset",
  "healthz",
  "home",
  // Public pages are live too; the stream itself allows a session's watches only with a session.
  "live",
]);
