/**
 * The `elle` benchmark's generators do what they promise: seeded, well-formed histories;
 * injected blocks on keys and processes of their own; a ring that is one component.
 */
import { describe, expect, it } from 'vitest';
import { elle } from '../../checkers/elle/index.js';
import { inject } from '../../bench/txn-anomalies.js';
import { ringHistory } from '../../bench/txn-ring.js';
import { simulateTxnHistory } from '../../bench/txn-sim.js';

describe('txn benchmark generators', () => {
  it('simulateTxnHistory is seeded and pairs every invocation with one completion', () => {
    const a = simulateTxnHistory({ txns: 500, processes: 7, kind: 'list-append', seed: 4, infoRate: 0.05, failRate: 0.05 });
    expect(simulateTxnHistory({ txns: 500, processes: 7, kind: 'list-append', seed: 4, infoRate: 0.05, failRate: 0.05 })).toEqual(a);
    expect(simulateTxnHistory({ txns: 500, processes: 7, kind: 'list-append', seed: 5 })).not.toEqual(a);
    expect(a.filter((o) => o.type === 'invoke')).toHaveLength(500);
    expect(a.filter((o) => o.type !== 'invoke')).toHaveLength(500);
    expect(new Set(a.map((o) => o.type))).toEqual(new Set(['invoke', 'ok', 'fail', 'info']));
    expect(a.map((o) => o.index)).toEqual(a.map((_, i) => i));
    const open = new Set<unknown>();
    for (const op of a) {
      if (op.type === 'invoke') {
        expect(open.has(op.process)).toBe(false);
        open.add(op.process);
      } else expect(open.delete(op.process)).toBe(true);
    }
  });

  it('inject splices a block in on fresh keys and processes, re-indexed', () => {
    const base = simulateTxnHistory({ txns: 50, processes: 3, kind: 'rw-register', seed: 1 });
    const h = inject(base, 'rw-register', [{ what: 'write-skew', at: 10 }]);
    expect(h).toHaveLength(base.length + 4);
    expect(h.slice(10, 14).map((o) => [o.type, o.process])).toEqual([
      ['invoke', 1_000_000],
      ['invoke', 1_000_001],
      ['ok', 1_000_000],
      ['ok', 1_000_001],
    ]);
    expect(h[12]!.value).toEqual([['r', 'injected-0-a', null], ['w', 'injected-0-b', 1]]);
    expect(h.map((o) => o.index)).toEqual(h.map((_, i) => i));
  });

  it('ringHistory is one strongly connected component', async () => {
    const r = await elle({ consistencyModels: ['read-committed'] }).check(ringHistory(300, 4), {});
    expect(r.valid).toBe(false);
    expect(r.stats!['largestScc']).toBe(300);
  });
});
