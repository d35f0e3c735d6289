/**
 * The set checker: examples of each class, and property tests: histories of a sequential set pass;
 * histories with the final reads mutated agree with a brute-force oracle that judges each element
 * from the history alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op, OpType } from '../../src/api/op.js';
import { checkSet } from '../../checkers/set/index.js';

class History {
  readonly ops: Op[] = [];
  push(type: OpType, process: number, f: string, value: unknown, key = 's', node?: string): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1_000_000, type, process, f, key, value, ...(node && { node }) });
    return this;
  }
  add(p: number, e: number, type: 'ok' | 'fail' | 'info' = 'ok', key = 's'): this {
    return this.push('invoke', p, 'add', e, key).push(type, p, 'add', e, key);
  }
  read(p: number, elements: number[], key = 's', node?: string): this {
    return this.push('invoke', p, 'read', null, key, node).push('ok', p, 'read', elements, key, node);
  }
}

describe('set checker', () => {
  it('is valid when every acknowledged element is read; unknown adds that show are recovered', () => {
    const r = checkSet(new History().add(0, 1).add(1, 2, 'info').add(2, 3, 'fail').add(0, 4, 'info').read(3, [1, 2]).ops);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ ok: 1, recovered: 1, lost: 0, unexpected: 0 });
    expect(r.summary).toBe('1 acknowledged elements all read, 1 of unknown outcome recovered, none lost or unexpected');
  });

  it('finds an acknowledged element a final read lacks, through any node, and explains it', () => {
    const h = new History().add(0, 1).add(1, 2).read(2, [1, 2], 's', 'n1').read(3, [1], 's', 'n2');
    const r = checkSet(h.ops);
    expect(r.valid).toBe(false);
    expect(r.summary).toMatch(/^1 acknowledged elements lost \(2\)/);
    const a = r.anomalies![0]!;
    expect([a.kind, a.key, a.ops.map((o) => o.index)]).toEqual(['lost', 's', [2, 3, 6, 7]]);
    expect(a.explanation).toMatch(/through n2 returned 1 elements of s without 2/);
  });

  it('finds an element nobody added, per key', () => {
    const r = checkSet(new History().add(0, 1, 'ok', 'a').read(1, [1], 'a').read(1, [1], 'b').ops);
    expect(r.valid).toBe(false);
    expect(r.anomalies!.map((a) => [a.kind, a.key])).toEqual([['unexpected', 'b']]);
  });

  it('is unknown when a set that was added to has no final read, or the history is not a set history', () => {
    expect(checkSet(new History().add(0, 1).ops).valid).toBe('unknown');
    expect(checkSet(new History().add(0, 1, 'ok', 'a').add(0, 2, 'ok', 'b').read(1, [1], 'a').ops).valid).toBe('unknown');
    expect(checkSet(new History().push('invoke', 0, 'add', 'x').ops).summary).toMatch(/not a set history/);
  });
});

/** A sequential set run by a few processes on two keys: adds take effect (or not, for fail; maybe, for info), final reads see the state. */
const historyArb = fc
  .record({
    adds: fc.array(fc.record({ process: fc.nat(3), key: fc.constantFrom('a', 'b'), outcome: fc.constantFrom('ok', 'ok', 'fail', 'info'), applied: fc.boolean() }), { maxLength: 40 }),
    readers: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ adds, readers }) => {
    const h = new History();
    const state = new Map<string, number[]>([['a', []], ['b', []]]);
    adds.forEach((a, i) => {
      const takes = a.outcome === 'ok' || (a.outcome === 'info' && a.applied);
      if (takes) state.get(a.key)!.push(i);
      h.add(a.process, i, a.outcome as 'ok' | 'fail' | 'info', a.key);
    });
    for (let r = 0; r < readers; r++) for (const key of ['a', 'b']) h.read(10 + r, [...state.get(key)!], key);
    return h.ops;
  });

/** Judge from the history alone, element by element: lost or unexpected, as the definitions say. */
function oracle(history: readonly Op[]): { lost: number; unexpected: number; recovered: number } {
  const completions = history.filter((o) => o.f === 'add' && o.type !== 'invoke');
  const finals = history.filter((o) => o.f === 'read' && o.type === 'ok');
  let lost = 0;
  let unexpected = 0;
  let recovered = 0;
  for (const c of completions) {
    const mine = finals.filter((r) => r.key === c.key);
    if (c.type === 'ok' && mine.some((r) => !(r.value as number[]).includes(c.value as number))) lost++;
    if (c.type === 'info' && mine.some((r) => (r.value as number[]).includes(c.value as number))) recovered++;
  }
  for (const key of new Set(finals.map((r) => r.key))) {
    const seen = new Set(finals.filter((r) => r.key === key).flatMap((r) => r.value as number[]));
    for (const e of seen) if (!history.some((o) => o.f === 'add' && o.type === 'invoke' && o.key === key && o.value === e)) unexpected++;
  }
  return { lost, unexpected, recovered };
}

describe('set checker, property', () => {
  it('passes every history of a sequential set', () => {
    fc.assert(fc.property(historyArb, (h) => checkSet(h).valid === true || !h.some((o) => o.f === 'add')), { numRuns: 300 });
  });

  it('agrees with the brute-force oracle on histories whose final reads were mutated', () => {
    const mutated = historyArb.chain((h) => {
      const reads = h.filter((o) => o.f === 'read' && o.type === 'ok');
      return fc.array(fc.tuple(fc.constantFrom(...reads), fc.oneof(fc.constant<'drop'>('drop'), fc.integer({ min: 0, max: 60 }))), { maxLength: 4 }).map((edits) =>
        h.map((o) => {
          let value = o.value as number[];
          for (const [r, edit] of edits) if (r === o) value = edit === 'drop' ? value.slice(1) : [...value, edit];
          return edits.some(([r]) => r === o) ? { ...o, value } : o;
        }),
      );
    });
    fc.assert(
      fc.property(mutated, (h) => {
        const r = checkSet(h);
        const o = oracle(h);
        expect({ lost: r.stats?.lost, unexpected: r.stats?.unexpected, recovered: r.stats?.recovered }).toEqual(o);
        expect(r.valid).toBe(o.lost + o.unexpected === 0);
      }),
      { numRuns: 300 },
    );
  });
});
