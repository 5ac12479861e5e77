// Time windows that hold a fleet rollout: fleet-wide freezes (RolloutFreeze) and each
// municipality's weekly maintenance windows. Both are local times in Europe/Amsterdam, as the
// people who set them think of them; the clock is passed in, so tests never wait.
import type { MunicipalTenant, RolloutFreeze } from "../../api/v1alpha1/index.ts";
import { compareCodeUnits } from "../../kube/order.ts";

export const TIME_ZONE = "Europe/Amsterdam";

// Built on first use: Intl's time zone data are pages of the Node binary (about 7 MB of resident
// memory), which an operator whose fleet has no freezes and no maintenance windows never needs.
let format: Intl.DateTimeFormat | undefined;
const formatter = () =>
  (format ??= new Intl.DateTimeFormat("en-GB", {
    timeZone: TIME_ZONE,
    weekday: "long",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }));

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** The local time in Europe/Amsterdam: `YYYY-MM-DDTHH:MM`, the weekday and minutes since midnight. */
export function amsterdamTime(now: Date): { stamp: string; weekday: string; minutes: number } {
  const p = Object.fromEntries(
    formatter()
      .formatToParts(now)
      .map((x) => [x.type, x.value]),
  );
  return {
    stamp: `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`,
    weekday: p.weekday ?? "",
    minutes: Number(p.hour) * 60 + Number(p.minute),
  };
}

type Freeze = Pick<RolloutFreeze, "spec"> & { metadata: { name?: string } };

/** The freeze in force at `now`, if any (start inclusive, end exclusive). */
export function activeFreeze(freezes: Freeze[], now: Date): { name: string; reason: string; end: string } | undefined {
  if (freezes.length === 0) return undefined;
  const { stamp } = amsterdamTime(now);
  const f = freezes
    .filter((x) => x.spec.start <= stamp && stamp < x.spec.end)
    .sort((a, b) => compareCodeUnits(b.spec.end, a.spec.end))[0];
  return f && { name: f.metadata.name ?? "", reason: f.spec.reason, end: f.spec.end };
}

type Window = NonNullable<MunicipalTenant["spec"]["maintenanceWindows"]>[number];

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether a municipality accepts an automatic update at `now`. No windows: any time. A window
 * whose end is not after its start closes the next day (22:00-06:00 on Friday runs into Saturday).
 */
export function inMaintenanceWindow(windows: Window[] | undefined, now: Date): boolean {
  if (!windows?.length) return true;
  const { weekday, minutes } = amsterdamTime(now);
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(weekday) + 6) % 7] ?? "";
  return windows.some((w) => {
    const start = minutesOf(w.start);
    const end = minutesOf(w.end);
    const days = w.days as string[];
    if (end > start) return days.includes(weekday) && minutes >= start && minutes < end;
    return (days.includes(weekday) && minutes >= start) || (days.includes(yesterday) && minutes < end);
  });
}
