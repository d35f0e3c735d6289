// The windowed search of long histories (checkers/linearizable/segments.ts): it may only say
// "linearizable" with a whole valid order behind it, and otherwise hands over to the whole
// search, so verdicts and explanations agree with the brute-force oracle and with the search
// without windows. Small windows (a few ops) make every history here long enough to cut.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { casRegister, linearizable } from '../../checkers/linearizable/index.js';
import { chooseCuts } from '../../checkers/linearizable/segments.js';
import { compile } from '../../checkers/linearizable/compile.js';
import { collectOps } from '../../checkers/linearizable/entries.js';
import type { CheckerModel } from '../../checkers/linearizable/models.js';
import { generateRegisterHistory } from '../../bench/generated.js';
import type { Op } from '../../src/api/op.js';
import { execute, mutateReads, registerOp } from './gen-history.js';
import { bruteForceLinearizable } from './oracle.js';

/** Windows of `ops` ops, nothing decided before the search (so the windows do the work). */
const windowed = (segmentOps: number) => linearizable({ model: 'cas-register', search: { segmentOps, valueRefutation: false } });
const model = casRegister as CheckerModel<unknown>;
const compiled = (h: readonly Op[]) => compile(collectOps(h, model).ops, model);
const whole = linearizable({ model: 'cas-register', search: { segmentOps: 0, valueRefutation: false } });

describe('windowed search', () => {
  it('cuts where fewest ops with a completion are running, one cut per block', () => {
    const p = compiled(generateRegisterHistory({ ops: 400, processes: 5, keys: 1, seed: 3 }));
    const cuts = chooseCuts(p, 50);
    expect(cuts.length).toBe(Math.floor(p.n / 50) - 1);
    for (let k = 1; k < cuts.length; k++) expect(cuts[k]!).toBeGreaterThan(cuts[k - 1]!);
    // Too short for windows to pay: no cuts.
    expect(chooseCuts(p, Math.ceil(p.n / 3))).toEqual([]);
  });

  it('agrees with a brute-force oracle on small mutated register histories', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(registerOp(3, 1, 300), { minLength: 4, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.constantFrom(null, 0, 1, 2), { minLength: 1, maxLength: 2 }),
        fc.constantFrom(1, 2),
        async (plan, picks, vals, segmentOps) => {
          const h = mutateReads(execute(plan), picks, vals);
          const r = await windowed(segmentOps).check(h, {});
          expect(r.valid).toBe(bruteForceLinearizable(casRegister, h));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('histories executed against a sequential register pass window by window', async () => {
    let cuttable = 0;
    let used = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(registerOp(4, 1, 3000), { minLength: 20, maxLength: 150 }), fc.constantFrom(2, 5, 10), async (plan, segmentOps) => {
        const h = execute(plan);
        const r = await windowed(segmentOps).check(h, {});
        expect(r.valid).toBe(true);
        if (chooseCuts(compiled(h), segmentOps).length > 0) cuttable++;
        if ((r.details?.['(no key)'] as { windows?: number } | undefined)?.windows) used++;
      }),
      { numRuns: 150 },
    );
    // Those long enough to cut are decided by windows (but a window may fail from the state
    // carried in, and hand over to the whole search).
    expect(cuttable).toBeGreaterThan(30);
    expect(used).toBeGreaterThanOrEqual(0.9 * cuttable);
  });

  it('gives the verdict and the explanation of the whole search on mutated histories', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(registerOp(3, 1, 2000), { minLength: 20, maxLength: 80 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(null, 0, 1, 2), { minLength: 1, maxLength: 3 }),
        async (plan, picks, vals) => {
          const h = mutateReads(execute(plan), picks, vals);
          const w = await windowed(3).check(h, {});
          const o = await whole.check(h, {});
          expect(w.valid).toBe(o.valid);
          expect(w.anomalies).toEqual(o.anomalies);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decides a long single-key history of 20 processes window by window', async () => {
    // The shape of the bench's 1M-operation history, smaller: the whole search needs twice the
    // configurations (both candidate orders) and a memo spanning the history.
    const h = generateRegisterHistory({ ops: 20_000, processes: 20, keys: 1, seed: 1 });
    const r = await linearizable({ model: 'cas-register', search: { segmentOps: 2048 } }).check(h, {});
    expect(r.valid).toBe(true);
    const d = r.details?.['(no key)'] as { windows?: number };
    expect(d.windows).toBeGreaterThanOrEqual(4);
  });
});
