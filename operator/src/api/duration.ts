// Durations as a person writes them in a rollout strategy: 30s, 10m, 1h30m, 2h. Whole units of
// hours, minutes, seconds and milliseconds only: a bake time is never negative or fractional.
export const DURATION_PATTERN = "^([0-9]{1,6}(h|m|s|ms))+$";

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a duration matching DURATION_PATTERN; throws with the value and an example otherwise. */
export function durationMs(text: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text)) {
    throw new Error(`"${text}" is not a duration such as 30s, 10m or 1h30m`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|h|m|s)/g))
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? 0);
  return total;
}

/** A short form for messages: 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.ceil((ms % 60_000) / 1000);
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || (!h && !m) ? `${s}s` : ""}`;
}
