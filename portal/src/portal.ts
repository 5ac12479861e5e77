// The portal's HTTP server: sessions, sign-in, the pages, their live streams and the assets,
// on node:http alone. It holds no permissions of its own (docs/adr/0015-portal.md): each
// signed-in request reaches the API server with the user's own token through the session's
// UserApi; only the public Transparantie page and the choice of which municipality to show
// use the portal's narrow read-only identity (publicApi), and only for public fields.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MunicipalTenant } from "../../operator/src/api/v1alpha1/index.ts";
import type { KubeObject } from "../../operator/src/kube/object.ts";
import { ApiError } from "../../operator/src/kube/rest-client.ts";
import { WatchCache } from "../../operator/src/kube/watch-cache.ts";
import { GROUP_PATH } from "../../plugin/src/api.ts";
import type { Assets } from "./assets.ts";
import { layout, type PageId } from "./html/layout.ts";
import { html, type Markup } from "./html/markup.ts";
import { cookies, readForm, redirect, send } from "./http-io.ts";
import { chooseLanguage, languageCookie, translator as shellTranslator } from "./i18n.ts";
import { type Membership, mayFollowRollouts, tenantsByAccess, tenantsOf } from "./membership.ts";
import type { OidcClient } from "./oidc.ts";
import { type Lang, type Translate, translator } from "./page-text.ts";
import { renderSignIn } from "./pages/aanmelden.ts";
import { matchRoute, PUBLIC_ROUTES, type RouteName } from "./routes.ts";
import { type Session, SessionStore } from "./session-store.ts";
import { type ClusterEndpoint, type UserApi, userApi, whoAmI } from "./user-api.ts";
import { type PooledWatch, WatchLimitError, WatchPool } from "./watch-pool.ts";

export const SESSION_COOKIE = "aihub_sessie";
/** The navigation of a person who may not follow fleet rollouts (a municipality's people). */
const WITHOUT_ROLLOUTS: readonly PageId[] = ["mijn-gemeente", "catalogus", "bouwblokken", "updates", "transparantie"];
const SIGNIN_COOKIE = "aihub_aanmelden";
const OIDC_COOKIE = "aihub_oidc";
/** A page follows at most eight collections; a few pages open at once fit. */
const MAX_WATCHES_PER_SESSION = 24;
const PUBLIC_OWNER = "public";
const PUBLIC_COLLECTIONS: ReadonlySet<string> = new Set(
  ["municipaltenants", "blockactivations", "aibuildingblocks"].map((r) => `${GROUP_PATH}/${r}`),
);

export interface SessionData {
  api: UserApi;
  /** A message for the next page (after POST, redirect). */
  flash?: string;
  /** The message the last full page showed: its live refreshes show it again (takeFlash). */
  shownFlash?: string;
  /** When the person last sent a form: reads go to the API server for a moment after (Portal.list). */
  wroteAt?: number;
  /** Whether RBAC lets the person list fleet rollouts, asked once per session: Uitrol is in their navigation. */
  rollouts?: boolean;
  /** The tenants RBAC lets a person work in whom no tenant names (membership.ts), and when they were asked. */
  byAccess?: { at: number; tenants: { tenant: MunicipalTenant; membership: Membership }[] };
}

export interface PortalOptions {
  endpoint: ClusterEndpoint;
  /** The stylesheets, fonts and scripts served at /assets/ (assets.ts). */
  assets: Assets;
  /** Sign-in through OpenID Connect, when configured. */
  oidc?: OidcClient;
  /** The read-only identity of the Transparantie page; undefined when not configured. */
  publicApi?: UserApi;
  baseUrl: string;
  sessionTtlMs: number;
  maxSessions: number;
  maxWatches: number;
  now?: () => Date;
  log?: (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

/** Everything a page handler gets. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  lang: Lang;
  t: Translate;
  session: Session<SessionData> | undefined;
  params: Record<string, string>;
}

export interface PageResult {
  title: string;
  main: Markup;
  status?: number;
  /** Collections whose changes refresh this page: [owner ("session" or "public"), path]. */
  live?: ["session" | "public", string][];
}

export type PageHandler = (ctx: RequestContext, portal: Portal) => Promise<PageResult | undefined>;

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The message for this page: taken by a full page load, and shown again by the live script's
 * refreshes of that page (which send x-portal-fragment), so a refresh does not wipe it.
 */
export function takeFlash(ctx: RequestContext): string | undefined {
  const data = ctx.session?.data;
  if (!data) return undefined;
  if (ctx.req.headers["x-portal-fragment"]) return data.shownFlash;
  data.shownFlash = data.flash;
  data.flash = undefined;
  return data.shownFlash;
}

/** The message of a failed API call, as a person reads it: RBAC refusals are called so. */
export function apiProblem(err: unknown, t: Translate): string {
  if (err instanceof ApiError)
    return err.code === 403
      ? t("errors.forbidden", { message: err.message })
      : t("errors.api", { message: err.message });
  return t("errors.api", { message: (err as Error).message });
}

type LiveWatch = PooledWatch & { cache: WatchCache<KubeObject> };

export class Portal {
  readonly sessions: SessionStore<SessionData>;
  readonly watches: WatchPool<LiveWatch>;
  readonly options: PortalOptions;
  private readonly pages = new Map<RouteName, PageHandler>();
  private readonly actions = new Map<RouteName, PageHandler>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly secure: boolean;

  constructor(options: PortalOptions) {
    this.options = options;
    this.secure = options.baseUrl.startsWith("https://");
    this.watches = new WatchPool<LiveWatch>((owner, path, changed) => this.startWatch(owner, path, changed), {
      max: options.maxWatches,
      idleMs: 30_000,
      maxPerOwner: MAX_WATCHES_PER_SESSION,
    });
    this.sessions = new SessionStore<SessionData>({
      max: options.maxSessions,
      ttlMs: options.sessionTtlMs,
      onEnd: (s) => {
        this.watches.closeOwner(s.id);
        s.data.api.close();
      },
    });
    this.sweeper = setInterval(() => this.sessions.sweep(), 60_000);
    this.sweeper.unref();
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Registers the handler of a page (GET) or a form (POST). */
  page(name: RouteName, handler: PageHandler): void {
    this.pages.set(name, handler);
  }

  action(name: RouteName, handler: PageHandler): void {
    this.actions.set(name, handler);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.watches.closeAll();
    this.sessions.endAll();
    this.options.publicApi?.close();
  }

  private startWatch(owner: string, path: string, changed: () => void): LiveWatch {
    const api = owner === PUBLIC_OWNER ? this.options.publicApi : this.sessions.get(owner)?.data.api;
    if (!api)
      throw new WatchLimitError(`no client for ${owner === PUBLIC_OWNER ? "the public identity" : "this session"}`);
    const cache = new WatchCache<KubeObject>({
      client: api.client,
      path,
      onError: (err, context) =>
        this.options.log?.("warn", "live watch failed; retrying", { path, context, error: String(err) }),
    });
    const notify = () => {
      if (cache.hasSynced()) changed();
    };
    cache.on({ add: notify, update: notify, delete: notify });
    cache.start();
    return { cache, stop: () => void cache.stop() };
  }

  /**
   * A collection as the session sees it: from the session's own live watch of it when that has
   * its list (a page's refresh after a change then costs the API server nothing), else from the
   * API server. Right after the person sent a form the API server is asked, so that they see
   * their own change at once.
   */
  async list<T>(session: Session<SessionData>, path: string): Promise<T[]> {
    const watch = this.watches.peek(session.id, path);
    const justWrote = Date.now() - (session.data.wroteAt ?? 0) < 3_000;
    if (watch?.cache.hasSynced() && !justWrote) return watch.cache.list() as unknown as T[];
    return session.data.api.list<T>(path);
  }

  /** The tenants the session's user belongs to (see membership.ts). */
  async myTenants(session: Session<SessionData>): Promise<{ tenant: MunicipalTenant; membership: Membership }[]> {
    const source = this.options.publicApi ?? session.data.api;
    const all = await source.list<MunicipalTenant>(`${GROUP_PATH}/municipaltenants`).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 403) return [] as MunicipalTenant[];
      throw err;
    });
    const named = tenantsOf(all, session.user);
    if (named.length) return named;
    // Not named by any tenant: ask RBAC, and keep the answer for a minute.
    const cached = session.data.byAccess;
    if (cached && Date.now() - cached.at < 60_000) return cached.tenants;
    const tenants = await tenantsByAccess(session.data.api, all);
    session.data.byAccess = { at: Date.now(), tenants };
    return tenants;
  }

  /** The tenant a page is about: ?gemeente= (one of the user's), else the user's first. */
  async chosenTenant(ctx: RequestContext): Promise<{ tenant: MunicipalTenant; membership: Membership }> {
    const session = ctx.session as Session<SessionData>;
    const mine = await this.myTenants(session);
    const wanted = ctx.url.searchParams.get("gemeente");
    if (wanted) {
      const found = mine.find((m) => m.tenant.metadata.name === wanted);
      if (!found) throw new HttpError(403, ctx.t("errors.notyours", { tenant: wanted }));
      return found;
    }
    const first = mine[0];
    if (!first) throw new HttpError(403, ctx.t("errors.notenant"));
    return first;
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://portal.invalid");
    const jar = cookies(req);
    const lang = chooseLanguage({
      query: url.searchParams.get("lang"),
      cookie: req.headers.cookie,
      acceptLanguage: req.headers["accept-language"],
    });
    const t = translator(lang);
    const extraHeaders: Record<string, string[]> = { "set-cookie": [] };
    if (url.searchParams.get("lang") === lang) extraHeaders["set-cookie"]?.push(languageCookie(lang, this.secure));
    const match = matchRoute(req.method ?? "GET", url.pathname);
    const session = this.sessions.get(jar[SESSION_COOKIE]);
    const ctx: RequestContext = { req, res, url, lang, t, session, params: "params" in match ? match.params : {} };
    try {
      if (match.name === "not-found") throw new HttpError(404, t("errors.notfound"));
      if (match.name === "method-not-allowed") throw new HttpError(405, "method not allowed");
      if (match.name === "asset") return this.asset(ctx);
      if (match.name === "healthz") return send(res, 200, "ok\n", "text/plain; charset=utf-8");
      if (match.name === "home") return redirect(res, session ? "/mijn-gemeente" : "/transparantie");
      if (match.name === "signin-form") return this.signInForm(ctx, extraHeaders, []);
      if (match.name === "signin") return await this.signIn(ctx, jar, extraHeaders);
      if (match.name === "oidc-start") return await this.oidcStart(ctx);
      if (match.name === "oidc-callback") return await this.oidcCallback(ctx, jar, extraHeaders);
      if (!PUBLIC_ROUTES.has(match.name) && !session) {
        if (req.method === "GET" && match.name !== "live") return redirect(res, "/aanmelden");
        throw new HttpError(401, t("signin.title"));
      }
      if (match.name === "signout") {
        const form = await readForm(req);
        this.checkCsrf(ctx, form);
        if (session) this.sessions.signOut(session.id);
        return redirect(res, "/aanmelden", {
          "set-cookie": [
            `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${this.secure ? "; Secure" : ""}`,
          ],
        });
      }
      if (match.name === "live") return this.live(ctx);
      if (session && session.data.rollouts === undefined)
        session.data.rollouts = await mayFollowRollouts(session.data.api).catch(() => true);
      const handler = req.method === "POST" ? this.actions.get(match.name) : this.pages.get(match.name);
      if (!handler) throw new HttpError(404, t("errors.notfound"));
      if (req.method === "POST" && session) session.data.wroteAt = Date.now();
      const result = await handler(ctx, this);
      if (result === undefined || res.headersSent) return;
      this.render(ctx, result, extraHeaders);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = err instanceof HttpError ? err.status : err instanceof ApiError ? err.code : 500;
      if (!(err instanceof HttpError) && !(err instanceof ApiError))
        this.options.log?.("error", "request failed", { path: url.pathname, error: String(err) });
      const message = err instanceof HttpError ? err.message : apiProblem(err, t);
      this.render(
        ctx,
        {
          title: String(status),
          status: status >= 400 && status < 600 ? status : 500,
          main: html`<h1 class="utrecht-heading-1">${status === 404 ? t("errors.notfound") : t("errors.summary")}</h1><div class="utrecht-alert utrecht-alert--error" role="alert"><p class="utrecht-paragraph" data-testid="error">${message}</p></div>`,
        },
        extraHeaders,
      );
    }
  };

  /** Checks the form's CSRF token against the session's (timing-safe); throws 403. */
  checkCsrf(ctx: RequestContext, form: URLSearchParams): void {
    const given = Buffer.from(form.get("csrf") ?? "");
    const expected = Buffer.from(ctx.session?.csrf ?? "");
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HttpError(403, ctx.t("errors.csrf"));
  }

  render(ctx: RequestContext, result: PageResult, headers: Record<string, string[]> = {}): void {
    const live = result.live?.length
      ? `/live?${new URLSearchParams([
          ["pagina", ctx.url.pathname],
          ...result.live.map(([owner, path]): [string, string] => ["w", `${owner}:${path}`]),
        ]).toString()}`
      : undefined;
    const page = layout({
      t: shellTranslator(ctx.lang),
      title: result.title,
      path: `${ctx.url.pathname}${ctx.url.search}`,
      main: result.main,
      assets: this.options.assets,
      ...(ctx.session && { user: { name: ctx.session.user.username, csrf: ctx.session.csrf } }),
      ...(ctx.session?.data.rollouts === false && { nav: WITHOUT_ROLLOUTS }),
      ...(live && { live }),
    });
    send(ctx.res, result.status ?? 200, page, "text/html; charset=utf-8", headers);
  }

  private asset(ctx: RequestContext): void {
    const found = this.options.assets.respond(ctx.params.file ?? "", ctx.req.headers["if-none-match"]);
    if (!found) throw new HttpError(404, ctx.t("errors.notfound"));
    ctx.res.writeHead(found.status, found.headers);
    ctx.res.end(found.body);
  }

  private signInForm(
    ctx: RequestContext,
    headers: Record<string, string[]>,
    errors: { field: string; message: string }[],
  ) {
    const nonce = randomBytes(24).toString("base64url");
    headers["set-cookie"]?.push(
      `${SIGNIN_COOKIE}=${nonce}; Path=/aanmelden; HttpOnly; SameSite=Strict${this.secure ? "; Secure" : ""}`,
    );
    this.render(
      ctx,
      {
        title: ctx.t("signin.title"),
        main: renderSignIn({ nonce, errors, oidc: this.options.oidc !== undefined }, ctx.t),
        status: errors.length ? 400 : 200,
      },
      headers,
    );
  }

  private async signIn(ctx: RequestContext, jar: Record<string, string>, headers: Record<string, string[]>) {
    const form = await readForm(ctx.req);
    const nonce = form.get("csrf") ?? "";
    if (!nonce || nonce !== jar[SIGNIN_COOKIE])
      return this.signInForm(ctx, headers, [{ field: "", message: ctx.t("signin.expired") }]);
    const token = (form.get("token") ?? "").trim();
    if (!token) return this.signInForm(ctx, headers, [{ field: "token", message: ctx.t("signin.empty") }]);
    if (!(await this.startSession(token, headers)))
      return this.signInForm(ctx, headers, [{ field: "token", message: ctx.t("signin.rejected") }]);
    redirect(ctx.res, "/mijn-gemeente", headers);
  }

  /**
   * A session for a token the API server accepts (a SelfSubjectReview says whose it is), with
   * its cookie in `headers`; false when the API server does not accept the token (401).
   */
  private async startSession(token: string, headers: Record<string, string[]>, expiresAt?: number): Promise<boolean> {
    const api = userApi(this.options.endpoint, () => `Bearer ${token}`);
    let user: { username: string; groups: string[] };
    try {
      user = await whoAmI(api);
    } catch (err) {
      api.close();
      if (err instanceof ApiError && err.code === 401) return false;
      throw err;
    }
    const session = this.sessions.create(user, token, { api }, expiresAt);
    this.options.log?.("info", "signed in", { user: user.username });
    headers["set-cookie"]?.push(
      `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict${this.secure ? "; Secure" : ""}`,
      `${SIGNIN_COOKIE}=; Path=/aanmelden; Max-Age=0; HttpOnly; SameSite=Strict`,
    );
    return true;
  }

  /** To the identity provider; the state goes in a Lax cookie, which its redirect back carries. */
  private async oidcStart(ctx: RequestContext): Promise<void> {
    const oidc = this.options.oidc;
    if (!oidc) throw new HttpError(404, ctx.t("errors.notfound"));
    const { url, state } = await oidc.start();
    redirect(ctx.res, url, {
      "set-cookie": [
        `${OIDC_COOKIE}=${state}; Path=/aanmelden/oidc; Max-Age=600; HttpOnly; SameSite=Lax${this.secure ? "; Secure" : ""}`,
      ],
    });
  }

  /**
   * Back from the identity provider: the code for an ID token, the API server's word on who it
   * is, a session until the token expires. The last step is a page of our own that moves on: the
   * session cookie is SameSite=Strict, and a browser does not send it on a redirect chain that
   * began at the provider's site.
   */
  private async oidcCallback(ctx: RequestContext, jar: Record<string, string>, headers: Record<string, string[]>) {
    const oidc = this.options.oidc;
    if (!oidc) throw new HttpError(404, ctx.t("errors.notfound"));
    let token: { idToken: string; expiresAt?: number };
    try {
      token = await oidc.finish(ctx.url.searchParams, jar[OIDC_COOKIE]);
    } catch (err) {
      return this.signInForm(ctx, headers, [{ field: "", message: (err as Error).message }]);
    }
    if (!(await this.startSession(token.idToken, headers, token.expiresAt)))
      return this.signInForm(ctx, headers, [{ field: "", message: ctx.t("signin.rejected") }]);
    headers["set-cookie"]?.push(`${OIDC_COOKIE}=; Path=/aanmelden/oidc; Max-Age=0; HttpOnly; SameSite=Lax`);
    send(
      ctx.res,
      200,
      `<!doctype html><html lang="${ctx.lang}"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/mijn-gemeente"><title>${ctx.t("signin.title")}</title></head><body><p><a href="/mijn-gemeente">${ctx.t("nav.mijn-gemeente")}</a></p></body></html>`,
      "text/html; charset=utf-8",
      headers,
    );
  }

  /**
   * The live stream of a page: a "changed" event whenever a watched collection changes, at most
   * every 250 ms. The paths come from the page (?w=owner:path), watched with the session's own
   * token (or the public identity for public collections): a path the user may not watch fails
   * at the API server, as any request of theirs would.
   */
  private live(ctx: RequestContext): void {
    const wanted = ctx.url.searchParams.getAll("w").slice(0, 8);
    const { res, session } = ctx;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
    res.write("retry: 5000\n\n");
    let timer: NodeJS.Timeout | undefined;
    const changed = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        res.write(`event: changed\ndata: ${Date.now()}\n\n`);
      }, 250);
    };
    const offs: (() => void)[] = [];
    for (const w of wanted) {
      const colon = w.indexOf(":");
      const owner = w.slice(0, colon);
      const path = w.slice(colon + 1);
      if (!path.startsWith("/api")) continue;
      const key = owner === PUBLIC_OWNER ? PUBLIC_OWNER : session?.id;
      if (!key) continue;
      // The public identity watches only what the public pages show.
      if (owner === PUBLIC_OWNER && (!this.options.publicApi || !PUBLIC_COLLECTIONS.has(path))) continue;
      try {
        offs.push(this.watches.subscribe(key, path, changed));
        // What changed between the page's render and the watch's first list is in no event:
        // one refresh once the watch has its list closes that gap.
        void this.watches
          .peek(key, path)
          ?.cache.waitForSync()
          .then(() => {
            if (!ctx.res.destroyed) changed();
          });
      } catch (err) {
        res.write(`event: limited\ndata: ${String((err as Error).message)}\n\n`);
      }
    }
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 25_000);
    ctx.req.on("close", () => {
      clearInterval(heartbeat);
      clearTimeout(timer);
      for (const off of offs) off();
    });
  }
}
