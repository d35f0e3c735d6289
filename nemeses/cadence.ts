/**
 * The rhythm of a nemesis schedule, shared by the process, clock and link nemeses: a quiet
 * spell, a fault window, a quiet spell, ... each about `intervalMs` long, every window closed
 * before the main phase ends. Nemeses only say what happens inside a window, so they cannot
 * disagree on the rules every schedule must keep (sorted, reproducible, healed in time).
 */
import type { ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import type { Rng } from '../src/gen/rng.js';

/** A fault window: the fault starts at `startMs` and must be undone by `endMs`. */
export interface FaultWindow {
  startMs: number;
  endMs: number;
}

/** A delay of about `mean` ms: uniform in [mean/2, 3·mean/2), at least 1 ms. */
export function around(mean: number, rng: Rng): number {
  return Math.max(1, Math.round(mean * (0.5 + rng.float())));
}

/** A number in [lo, hi) spread evenly on a log scale, so 0.2 s and 2 min are both common. */
export function logUniform(lo: number, hi: number, rng: Rng): number {
  return lo * Math.pow(hi / lo, rng.float());
}

/**
 * Alternate quiet spells and fault windows (each about `intervalMs`, windows at least
 * `minWindowMs`) until the next window would not end before `durationMs`; `fill` gives each
 * window's entries, which must lie within it and be sorted (`[]` skips a window).
 * Pure: the same rng state gives the same schedule.
 */
export function faultWindows(
  { durationMs, intervalMs, rng }: ScheduleOptions,
  fill: (window: FaultWindow, rng: Rng) => ScheduleEntry[],
  minWindowMs = 0,
): ScheduleEntry[] {
  const entries: ScheduleEntry[] = [];
  if (!(intervalMs > 0)) return entries;
  let t = 0;
  for (;;) {
    const startMs = t + around(intervalMs, rng);
    const endMs = startMs + Math.max(minWindowMs, around(intervalMs, rng));
    if (endMs >= durationMs) return entries;
    for (const entry of fill({ startMs, endMs }, rng)) entries.push(entry);
    t = endMs;
  }
}

/** `start-<name>` with `value` when the window opens and `stop-<name>` when it closes. */
export function startStop(name: string, window: FaultWindow, value: unknown): ScheduleEntry[] {
  return [
    { atMs: window.startMs, f: `start-${name}`, value },
    { atMs: window.endMs, f: `stop-${name}` },
  ];
}
