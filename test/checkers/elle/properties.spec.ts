/**
 * Properties of the `elle` checkers, with fast-check:
 * - histories generated from a serial execution, with concurrency, failures and unknown
 *   outcomes (bench/txn-sim.ts), are strict-serializable;
 * - each injected anomaly (bench/txn-anomalies.ts) is found and named;
 * - on tiny histories with reads mutated at random, the serializability verdict agrees with a
 *   brute-force oracle (txn-oracle.ts): exactly for list-append, whose inference is complete;
 *   for rw-register, whose version orders are partial, every violation it reports is real.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/api/checker.js';
import type { Op } from '../../../src/api/op.js';
import type { TxnKind } from '../../../src/api/txn.js';
import { elle } from '../../../checkers/elle/index.js';
import { expectedAnomaly, inject, injectable } from '../../../bench/txn-anomalies.js';
import { simulateTxnHistory } from '../../../bench/txn-sim.js';
import { serializableByBruteForce } from './txn-oracle.js';

const KINDS: TxnKind[] = ['list-append', 'rw-register'];

const counts = (r: CheckResult): Record<string, number> => (r.details as { anomalyCounts: Record<string, number> }).anomalyCounts;

/** Valid, or unknown only because nothing depended on anything (tiny histories). */
function passes(r: CheckResult): boolean {
  return r.valid === true || (r.valid === 'unknown' && Object.keys(counts(r)).join() === 'empty-transaction-graph');
}

const simParams = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  txns: fc.integer({ min: 1, max: 300 }),
  processes: fc.integer({ min: 1, max: 12 }),
  keys: fc.integer({ min: 1, max: 8 }),
  maxWritesPerKey: fc.integer({ min: 2, max: 40 }),
  maxTxnLength: fc.integer({ min: 1, max: 6 }),
  failRate: fc.constantFrom(0, 0.05, 0.2),
  infoRate: fc.constantFrom(0, 0.05, 0.2),
});

describe.each(KINDS)('%s: generated histories', (kind) => {
  it('are strict-serializable when generated from a serial execution', async () => {
    await fc.assert(
      fc.asyncProperty(simParams, async (p) => {
        const r = await elle({ kind }).check(simulateTxnHistory({ ...p, kind }), {});
        expect(passes(r), r.summary).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('show each injected anomaly as its class', async () => {
    await fc.assert(
      fc.asyncProperty(simParams, fc.constantFrom(...injectable(kind)), fc.double({ min: 0, max: 1, noNaN: true }), async (p, what, where) => {
        const base = simulateTxnHistory({ ...p, kind });
        const history = inject(base, kind, [{ what, at: Math.floor(where * base.length) }]);
        const r = await elle({ kind }).check(history, {});
        expect(r.valid).toBe(false);
        expect(Object.keys(counts(r)), r.summary).toContain(expectedAnomaly(kind, what));
      }),
      { numRuns: 80 },
    );
  });
});

/** A tiny history whose committed reads are replaced, some of them, by other plausible results. */
export const tinyMutated = (kind: TxnKind): fc.Arbitrary<Op[]> =>
  fc
    .record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      txns: fc.integer({ min: 2, max: 7 }),
      processes: fc.integer({ min: 1, max: 4 }),
      keys: fc.integer({ min: 1, max: 3 }),
      infoRate: fc.constantFrom(0, 0.2),
      failRate: fc.constantFrom(0, 0.2),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 3 }),
    })
    .map(({ edits, ...p }) => {
      const ops = simulateTxnHistory({ ...p, kind, maxTxnLength: 3, maxWritesPerKey: 100 });
      const reads = ops.flatMap((op) => (op.type === 'ok' ? (op.value as [string, unknown, unknown][]).filter((m) => m[0] === 'r') : []));
      const written = (k: unknown): unknown[] => ops.flatMap((op) => (op.type === 'invoke' ? (op.value as [string, unknown, unknown][]).filter((m) => m[0] !== 'r' && m[1] === k).map((m) => m[2]) : []));
      for (const [which, how, pick] of edits) {
        const read = reads[which % Math.max(1, reads.length)];
        if (!read) break;
        const values = written(read[1]);
        if (kind === 'rw-register') {
          read[2] = how % 3 === 0 || values.length === 0 ? null : values[pick % values.length];
          continue;
        }
        const list = [...((read[2] as unknown[] | null) ?? [])];
        const at = pick % Math.max(1, list.length);
        if (how % 6 === 0) list.pop();
        else if (how % 6 === 1 && values.length > 0) list.push(values[pick % values.length]);
        else if (how % 6 === 2) list.reverse();
        else if (how % 6 === 3) list.splice(at, 1);
        else if (how % 6 === 4 && at + 1 < list.length) list.splice(at, 2, list[at + 1], list[at]);
        else list.splice(0, list.length, ...values.slice(0, pick % (values.length + 1)));
        read[2] = list;
      }
      return ops;
    });

describe('brute-force oracle', () => {
  it.each([
    ['serializable', false],
    ['strict-serializable', true],
  ] as const)('list-append: the %s verdict is the oracle’s', async (model, realtime) => {
    await fc.assert(
      fc.asyncProperty(tinyMutated('list-append'), async (history) => {
        const r = await elle({ kind: 'list-append', consistencyModels: [model] }).check(history, {});
        expect(passes(r), r.summary).toBe(serializableByBruteForce(history, realtime));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['serializable', false],
    ['strict-serializable', true],
  ] as const)('rw-register: every %s violation found is one', async (model, realtime) => {
    await fc.assert(
      fc.asyncProperty(tinyMutated('rw-register'), async (history) => {
        const r = await elle({ kind: 'rw-register', consistencyModels: [model] }).check(history, {});
        if (r.valid === false) expect(serializableByBruteForce(history, realtime), r.summary).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
