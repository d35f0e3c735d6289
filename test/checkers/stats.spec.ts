// The stats checker (Jepsen's): per-function outcome counts; invalid exactly when some function
// never succeeded; nemesis operations and invocations are not counted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/api/op.js';
import { outcomeCounts, stats } from '../../checkers/stats.js';
import { UserError } from '../../src/user-error.js';
import { checkAll } from '../../src/verdict.js';
import { linearizable } from '../../checkers/linearizable/index.js';

function history(events: readonly [string, Op['type']][]): Op[] {
  return events.flatMap(([f, type], i): Op[] => [
    { index: 2 * i, time: 2 * i, type: 'invoke', process: i, f, value: null },
    { index: 2 * i + 1, time: 2 * i + 1, type, process: i, f, value: null },
  ]);
}

describe('stats checker', () => {
  it('counts outcomes per function and passes when each succeeded once', async () => {
    const h = history([['read', 'ok'], ['read', 'fail'], ['write', 'ok'], ['write', 'info']]);
    h.push({ index: 99, time: 99, type: 'info', process: 'nemesis', f: 'start-partition', value: null });
    const result = await stats().check(h, {});
    expect(result.valid).toBe(true);
    expect(result.stats).toMatchObject({ 'read.ok': 1, 'read.fail': 1, 'write.info': 1, 'write.count': 2 });
    expect(result.stats).not.toHaveProperty('start-partition.count');
  });

  it('fails, naming it, when a function never succeeded', async () => {
    const result = await stats().check(history([['read', 'ok'], ['cas', 'fail'], ['cas', 'info']]), {});
    expect(result.valid).toBe(false);
    expect(result.summary).toMatch(/cas never succeeded \(2 attempts\)/);
  });

  it('is unknown when nothing completed', async () => {
    expect((await stats().check([], {})).valid).toBe('unknown');
  });

  it('property: valid exactly when every function has an ok', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('read', 'write', 'cas'), fc.constantFrom<Op['type']>('ok', 'fail', 'info')), { minLength: 1 }), async (events) => {
        const counts = outcomeCounts(history(events));
        const expected = [...counts.values()].every((s) => s.ok > 0);
        expect((await stats().check(history(events), {})).valid).toBe(expected);
      }),
    );
  });

  it('composes with another checker: each result kept, verdicts merged false over unknown over true', async () => {
    const h = history([['read', 'ok'], ['write', 'fail']]);
    const composed = await checkAll({ linearizable: linearizable({ model: 'cas-register' }), stats: stats() }, h, { timeoutMs: 5000 });
    expect(composed.checkers['linearizable']?.valid).toBe(true);
    expect(composed.checkers['stats']?.valid).toBe(false);
    expect(composed.valid).toBe(false);
    // A run cut short: stats cannot judge it and does not count; linearizability still does.
    const partial = await checkAll({ linearizable: linearizable({ model: 'cas-register' }), stats: stats() }, h, { timeoutMs: 5000 }, true);
    expect(partial.checkers['stats']).toMatchObject({ valid: 'unknown', summary: expect.stringMatching(/cut short/) });
    expect(partial.valid).toBe(true);
    const failing = { name: 'boom', check: async () => Promise.reject(new Error('kaput')) };
    const withBoom = await checkAll({ linearizable: linearizable({ model: 'cas-register' }), boom: failing }, h, { timeoutMs: 5000 });
    expect(withBoom.valid).toBe('unknown');
    expect(withBoom.checkers['boom']?.summary).toMatch(/kaput/);
    expect(withBoom.refusals).toEqual([]);
    // A checker that says the history is not of its kind is bad input, kept for the caller to report.
    const wrongKind = { name: 'picky', check: async () => Promise.reject(new UserError('not a picky history')) };
    const refused = await checkAll({ linearizable: linearizable({ model: 'cas-register' }), picky: wrongKind }, h, { timeoutMs: 5000 });
    expect(refused.valid).toBe('unknown');
    expect(refused.refusals.map((e) => e.message)).toEqual(['not a picky history']);
  });
});
