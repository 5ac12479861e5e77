/** Runs `task` over `items`, `concurrency` at a time. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/**
 * Runs `task` over each item once `ready(item)` holds, `concurrency` at a time, in the order the
 * items became ready (checked every `pollMs`): an item that is late holds back only itself, not
 * the items behind it. Items not ready by `deadline` (performance.now()) are left out; returns them.
 */
export async function poolWhenReady<T>(
  items: T[],
  concurrency: number,
  ready: (item: T) => boolean,
  task: (item: T) => Promise<unknown>,
  deadline: number,
  pollMs = 100,
): Promise<T[]> {
  let waiting = items;
  const queue: T[] = [];
  let feeding = true;
  const feed = (async () => {
    for (;;) {
      const rest: T[] = [];
      for (const item of waiting) (ready(item) ? queue : rest).push(item);
      waiting = rest;
      if (waiting.length === 0 || performance.now() > deadline) break;
      await sleep(pollMs);
    }
    feeding = false;
  })();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const item = queue.shift();
        if (item !== undefined) await task(item);
        else if (feeding) await sleep(Math.min(pollMs, 20));
        else return;
      }
    }),
  );
  await feed;
  return waiting;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
