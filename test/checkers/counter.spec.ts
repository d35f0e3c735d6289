/**
 * The counter checker: reads within [acknowledged before, acknowledged or unknown invoked before
 * its end], final reads converged; property tests against a sequential counter and a brute-force
 * oracle of the bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op, OpType } from '../../src/api/op.js';
import { checkCounter } from '../../checkers/counter/index.js';

class History {
  readonly ops: Op[] = [];
  push(type: OpType, process: number, f: string, value: unknown, node?: string): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1000, type, process, f, value, ...(node && { node }) });
    return this;
  }
  add(p: number, delta: number, type: 'ok' | 'fail' | 'info' = 'ok'): this {
    return this.push('invoke', p, 'add', delta).push(type, p, 'add', delta);
  }
  read(p: number, value: number, f = 'read', node?: string): this {
    return this.push('invoke', p, f, null, node).push('ok', p, f, value, node);
  }
}

describe('counter checker', () => {
  it('accepts reads within the bounds, counting unknown adds as maybe and failed ones as never', () => {
    const h = new History().add(0, 3).read(1, 3).add(0, 2, 'info').read(1, 5).read(1, 3).add(2, 7, 'fail').read(1, 5);
    const r = checkCounter(h.ops);
    expect(r.valid).toBe(true);
    expect(r.summary).toBe('all 4 reads lie within the bounds of 2 adds');
  });

  it('explains a read that lost an acknowledged add', () => {
    const h = new History().add(0, 3).add(0, 4).read(1, 3);
    const r = checkCounter(h.ops);
    expect(r.valid).toBe(false);
    const a = r.anomalies![0]!;
    expect(a.kind).toBe('read-too-low');
    expect(a.summary).toBe('op #4 (process 1) read 3, outside [7, 7]');
    expect(a.explanation).toMatch(/op #0 \(add 3, ok at #1\), op #2 \(add 4, ok at #3\).*at least 7, so R lost 4/);
    expect(a.ops.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('explains a read above every add that may have happened, concurrent ones included', () => {
    const h = new History().add(0, 3).push('invoke', 2, 'add', 2).read(1, 9).push('ok', 2, 'add', 2);
    const a = checkCounter(h.ops).anomalies![0]!;
    expect(a.kind).toBe('read-too-high');
    expect(a.summary).toBe('op #3 (process 1) read 9, outside [3, 5]');
    expect(a.explanation).toMatch(/R read 4 more than was ever added/);
  });

  it('requires the final reads to agree', () => {
    const h = new History().add(0, 3).add(1, 2, 'info').read(0, 5, 'final-read', 'n1').read(1, 3, 'final-read', 'n2');
    const r = checkCounter(h.ops);
    expect(r.valid).toBe(false);
    expect(r.anomalies!.map((a) => a.kind)).toEqual(['divergence']);
    expect(r.anomalies![0]!.summary).toBe('the final reads after the heal disagree: n1 read 5 (op #4), n2 read 3 (op #6)');
  });

  it('with eventual reads, lets a read before the final phase miss adds, but not count adds never invoked', () => {
    const h = new History().add(0, 3).add(0, 4).read(1, 3).read(1, 0).add(0, 2, 'info').read(2, 9);
    expect(checkCounter(h.ops, 'eventual').valid).toBe(true);
    expect(checkCounter(h.ops).valid).toBe(false);
    const high = new History().add(0, 3).read(1, 4);
    expect(checkCounter(high.ops, 'eventual').anomalies![0]!.summary).toBe('op #2 (process 1) read 4, outside [0, 3]');
  });

  it('with eventual reads, still holds the final reads to every acknowledged add', () => {
    const h = new History().add(0, 3).add(0, 4).read(1, 3, 'final-read', 'n1').read(2, 3, 'final-read', 'n2');
    const r = checkCounter(h.ops, 'eventual');
    expect(r.valid).toBe(false);
    expect(r.anomalies!.map((a) => a.kind)).toEqual(['read-too-low', 'read-too-low']);
  });

  it('answers unknown for an add that is no number, and flags a read that is no number', () => {
    expect(checkCounter(new History().add(0, 'x' as unknown as number).ops).valid).toBe('unknown');
    expect(checkCounter(new History().push('invoke', 0, 'read', null).push('ok', 0, 'read', null).ops).anomalies![0]!.kind).toBe('bad-read');
  });
});

/** A concurrent history of a sequential counter: each operation takes effect at one moment between its invoke and its completion. */
const historyArb = fc
  .array(fc.record({ process: fc.nat(3), action: fc.nat(99), delta: fc.integer({ min: -3, max: 5 }) }), { maxLength: 80 })
  .map((steps) => {
    const ops: Op[] = [];
    const pending = new Map<number, { f: 'add' | 'read'; delta: number; applied: boolean; read?: number }>();
    let value = 0;
    const push = (type: OpType, process: number, f: string, v: unknown): void => void ops.push({ index: ops.length, time: ops.length, type, process, f, value: v });
    for (const { process, action, delta } of steps) {
      const p = pending.get(process);
      if (!p) {
        const f = action % 2 === 0 ? 'add' : 'read';
        pending.set(process, { f, delta, applied: false });
        push('invoke', process, f, f === 'add' ? delta : null);
      } else if (!p.applied && action < 60) {
        p.applied = true;
        if (p.f === 'add') value += p.delta;
        else p.read = value;
      } else if (p.f === 'read') {
        if (!p.applied) continue;
        pending.delete(process);
        push('ok', process, 'read', p.read);
      } else {
        // Applied: ok or unknown; not applied: fail or unknown (it may still take effect: never here).
        const type = p.applied ? (action % 3 === 0 ? 'info' : 'ok') : action % 3 === 0 ? 'info' : 'fail';
        pending.delete(process);
        push(type, process, 'add', p.delta);
      }
    }
    return ops;
  });

/** The bounds by their definition, add by add, for every ok read. */
function oracle(history: readonly Op[]): boolean {
  const completion = (inv: Op): Op | undefined => history.find((o) => o.index > inv.index && o.process === inv.process && o.type !== 'invoke');
  const adds = history.filter((o) => o.type === 'invoke' && o.f === 'add').map((inv) => ({ inv, done: completion(inv) })).filter((a) => a.done?.type !== 'fail');
  return history
    .filter((o) => o.type === 'invoke' && o.f === 'read')
    .every((inv) => {
      const done = completion(inv);
      if (done?.type !== 'ok') return true;
      let lower = 0;
      let upper = 0;
      for (const a of adds) {
        const delta = a.inv.value as number;
        const sure = a.done?.type === 'ok' && a.done.index < inv.index;
        const maybe = a.inv.index < done.index;
        if (sure) [lower, upper] = [lower + delta, upper + delta];
        else if (maybe) delta > 0 ? (upper += delta) : (lower += delta);
      }
      return (done.value as number) >= lower && (done.value as number) <= upper;
    });
}

describe('counter checker, property', () => {
  it('accepts every history of a sequential counter', () => {
    fc.assert(fc.property(historyArb, (h) => checkCounter(h).valid === true), { numRuns: 300 });
  });

  it('agrees with the brute-force oracle on histories with one read changed', () => {
    const mutated = historyArb.chain((h) => {
      const reads = h.filter((o) => o.type === 'ok' && o.f === 'read');
      if (reads.length === 0) return fc.constant(h);
      return fc.tuple(fc.constantFrom(...reads), fc.integer({ min: -4, max: 4 })).map(([r, by]) => h.map((o) => (o === r ? { ...o, value: (o.value as number) + by } : o)));
    });
    let invalid = 0;
    fc.assert(
      fc.property(mutated, (h) => {
        const expected = oracle(h);
        if (!expected) invalid++;
        return checkCounter(h).valid === expected;
      }),
      { numRuns: 500 },
    );
    // The mutations do break histories, so both verdicts were compared.
    expect(invalid).toBeGreaterThan(50);
  });
});
