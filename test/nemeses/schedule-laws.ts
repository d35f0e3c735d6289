// The laws every nemesis schedule keeps, as one fast-check property: pure in the seed, sorted,
// within the main phase, only operations the nemesis handles, and (for start/stop nemeses)
// every fault stopped before the next starts and before the end.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { NemesisDef, ScheduleEntry, ScheduleOptions } from '../../src/api/nemesis.js';
import { Rng } from '../../src/gen/rng.js';
import { nodeNames } from '../../src/runner/node-names.js';

const options = fc.record({
  seed: fc.nat(),
  nodes: fc.integer({ min: 0, max: 7 }),
  durationMs: fc.integer({ min: 0, max: 300_000 }),
  // From 0 (no faults) up; a tiny interval over a long phase only makes the test slow.
  intervalMs: fc.oneof(fc.constant(0), fc.integer({ min: 250, max: 30_000 })),
});

function scheduleOf(def: NemesisDef, o: { seed: number; nodes: number; durationMs: number; intervalMs: number }): ScheduleEntry[] {
  const opts: ScheduleOptions = { nodes: nodeNames(o.nodes), durationMs: o.durationMs, intervalMs: o.intervalMs, rng: new Rng(o.seed) };
  return def.schedule(opts);
}

/** Check the laws; `check` may assert more about each schedule. */
export function checkScheduleLaws(def: NemesisDef, check?: (s: ScheduleEntry[], nodes: string[]) => void): void {
  const fs = def.build().fs;
  fc.assert(
    fc.property(options, (o) => {
      const schedule = scheduleOf(def, o);
      expect(scheduleOf(def, o)).toEqual(schedule);
      expect(JSON.parse(JSON.stringify(schedule))).toEqual(schedule); // pure data
      for (let i = 1; i < schedule.length; i++) expect(schedule[i]!.atMs).toBeGreaterThanOrEqual(schedule[i - 1]!.atMs);
      let open: string | undefined;
      for (const entry of schedule) {
        expect(fs).toContain(entry.f);
        expect(entry.atMs).toBeGreaterThanOrEqual(0);
        expect(entry.atMs).toBeLessThan(o.durationMs);
        if (entry.f.startsWith('start-')) {
          expect(open).toBeUndefined();
          open = entry.f.slice('start-'.length);
        } else if (entry.f.startsWith('stop-')) {
          expect(entry.f).toBe(`stop-${open}`);
          open = undefined;
        }
      }
      expect(open).toBeUndefined();
      check?.(schedule, nodeNames(o.nodes));
    }),
    { numRuns: 100 },
  );
}

/** Different seeds give different schedules (for a cluster and phase long enough to vary). */
export function expectSeedMatters(def: NemesisDef): void {
  const a = scheduleOf(def, { seed: 1, nodes: 5, durationMs: 120_000, intervalMs: 5_000 });
  const b = scheduleOf(def, { seed: 2, nodes: 5, durationMs: 120_000, intervalMs: 5_000 });
  expect(a.length).toBeGreaterThan(0);
  expect(a).not.toEqual(b);
}
