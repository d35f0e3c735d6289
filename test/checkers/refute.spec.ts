import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../checkers/linearizable/compile.js';
import { collectOps } from '../../checkers/linearizable/entries.js';
import { casRegister, linearizable } from '../../checkers/linearizable/index.js';
import { refuteLocally, sweepRefute } from '../../checkers/linearizable/refute.js';
import { WglSearch } from '../../checkers/linearizable/search.js';
import type { Op } from '../../src/api/op.js';
import { execute, mutateReads, registerOp } from './gen-history.js';
import { bruteForceLinearizable } from './oracle.js';
import { corruptReads, simulateRegister } from './sim-history.js';

function problemOf(h: readonly Op[]) {
  return compile(collectOps(h, casRegister).ops, casRegister);
}

describe('local refutation', () => {
  it('never refutes an operation of a linearizable history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 2, max: 100 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (processes, values, seed) => {
          const p = problemOf(simulateRegister({ processes, ops: 40, values, infoRate: 0.15, seed }));
          expect(new WglSearch(p).run(1e7)).toBe('linearizable');
          for (let t = 0; t < p.n; t++) expect(refuteLocally(p, casRegister, t, 100_000)).toBeUndefined();
          expect(sweepRefute(p, casRegister, -1, 1e6).refutation).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refutes only histories the brute-force oracle rejects', () => {
    fc.assert(
      fc.property(
        fc.array(registerOp(3, 1, 200), { minLength: 2, maxLength: 7 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.constantFrom(null, 0, 1, 2, 7), { minLength: 1, maxLength: 2 }),
        (plan, picks, vals) => {
          const h = mutateReads(execute(plan), picks, vals);
          const p = problemOf(h);
          const refuted = Array.from({ length: p.n }, (_, t) => refuteLocally(p, casRegister, t, 100_000)).some((r) => r);
          if (refuted) expect(bruteForceLinearizable(casRegister, h)).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds a read of a value nobody wrote at once, even in a busy history', async () => {
    const h = corruptReads(simulateRegister({ processes: 20, ops: 2000, values: 5, infoRate: 0.03, seed: 1 }), 1, 1);
    const r = await linearizable({ model: 'cas-register', search: { valueRefutation: false } }).check(h, { timeoutMs: 20_000 });
    expect(r.valid).toBe(false);
    expect(r.stats?.['refutedLocally']).toBe(1);
    expect(r.anomalies![0]!.explanation).toMatch(/read → -1\) is allowed in no state/);
  });

  it('proves a stale read impossible from a window when the prefix is expensive', async () => {
    // 20 concurrent writes of distinct values (an expensive prefix for the global search),
    // then write 7, write 8 and a read of 7: stale whatever happened before.
    const rows: Omit<Op, 'index' | 'time'>[] = [];
    for (let p = 0; p < 20; p++) rows.push({ type: 'invoke', process: p, f: 'write', value: 100 + p });
    for (let p = 0; p < 20; p++) rows.push({ type: 'ok', process: p, f: 'write', value: 100 + p });
    rows.push({ type: 'invoke', process: 0, f: 'write', value: 7 }, { type: 'ok', process: 0, f: 'write', value: 7 });
    rows.push({ type: 'invoke', process: 1, f: 'write', value: 8 }, { type: 'ok', process: 1, f: 'write', value: 8 });
    rows.push({ type: 'invoke', process: 2, f: 'read', value: null }, { type: 'ok', process: 2, f: 'read', value: 7 });
    const h = rows.map((o, index) => ({ ...o, index, time: index }));
    const t0 = performance.now();
    const r = await linearizable({ model: 'cas-register', search: { valueRefutation: false } }).check(h, { timeoutMs: 20_000 });
    expect(r.valid).toBe(false);
    expect(r.stats?.['refutedLocally']).toBe(1);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(r.anomalies![0]!.explanation).toMatch(/Whatever the state/);
    expect(r.anomalies![0]!.explanation).toMatch(/process 2 read → 7/);
    expect(r.anomalies![0]!.ops.map((o) => o.index)).toEqual(expect.arrayContaining([42, 43, 44, 45]));
  });
});
