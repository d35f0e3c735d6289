/**
 * Playing a schedule: overdue entries whose faults complete at once (a signal sent) must not
 * starve the timers, or the run's time limit never fires and every entry of a long schedule is
 * played first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NemesisContext } from '../../src/api/nemesis.js';
import { Journal } from '../../src/history/journal.js';
import { playSchedule } from '../../src/runner/nemesis-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-nemesis-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('playSchedule', () => {
  it('stops at the end of the time limit even when every entry is overdue and completes at once', async () => {
    const journal = new Journal(join(dir, 'history.jsonl'));
    let played = 0;
    const nemesis = { fs: ['start-pause', 'stop-pause'], invoke: async () => ({ text: `fault ${++played}` }), heal: async () => undefined };
    const over = new AbortController();
    const ctx = { signal: over.signal } as unknown as NemesisContext;
    const schedule = Array.from({ length: 1_000_000 }, (_, i) => ({ atMs: 0, f: i % 2 ? 'stop-pause' : 'start-pause', value: null }));
    setTimeout(() => over.abort(), 20);
    await playSchedule([{ name: 'pause', nemesis }], schedule, ctx, journal, () => journal.elapsedNs() / 1e6);
    journal.close();
    expect(over.signal.aborted).toBe(true);
    expect(played).toBeLessThan(schedule.length);
  });
});
