import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WatchLimitError, WatchPool } from "./watch-pool.ts";

interface Fake {
  id: string;
  stopped: boolean;
  changed: () => void;
  stop(): void;
}

function pool(max: number) {
  const made: Fake[] = [];
  const p = new WatchPool<Fake>(
    (owner, path, changed) => {
      const w: Fake = {
        id: `${owner}:${path}`,
        stopped: false,
        changed,
        stop() {
          this.stopped = true;
        },
      };
      made.push(w);
      return w;
    },
    { max, idleMs: 30_000 },
  );
  return { p, made };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("WatchPool", () => {
  it("shares one watch between the pages of a session, never between sessions", () => {
    const { p, made } = pool(10);
    const seen: string[] = [];
    p.subscribe("s1", "/a", () => seen.push("page1"));
    p.subscribe("s1", "/a", () => seen.push("page2"));
    p.subscribe("s2", "/a", () => seen.push("other session"));
    expect(made.map((w) => w.id)).toEqual(["s1:/a", "s2:/a"]);
    made[0]?.changed();
    expect(seen).toEqual(["page1", "page2"]);
  });

  it("closes a watch nobody listens to after the idle time, and reuses it before", () => {
    const { p, made } = pool(10);
    const off = p.subscribe("s1", "/a", () => {});
    off();
    vi.advanceTimersByTime(29_000);
    p.subscribe("s1", "/a", () => {})();
    expect(made).toHaveLength(1);
    vi.advanceTimersByTime(30_000);
    expect(made[0]?.stopped).toBe(true);
    expect(p.size).toBe(0);
  });

  it("evicts the least recently used idle watch when full, and refuses when none is idle", () => {
    const { p, made } = pool(2);
    p.subscribe("s1", "/a", () => {})();
    p.subscribe("s1", "/b", () => {})();
    p.peek("s1", "/a"); // /b is now the least recently used
    p.subscribe("s1", "/c", () => {});
    expect(made.find((w) => w.id === "s1:/b")?.stopped).toBe(true);
    expect(made.find((w) => w.id === "s1:/a")?.stopped).toBe(false);
    p.subscribe("s1", "/a", () => {});
    expect(() => p.subscribe("s1", "/d", () => {})).toThrow(WatchLimitError);
    expect(p.stats).toMatchObject({ evicted: 1, refused: 1 });
  });

  it("keeps one session within its own share, making room from its own idle watches only", () => {
    const made: string[] = [];
    const p = new WatchPool<{ stop(): void }>(
      (owner, path) => {
        made.push(`${owner}:${path}`);
        return { stop() {} };
      },
      { max: 100, idleMs: 30_000, maxPerOwner: 2 },
    );
    p.subscribe("other", "/x", () => {})();
    p.subscribe("s1", "/a", () => {});
    p.subscribe("s1", "/b", () => {})();
    p.subscribe("s1", "/c", () => {}); // /b was idle: closed for it
    expect(() => p.subscribe("s1", "/d", () => {})).toThrow("this session holds all 2 watches it may");
    expect(p.peek("other", "/x")).toBeDefined();
    expect(p.size).toBe(3);
  });

  it("closes every watch of an ended session", () => {
    const { p, made } = pool(10);
    p.subscribe("s1", "/a", () => {});
    p.subscribe("s2", "/a", () => {});
    p.closeOwner("s1");
    expect(made.map((w) => w.stopped)).toEqual([true, false]);
  });
});
