import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENTS, type Grudge } from '../../src/api/net.js';
import { Rng } from '../../src/gen/rng.js';
import {
  bisect,
  bridge,
  byName,
  complete,
  componentsOf,
  cutLinks,
  describeGrudge,
  grudgeNodes,
  invert,
  isSymmetric,
  isolate,
  majoritiesRing,
  normalize,
  oneWay,
  randomHalves,
  union,
} from '../../src/net/grudge.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const five = names(5);

/** Whom each node hears, itself included, over `nodes`. */
function hears(grudge: Grudge, nodes: readonly string[]): Map<string, string[]> {
  return new Map(nodes.map((n) => [n, nodes.filter((m) => !(grudge[n] ?? []).includes(m))]));
}

const nodeCount = (min: number, max = 12) => fc.integer({ min, max });
const seed = fc.integer({ min: 0, max: 0xffffffff });

describe('byName / normalize / grudgeNodes / cutLinks', () => {
  it('sorts names naturally', () => {
    expect(['n10', 'n2', 'n1', 'clients'].sort(byName)).toEqual(['clients', 'n1', 'n2', 'n10']);
  });

  it('normalizes: no self-drops, duplicates or empty lists', () => {
    expect(normalize({ n2: ['n3', 'n1', 'n3', 'n2'], n1: [], n3: ['n3'] })).toEqual({ n2: ['n1', 'n3'] });
  });

  it('lists nodes and cut links', () => {
    const g = { n3: ['n1'], n1: ['n3', 'n2'] };
    expect(grudgeNodes(g)).toEqual(['n1', 'n2', 'n3']);
    expect(cutLinks(g)).toEqual([
      { from: 'n2', to: 'n1' },
      { from: 'n3', to: 'n1' },
      { from: 'n1', to: 'n3' },
    ]);
  });

  it('tells symmetric from one-way grudges', () => {
    expect(isSymmetric({ a: ['b'], b: ['a'] })).toBe(true);
    expect(isSymmetric({ a: ['b'] })).toBe(false);
    expect(isSymmetric({})).toBe(true);
  });

  it('unions grudges', () => {
    expect(union({ a: ['b'] }, { a: ['c', 'b'], c: ['a'] })).toEqual({ a: ['b', 'c'], c: ['a'] });
  });
});

describe('complete', () => {
  it('cuts every node off from the other components', () => {
    expect(complete([['n1', 'n2'], ['n3', 'n4', 'n5']])).toEqual({
      n1: ['n3', 'n4', 'n5'],
      n2: ['n3', 'n4', 'n5'],
      n3: ['n1', 'n2'],
      n4: ['n1', 'n2'],
      n5: ['n1', 'n2'],
    });
    expect(complete([['a', 'b']])).toEqual({ a: [], b: [] });
    expect(complete([['a'], ['b'], ['c']])).toEqual({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] });
  });

  it('refuses a node in two components', () => {
    expect(() => complete([['a'], ['a', 'b']])).toThrow(/two components/);
  });

  it('is symmetric and its components come back (property)', () => {
    fc.assert(
      fc.property(nodeCount(1), seed, fc.integer({ min: 1, max: 4 }), (n, s, k) => {
        const rng = new Rng(s);
        const parts: string[][] = Array.from({ length: k }, () => []);
        for (const node of names(n)) parts[rng.int(k)]?.push(node);
        const comps = parts.filter((p) => p.length > 0);
        const g = complete(comps);
        expect(isSymmetric(g)).toBe(true);
        expect(Object.keys(g).sort(byName)).toEqual(names(n));
        const back = componentsOf(g, names(n));
        expect(back).toEqual(comps.map((c) => [...c].sort(byName)).sort((a, b) => byName(a[0]!, b[0]!)));
      }),
    );
  });
});

describe('bisect / randomHalves / isolate', () => {
  it('bisects with the smaller half first', () => {
    expect(bisect(five)).toEqual([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    expect(bisect(['a', 'b'])).toEqual([['a'], ['b']]);
    expect(bisect([])).toEqual([[], []]);
  });

  it('bisect covers all nodes, halves differ by at most one (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 20 }), (nodes) => {
        const [a, b] = bisect(nodes);
        expect([...a, ...b]).toEqual(nodes);
        expect(b.length - a.length).toBeGreaterThanOrEqual(0);
        expect(b.length - a.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('random halves: a minority and a majority, reproducible by seed', () => {
    const g = randomHalves(five, new Rng(7));
    expect(g).toEqual(randomHalves(five, new Rng(7)));
    const comps = componentsOf(g, five);
    expect(comps?.map((c) => c.length).sort()).toEqual([2, 3]);
    expect(comps?.flat().sort(byName)).toEqual(five);
  });

  it('isolates one node', () => {
    expect(isolate(['n1', 'n2', 'n3'], 'n2')).toEqual({ n2: ['n1', 'n3'], n1: ['n2'], n3: ['n2'] });
    expect(isolate(['n1', 'n2'], CLIENTS)).toEqual({ clients: ['n1', 'n2'], n1: ['clients'], n2: ['clients'] });
  });
});

describe('oneWay / invert', () => {
  it('cuts one direction only', () => {
    expect(oneWay('a', 'b')).toEqual({ b: ['a'] });
    expect(oneWay(['a', 'b'], ['c', 'a'])).toEqual({ c: ['a', 'b'], a: ['b'] });
  });

  it('swaps drops and hears', () => {
    expect(invert({ a: ['b'] }, ['a', 'b', 'c'])).toEqual({ a: ['c'], b: ['a', 'c'], c: ['a', 'b'] });
  });

  it('is its own inverse on grudges over the nodes (property)', () => {
    fc.assert(
      fc.property(nodeCount(1, 8), seed, (n, s) => {
        const nodes = names(n);
        const rng = new Rng(s);
        const g: Grudge = {};
        for (const x of nodes) g[x] = nodes.filter(() => rng.float() < 0.4);
        const full = invert(invert(g, nodes), nodes);
        expect(normalize(full)).toEqual(normalize(g));
      }),
    );
  });
});

describe('majoritiesRing', () => {
  it('for 5 nodes each node hears itself and its two ring neighbours', () => {
    const g = majoritiesRing(five, new Rng(1));
    for (const [, heard] of hears(g, five)) expect(heard).toHaveLength(3);
    expect(isSymmetric(g)).toBe(true);
    expect(cutLinks(g)).toHaveLength(10);
  });

  it('for 3 nodes the ends hear different majorities through the middle', () => {
    const g = normalize(majoritiesRing(['a', 'b', 'c'], new Rng(3)));
    expect(Object.keys(g)).toHaveLength(2);
    const [x, y] = Object.keys(g) as [string, string];
    expect(g).toEqual({ [x]: [y], [y]: [x] });
  });

  it('refuses fewer than 3 nodes', () => {
    expect(() => majoritiesRing(['a', 'b'], new Rng(1))).toThrow(RangeError);
  });

  it('every node hears a strict majority including itself; sets distinct; symmetric (property)', () => {
    fc.assert(
      fc.property(nodeCount(3, 15), seed, (n, s) => {
        const nodes = names(n);
        const g = majoritiesRing(nodes, new Rng(s));
        expect(isSymmetric(g)).toBe(true);
        const sets = hears(g, nodes);
        for (const [node, heard] of sets) {
          expect(heard).toContain(node);
          expect(heard.length * 2).toBeGreaterThan(n);
        }
        const distinct = new Set([...sets.values()].map((h) => h.join(',')));
        expect(distinct.size).toBe(n);
      }),
    );
  });
});

describe('bridge', () => {
  it('joins two halves through one node', () => {
    expect(bridge(five)).toEqual({
      n1: ['n4', 'n5'],
      n2: ['n4', 'n5'],
      n3: [],
      n4: ['n1', 'n2'],
      n5: ['n1', 'n2'],
    });
  });

  it('the bridge hears everyone and the halves are cut (property)', () => {
    fc.assert(
      fc.property(nodeCount(3), (n) => {
        const nodes = names(n);
        const g = bridge(nodes);
        const [left, right] = bisect(nodes);
        const middle = right[0]!;
        expect(g[middle]).toEqual([]);
        for (const x of left) expect(g[x]).toEqual(right.slice(1));
        for (const y of right.slice(1)) expect(g[y]).toEqual(left);
        expect(isSymmetric(g)).toBe(true);
      }),
    );
  });

  it('refuses fewer than 3 nodes', () => {
    expect(() => bridge(['a', 'b'])).toThrow(RangeError);
  });
});


describe('describeGrudge', () => {
  it('shows complete partitions as components', () => {
    expect(describeGrudge(complete([['n3', 'n4', 'n5'], ['n2', 'n1']]))).toBe('n1,n2 | n3,n4,n5');
    expect(describeGrudge(isolate(five, 'n3'))).toBe('n1,n2,n4,n5 | n3');
    expect(describeGrudge(isolate(['n1', 'n2'], CLIENTS))).toBe('clients | n1,n2');
  });

  it('shows one-way and partial cuts as arrows', () => {
    expect(describeGrudge({ b: ['a'] })).toBe('a -/-> b');
    expect(describeGrudge({ n1: ['n2'], n2: ['n1'] }, ['n1', 'n2', 'n3'])).toBe('n1 <-/-> n2');
    expect(describeGrudge(bridge(['n1', 'n2', 'n3']))).toBe('n1 <-/-> n3');
  });

  it('without the node list, a two-node cut reads as components', () => {
    expect(describeGrudge({ n1: ['n2'], n2: ['n1'] })).toBe('n1 | n2');
  });

  it('says when nothing is cut', () => {
    expect(describeGrudge({})).toBe('no partition');
    expect(describeGrudge({ a: [], b: ['b'] })).toBe('no partition');
  });
});
