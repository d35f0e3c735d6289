/** The broadcast workload's topologies, as Maelstrom's broadcast workload gives them. */
import { describe, expect, it } from 'vitest';
import { topology } from '../../workloads/broadcast.js';

describe('broadcast topologies', () => {
  it('grid: a square grid row by row, each node linked to the ones beside, above and below it', () => {
    expect(topology('grid', ['n1', 'n2', 'n3'])).toEqual({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    const five = topology('grid', ['a', 'b', 'c', 'd', 'e']);
    expect(five).toEqual({ a: ['b', 'd'], b: ['a', 'c', 'e'], c: ['b'], d: ['a', 'e'], e: ['b', 'd'] });
  });

  it('line and total', () => {
    expect(topology('line', ['n1', 'n2', 'n3'])).toEqual({ n1: ['n2'], n2: ['n1', 'n3'], n3: ['n2'] });
    expect(topology('total', ['n1', 'n2', 'n3'])).toEqual({ n1: ['n2', 'n3'], n2: ['n1', 'n3'], n3: ['n1', 'n2'] });
  });

  it('every link goes both ways', () => {
    const nodes = Array.from({ length: 11 }, (_, i) => `n${i + 1}`);
    for (const kind of ['grid', 'line', 'total']) {
      const t = topology(kind, nodes);
      for (const [n, peers] of Object.entries(t)) for (const p of peers) expect(t[p]).toContain(n);
    }
  });
});
