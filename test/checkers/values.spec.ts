/**
 * Refutations by values (checkers/linearizable/values.ts): sound on every history the
 * brute-force oracle can judge, silent on every linearizable one, and decisive, without any
 * search, on whole classes of histories whose search space is huge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectOps } from '../../checkers/linearizable/entries.js';
import { casRegister, kvModel, linearizable } from '../../checkers/linearizable/index.js';
import type { CheckerModel } from '../../checkers/linearizable/models.js';
import { refuteByValues } from '../../checkers/linearizable/values.js';
import type { Model } from '../../src/api/model.js';
import type { Op } from '../../src/api/op.js';
import { execute, kvOp, mutateReads, registerOp } from './gen-history.js';
import { bruteForceLinearizable } from './oracle.js';
import { corruptReads, simulateRegister } from './sim-history.js';

/** The value refutation of each key of `h`, or undefined when none refutes. */
function refuted(h: readonly Op[], model: CheckerModel<unknown>): boolean {
  const ops = collectOps(h, model).ops;
  const keys = new Set(ops.map((o) => o.key));
  return [...keys].some((k) => refuteByValues(ops.filter((o) => o.key === k), model.values!) !== undefined);
}

/** The oracle, key by key (it knows nothing of keys). */
function oracle(model: Model<unknown>, h: readonly Op[]): boolean {
  const keys = new Set(h.map((op) => op.key));
  return [...keys].every((key) => bruteForceLinearizable(model, h.filter((op) => op.key === key)));
}

/** Change the value written by some writes, cas and puts (invocation and completion alike). */
function mutateWrites(h: readonly Op[], picks: readonly number[], values: readonly unknown[]): Op[] {
  const writers = [...new Set(h.filter((o) => o.type === 'invoke' && o.f !== 'read' && o.f !== 'get').map((o) => o.process))];
  const out = h.map((o) => ({ ...o }));
  picks.forEach((p, j) => {
    if (writers.length === 0) return;
    const proc = writers[p % writers.length];
    const v = values[j % values.length];
    for (const o of out) if (o.process === proc) o.value = o.f === 'cas' ? [Array.isArray(o.value) ? o.value[0] : v, v] : v;
  });
  return out;
}

const registerValues = [null, 0, 1, 2];
const kvValues = ['', 'a', 'ab', 'ba', 'c', 'ca'];

describe('value refutations agree with the brute-force oracle', () => {
  it('register: refute only what the oracle refutes', () => {
    fc.assert(
      fc.property(
        fc.array(registerOp(3, 2, 300), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(fc.constantFrom(...registerValues), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        (plan, picks, vals, writes) => {
          const h = mutateWrites(mutateReads(execute(plan), picks, vals), writes, vals);
          if (refuted(h, casRegister as CheckerModel<unknown>)) expect(oracle(casRegister as Model<unknown>, h)).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('kv: refute only what the oracle refutes', () => {
    fc.assert(
      fc.property(
        fc.array(kvOp(2, 300), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(fc.constantFrom(...kvValues), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        (plan, picks, vals, writes) => {
          const h = mutateWrites(mutateReads(execute(plan), picks, vals), writes, vals);
          if (refuted(h, kvModel as CheckerModel<unknown>)) expect(oracle(kvModel as Model<unknown>, h)).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('larger histories: refute only what the full search (values off) refutes, and never a linearizable one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 3 }),
        async (processes, values, seed, corrupt) => {
          const h = corruptReads(simulateRegister({ processes, ops: 120, values, infoRate: 0.1, seed }), corrupt, seed, values);
          if (!refuted(h, casRegister as CheckerModel<unknown>)) return;
          expect(corrupt).toBeGreaterThan(0);
          const search = await linearizable({ model: 'cas-register', search: { valueRefutation: false } }).check(h, {});
          expect(search.valid).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes in flight under sequential reads (the counting argument): refute only what the oracle refutes', () => {
    let counted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ v: fc.integer({ min: 0, max: 2 }), end: fc.constantFrom<Op['type']>('ok', 'info', 'fail'), cas: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom(null, 0, 1, 2), { minLength: 1, maxLength: 5 }),
        (writes, reads) => {
          const r: [number, Op['type'], string, unknown][] = [];
          writes.forEach((w, p) => r.push([p, 'invoke', w.cas ? 'cas' : 'write', w.cas ? [null, w.v] : w.v]));
          for (const v of reads) r.push([99, 'invoke', 'read', null], [99, 'ok', 'read', v]);
          writes.forEach((w, p) => r.push([p, w.end, w.cas ? 'cas' : 'write', w.cas ? [null, w.v] : w.v]));
          const h = rowsOf(r);
          const ops = collectOps(h, casRegister).ops;
          const why = refuteByValues(ops, casRegister.values!);
          if (why?.rule === 'counting') counted++;
          if (why) expect(bruteForceLinearizable(casRegister, h)).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
    // The property is not vacuous: the counting argument decided some of these (about 28 in 3000
    // runs on average; fewer than 6 has negligible odds for any seed).
    expect(counted).toBeGreaterThan(5);
  });

  it('histories executed against a sequential model are never refuted', () => {
    fc.assert(
      fc.property(fc.array(registerOp(4, 3, 3000), { minLength: 1, maxLength: 150 }), fc.array(kvOp(3, 3000), { minLength: 1, maxLength: 150 }), (r, k) => {
        expect(refuted(execute(r), casRegister as CheckerModel<unknown>)).toBe(false);
        expect(refuted(execute(k), kvModel as CheckerModel<unknown>)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

/** A history from rows [process, type, f, value] at times 0, 1, 2, ... */
function rowsOf(r: [number, Op['type'], string, unknown][]): Op[] {
  return r.map(([process, type, f, value], index) => ({ index, time: index, type, process, f, value }));
}

/**
 * `n` writes of distinct values all in flight (invoked first, completed last, `ok` or `info`),
 * while one process reads `n + 1` times in a row: each value once, in `order`, then `again`.
 */
function inFlight(n: number, order: readonly number[], again: number, ending: 'ok' | 'info'): Op[] {
  const r: [number, Op['type'], string, unknown][] = [];
  for (let p = 0; p < n; p++) r.push([p, 'invoke', 'write', 100 + p]);
  for (const v of [...order, again]) r.push([n, 'invoke', 'read', null], [n, 'ok', 'read', 100 + v]);
  for (let p = 0; p < n; p++) r.push([p, ending, 'write', ending === 'ok' ? 100 + p : null]);
  return rowsOf(r);
}

describe('value refutations decide whole classes without searching', () => {
  const check = (h: Op[], model = 'cas-register') => linearizable({ model }).check(h, {});

  it('writes all in flight, sequential reads that see a value again after another: not linearizable', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 24 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), fc.integer({ min: 0, max: n - 2 }))),
        fc.constantFrom<'ok' | 'info'>('ok', 'info'),
        async ([n, order, k], ending) => {
          // The example is n = 20 with the last read repeating the first value.
          const r = await check(inFlight(n, order, order[k]!, ending));
          expect(r.valid).toBe(false);
          expect(r.stats?.['refutedByValues']).toBe(1);
          expect(r.stats?.['explored']).toBe(0);
          expect(r.anomalies![0]!.explanation).toMatch(/needs 2 operations that set the register to \d+, .* there is only 1/);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the same writes and reads seeing each value once, or one twice in a row, are linearizable', async () => {
    for (const n of [5, 20]) {
      const order = [...Array(n).keys()].reverse();
      for (const ending of ['ok', 'info'] as const) {
        expect((await check(inFlight(n, order.slice(0, -1), order[n - 2]!, ending))).valid).toBe(true);
      }
    }
  });

  it('many overlapping writes of few values, reads, then a read of nil that nothing wrote: not linearizable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 5, max: 40 }), async (seed, processes) => {
        const h = simulateRegister({ processes, ops: 200, values: 5, infoRate: 0.05, seed });
        const last = h[h.length - 1]!;
        const reads = h.filter((o) => o.type === 'ok' && o.f === 'read' && o.value !== null);
        if (reads.length === 0) return;
        const p = 10_000;
        const r = await check([...h, { index: h.length, time: last.time + 1, type: 'invoke', process: p, f: 'read', value: null }, { index: h.length + 1, time: last.time + 2, type: 'ok', process: p, f: 'read', value: null }]);
        expect(r.valid).toBe(false);
        expect(r.stats?.['refutedByValues']).toBe(1);
        expect(r.stats?.['explored']).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('kv: a get that lost an append that completed before it, with no put in between', async () => {
    const h = rowsOf([
      [0, 'invoke', 'append', 'x1'],
      [1, 'invoke', 'append', 'x2'],
      [0, 'ok', 'append', 'x1'],
      [2, 'invoke', 'append', 'x3'],
      [2, 'ok', 'append', 'x3'],
      [3, 'invoke', 'get', null],
      [3, 'ok', 'get', 'x1x2'],
      [1, 'ok', 'append', 'x2'],
    ]).map((o) => ({ ...o, key: 'k' }));
    const r = await check(h, 'kv');
    expect(r.valid).toBe(false);
    expect(r.stats?.['refutedByValues']).toBe(1);
    expect(r.anomalies![0]!.explanation).toMatch(/appends alone cannot turn it into "x1x2"/);
  });
});
