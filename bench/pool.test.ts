import { describe, expect, test } from "vitest";
import { poolWhenReady } from "./pool.ts";

describe("poolWhenReady", () => {
  test("an item that is late holds back only itself; items run in the order they became ready", async () => {
    const readyAt = new Map([
      ["a", 0],
      ["late", 60],
      ["b", 0],
      ["c", 20],
    ]);
    const start = performance.now();
    const done: string[] = [];
    let running = 0;
    let most = 0;
    const left = await poolWhenReady(
      [...readyAt.keys()],
      2,
      (item) => performance.now() - start >= (readyAt.get(item) ?? 0),
      async (item) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        done.push(item);
        running--;
      },
      start + 10_000,
      5,
    );
    expect(left).toEqual([]);
    expect(done.slice(0, 2).sort()).toEqual(["a", "b"]);
    expect(done.slice(2)).toEqual(["c", "late"]);
    expect(most).toBe(2);
  });

  test("items never ready are returned at the deadline, and nothing runs for them", async () => {
    const done: number[] = [];
    const left = await poolWhenReady(
      [1, 2, 3],
      4,
      (item) => item !== 2,
      async (item) => {
        done.push(item);
      },
      performance.now() + 50,
      5,
    );
    expect(left).toEqual([2]);
    expect(done.sort()).toEqual([1, 3]);
  });
});
