// Server-side sessions: the user's bearer token stays here and never reaches the page. The
// browser holds only a random session id (an HttpOnly, SameSite=Strict cookie). The store is
// bounded: beyond `max` sessions the least recently used one is signed out, and a session ends
// `ttlMs` after sign-in whatever its use. Ending a session calls `onEnd` (which closes the
// user's API connections and watches), so nothing of a signed-out user lingers.
import { randomBytes } from "node:crypto";

export interface SessionUser {
  username: string;
  groups: string[];
}

export interface Session<T> {
  readonly id: string;
  /** The token sent in every form and checked on every POST (with SameSite=Strict). */
  readonly csrf: string;
  readonly user: SessionUser;
  readonly token: string;
  readonly expiresAt: number;
  /** Per-session state owned by the caller (the user's API client). */
  readonly data: T;
}

export interface SessionStoreOptions<T> {
  max: number;
  ttlMs: number;
  now?: () => number;
  onEnd?: (session: Session<T>, why: "signed-out" | "expired" | "evicted") => void;
  randomId?: () => string;
}

const randomId = () => randomBytes(32).toString("base64url");

export class SessionStore<T> {
  /** Insertion order is recency: a used session is moved to the end. */
  private readonly sessions = new Map<string, Session<T>>();
  private readonly options: SessionStoreOptions<T>;
  private readonly now: () => number;
  private readonly id: () => string;

  constructor(options: SessionStoreOptions<T>) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.id = options.randomId ?? randomId;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** A new session; `expiresAt` ends it earlier than the TTL (an ID token's expiry). */
  create(user: SessionUser, token: string, data: T, expiresAt?: number): Session<T> {
    while (this.sessions.size >= this.options.max) {
      const oldest = this.sessions.values().next().value as Session<T>;
      this.end(oldest, "evicted");
    }
    const session: Session<T> = {
      id: this.id(),
      csrf: this.id(),
      user,
      token,
      expiresAt: Math.min(this.now() + this.options.ttlMs, expiresAt ?? Number.POSITIVE_INFINITY),
      data,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, marked as most recently used; undefined when unknown or expired. */
  get(id: string | undefined): Session<T> | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.now() >= session.expiresAt) {
      this.end(session, "expired");
      return undefined;
    }
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  signOut(id: string): void {
    const session = this.sessions.get(id);
    if (session) this.end(session, "signed-out");
  }

  /** Ends every expired session; the server calls it now and then, so idle ones do not wait for a visit. */
  sweep(): number {
    let ended = 0;
    for (const s of [...this.sessions.values()])
      if (this.now() >= s.expiresAt) {
        this.end(s, "expired");
        ended++;
      }
    return ended;
  }

  endAll(): void {
    for (const s of [...this.sessions.values()]) this.end(s, "signed-out");
  }

  private end(session: Session<T>, why: "signed-out" | "expired" | "evicted"): void {
    this.sessions.delete(session.id);
    this.options.onEnd?.(session, why);
  }
}
