import { describe, expect, it } from "vitest";
import { SessionStore } from "./session-store.ts";

const user = (username: string) => ({ username, groups: [] });

function store(max: number, ttlMs = 60_000) {
  let now = 0;
  let n = 0;
  const ended: string[] = [];
  const s = new SessionStore<string>({
    max,
    ttlMs,
    now: () => now,
    randomId: () => `id${n++}`,
    onEnd: (session, why) => ended.push(`${session.data}:${why}`),
  });
  return { s, ended, advance: (ms: number) => (now += ms) };
}

describe("SessionStore", () => {
  it("keeps at most max sessions, signing out the least recently used", () => {
    const { s, ended } = store(2);
    const a = s.create(user("a"), "ta", "a");
    s.create(user("b"), "tb", "b");
    expect(s.get(a.id)?.user.username).toBe("a"); // a is now the most recently used
    s.create(user("c"), "tc", "c");
    expect(ended).toEqual(["b:evicted"]);
    expect(s.size).toBe(2);
    expect(s.get(a.id)).toBeDefined();
  });

  it("ends a session at its expiry, on use or on a sweep", () => {
    const { s, ended, advance } = store(10, 1000);
    const a = s.create(user("a"), "ta", "a");
    s.create(user("b"), "tb", "b");
    advance(999);
    expect(s.get(a.id)).toBeDefined();
    advance(1);
    expect(s.get(a.id)).toBeUndefined();
    expect(s.sweep()).toBe(1);
    expect(ended).toEqual(["a:expired", "b:expired"]);
    expect(s.size).toBe(0);
  });

  it("gives each session its own id and CSRF token, and forgets a signed-out one", () => {
    const { s, ended } = store(10);
    const a = s.create(user("a"), "ta", "a");
    expect(a.id).not.toBe(a.csrf);
    s.signOut(a.id);
    expect(s.get(a.id)).toBeUndefined();
    expect(s.get(undefined)).toBeUndefined();
    expect(ended).toEqual(["a:signed-out"]);
  });
});
