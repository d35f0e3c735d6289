/**
 * The stale-read witness that leads explanations: sound (a history it names a stale read in is
 * not linearizable, by the brute-force oracle), and found where a person would find one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectOps } from '../../checkers/linearizable/entries.js';
import { casRegister } from '../../checkers/linearizable/index.js';
import { findStaleRead, staleReadEvidence } from '../../checkers/linearizable/stale-read.js';
import type { Op } from '../../src/api/op.js';
import { execute, mutateReads, registerOp } from './gen-history.js';
import { bruteForceLinearizable } from './oracle.js';
import { simulateRegister } from './sim-history.js';

const linOps = (h: readonly Op[]) => collectOps(h, casRegister).ops;

describe('stale-read witness', () => {
  it('names a stale read only in histories the brute-force oracle rejects', () => {
    let named = 0;
    fc.assert(
      fc.property(
        fc.array(registerOp(3, 1, 1000), { minLength: 3, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
        fc.array(fc.constantFrom(null, 0, 1, 2), { minLength: 1, maxLength: 2 }),
        (plan, picks, vals) => {
          const h = mutateReads(execute(plan), picks, vals);
          if (!findStaleRead(linOps(h))) return;
          named++;
          expect(bruteForceLinearizable(casRegister, h)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
    expect(named).toBeGreaterThan(10); // The property was exercised, not vacuous.
  });

  it('finds none in linearizable histories, however busy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (processes, seed) => {
        expect(findStaleRead(linOps(simulateRegister({ processes, ops: 200, values: 3, infoRate: 0.1, seed })))).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });

  it('leads with the read and the write that overwrote it, also for the initial value', () => {
    const at = (rows: [number, Op['type'], string, unknown][]): Op[] => rows.map(([process, type, f, value], index) => ({ index, time: index, process, type, f, value, key: 'k' }));
    const h = at([
      [0, 'invoke', 'write', 3],
      [0, 'ok', 'write', 3],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
    ]);
    const evidence = staleReadEvidence(linOps(h), []);
    expect(evidence?.text).toBe(
      'Stale read: process 1 read [k] → null [ops #2..#3] returned null, which process 0 write [k] 3 [ops #0..#1] had already overwritten: ' +
        'that write completed before the read began, and null is the initial value. No order consistent with real time lets the read see null.',
    );
    expect(evidence?.ops.map((o) => o.invoke.index)).toEqual([2, 0]);
    // A write of the value still in flight when the read ran may explain it: no witness.
    const inFlight = at([
      [0, 'invoke', 'write', 3],
      [0, 'ok', 'write', 3],
      [2, 'invoke', 'write', null],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
    ]);
    expect(findStaleRead(linOps(inFlight))).toBeUndefined();
  });
});
