/**
 * Fuzzing the linearizability checker beyond test/checkers/linearizable.spec.ts (which compares
 * single-key register histories with a brute-force oracle): multi-key register histories checked
 * as one search, kv histories, garbage histories, and deadlines. The oracle (test/checkers/
 * oracle.ts) knows nothing of keys, so it checks each key's sub-history on its own; a history
 * is linearizable exactly when every key's is (P-compositionality).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { casRegister, kvModel, linearizable } from '../../checkers/linearizable/index.js';
import type { Model } from '../../src/api/model.js';
import type { Op } from '../../src/api/op.js';
import { UserError } from '../../src/user-error.js';
import { execute, kvOp, mutateReads, registerOp } from '../checkers/gen-history.js';
import { bruteForceLinearizable } from '../checkers/oracle.js';

/** The oracle's verdict, key by key. */
function oracle(model: Model<unknown>, history: readonly Op[]): boolean {
  const keys = new Set(history.map((op) => op.key));
  return [...keys].every((key) => bruteForceLinearizable(model, history.filter((op) => op.key === key)));
}

describe('fuzz: checker verdicts against the brute-force oracle', () => {
  it('multi-key register histories, per key and in one search', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(registerOp(3, 2, 300), { minLength: 1, maxLength: 9 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.constantFrom(null, 0, 1, 2), { minLength: 1, maxLength: 2 }),
        async (plan, picks, values) => {
          const h = mutateReads(execute(plan), picks, values);
          const expected = oracle(casRegister as Model<unknown>, h);
          for (const partitionKeys of [true, false]) {
            const r = await linearizable({ model: 'cas-register', partitionKeys }).check(h, {});
            expect(r.valid, `partitionKeys ${partitionKeys}`).toBe(expected);
            if (!expected) expect(r.anomalies?.[0]?.ops.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 250 },
    );
  });

  it('kv histories (get / put / append), per key and in one search', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(kvOp(2, 300), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.constantFrom('', 'a', 'ab', 'ba', 'c'), { minLength: 1, maxLength: 2 }),
        async (plan, picks, values) => {
          const h = mutateReads(execute(plan), picks, values);
          const expected = oracle(kvModel as Model<unknown>, h);
          for (const partitionKeys of [true, false]) {
            const r = await linearizable({ model: 'kv', partitionKeys }).check(h, {});
            expect(r.valid, `partitionKeys ${partitionKeys}`).toBe(expected);
          }
        },
      ),
      { numRuns: 250 },
    );
  });
});

/** Anything a damaged or hostile history file could hold, as ops. */
const garbageOp: fc.Arbitrary<Op> = fc.record(
  {
    index: fc.integer(),
    time: fc.oneof(fc.integer(), fc.double()),
    type: fc.constantFrom<Op['type']>('invoke', 'ok', 'fail', 'info'),
    process: fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constant<'nemesis'>('nemesis')),
    f: fc.constantFrom('read', 'write', 'cas', 'get', 'put', 'append', 'start-partition', '', 'constructor', '__proto__'),
    key: fc.constantFrom('a', 'b', '', '__proto__', 'constructor'),
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))),
    error: fc.string({ maxLength: 5 }),
  },
  { requiredKeys: ['index', 'time', 'type', 'process', 'f', 'value'] },
);

describe('fuzz: the checker never crashes and never overstates', () => {
  it('garbage histories get a verdict or a one-line refusal naming an op, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(garbageOp, { maxLength: 25 }), fc.constantFrom('cas-register', 'kv'), fc.boolean(), async (h, model, partitionKeys) => {
        try {
          const r = await linearizable({ model, partitionKeys }).check(h, { timeoutMs: 2000 });
          expect([true, false, 'unknown']).toContain(r.valid);
          expect(typeof r.summary).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(UserError);
          expect((err as Error).message).toMatch(/^op #-?\d+ \(process -?\d+\): [^\n]+$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('under any deadline the verdict is the full one or unknown', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(registerOp(3, 40, 3000), { minLength: 1, maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(fc.constantFrom(null, 0, 1, 2), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(0, 1, 3),
        async (plan, picks, values, timeoutMs) => {
          const h = mutateReads(execute(plan), picks, values);
          const full = await linearizable({ model: 'cas-register' }).check(h, {});
          const bounded = await linearizable({ model: 'cas-register' }).check(h, { timeoutMs });
          expect([full.valid, 'unknown']).toContain(bounded.valid);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('an aborted check is never valid unless it had finished', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const plan = fc.sample(fc.array(registerOp(3, 50, 2000), { minLength: 200, maxLength: 200 }), { numRuns: 1, seed: 7 })[0]!;
    const r = await linearizable({ model: 'cas-register' }).check(execute(plan), { signal: ctl.signal });
    expect(r.valid).toBe('unknown');
  });
});
