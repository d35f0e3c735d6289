/**
 * The graph machinery of the `elle` checkers against brute force on small random graphs:
 * strongly connected components (iterative Tarjan) against reachability, the row builder's
 * merging, and the typed cycle search against every simple cycle with every labelling.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BfsScratch, CycleBfs } from '../../../checkers/elle/cycles/bfs.js';
import { reverseCycle, searchCycles } from '../../../checkers/elle/cycles/search.js';
import { classifyCycle, CYCLE_SPECS, type CycleSpec } from '../../../checkers/elle/cycles/specs.js';
import { GraphBuilder } from '../../../checkers/elle/graph/builder.js';
import type { Graph } from '../../../checkers/elle/graph/csr.js';
import { DATA, PROCESS, REALTIME, relBits, RW, WR, WW } from '../../../checkers/elle/graph/rels.js';
import { stronglyConnected } from '../../../checkers/elle/graph/scc.js';

const ALL = DATA | PROCESS | REALTIME;

/** A random graph: n vertices, edges with one or two relation bits. */
const graphs = (maxN: number, rels: number[]): fc.Arbitrary<{ n: number; edges: [number, number, number][] }> =>
  fc.integer({ min: 1, max: maxN }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.constantFrom(...rels)), { maxLength: 3 * n }),
    }),
  );

function build(n: number, edges: readonly [number, number, number][]): Graph {
  const rows = Array.from({ length: n }, () => [] as [number, number][]);
  for (const [a, b, r] of edges) rows[a]!.push([b, r]);
  const b = new GraphBuilder(n, 4);
  rows.forEach((row, v) => {
    b.startRow(v);
    for (const [w, r] of row) b.add(w, r);
  });
  return b.finish();
}

function reach(g: Graph, mask: number): boolean[][] {
  const r = Array.from({ length: g.n }, (_, v) => Array.from({ length: g.n }, (_, w) => v === w));
  for (let changed = true; changed; ) {
    changed = false;
    for (let v = 0; v < g.n; v++) {
      for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
        if ((g.rels[e]! & mask) === 0) continue;
        const w = g.targets[e]!;
        for (let x = 0; x < g.n; x++) {
          if (r[w]![x] && !r[v]![x]) {
            r[v]![x] = true;
            changed = true;
          }
        }
      }
    }
  }
  return r;
}

describe('graph building and components', () => {
  it('GraphBuilder merges repeated entries of a row and drops self entries', () => {
    const g = build(3, [
      [0, 1, WW],
      [0, 1, REALTIME],
      [0, 0, WR],
      [2, 0, RW],
    ]);
    expect([...g.offsets]).toEqual([0, 1, 1, 2]);
    expect([...g.targets]).toEqual([1, 0]);
    expect([...g.rels]).toEqual([WW | REALTIME, RW]);
  });

  it('GraphBuilder merges repeats in long rows too', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(59), fc.constantFrom(WW, WR, RW, REALTIME)), { maxLength: 200 }), (row) => {
        const g = build(60, row.map(([w, r]) => [5, w, r] as [number, number, number]));
        const expected = new Map<number, number>();
        for (const [w, r] of row) if (w !== 5) expected.set(w, (expected.get(w) ?? 0) | r);
        const got = new Map<number, number>();
        for (let e = g.offsets[5]!; e < g.offsets[6]!; e++) got.set(g.targets[e]!, g.rels[e]!);
        expect(got).toEqual(expected);
        expect(g.offsets[6]! - g.offsets[5]!).toBe(expected.size);
      }),
    );
  });

  it('stronglyConnected: two vertices share a component exactly when each reaches the other', () => {
    fc.assert(
      fc.property(graphs(9, [WW, WR, RW, PROCESS, REALTIME, WW | REALTIME]), fc.constantFrom(WW, WW | WR, DATA, ALL), ({ n, edges }, mask) => {
        const g = build(n, edges);
        const r = reach(g, mask);
        const { comp, nontrivial } = stronglyConnected(g, mask);
        for (let v = 0; v < n; v++) for (let w = 0; w < n; w++) expect(comp[v] === comp[w]).toBe(r[v]![w]! && r[w]![v]!);
        const inBig = new Set(nontrivial.flatMap((c) => [...c]));
        for (let v = 0; v < n; v++) expect(inBig.has(v)).toBe([...Array(n).keys()].some((w) => w !== v && r[v]![w] && r[w]![v]));
      }),
      { numRuns: 300 },
    );
  });

  it('stronglyConnected follows a path a million edges long without overflowing the stack', () => {
    const n = 1_000_000;
    const b = new GraphBuilder(n, n);
    for (let v = 0; v < n; v++) {
      b.startRow(v);
      b.add((v + 1) % n, WW);
    }
    expect(stronglyConnected(b.finish(), WW).nontrivial.map((c) => c.length)).toEqual([n]);
  });
});

/** Every simple cycle of a small graph, as vertex lists starting at their smallest vertex. */
function simpleCycles(g: Graph): number[][] {
  const out: number[][] = [];
  const path: number[] = [];
  const on = new Set<number>();
  const walk = (start: number, v: number): void => {
    for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
      const w = g.targets[e]!;
      if (w === start) out.push([...path]);
      else if (w > start && !on.has(w)) {
        on.add(w);
        path.push(w);
        walk(start, w);
        path.pop();
        on.delete(w);
      }
    }
  };
  for (let s = 0; s < g.n; s++) {
    path.splice(0, path.length, s);
    on.clear();
    on.add(s);
    walk(s, s);
  }
  return out;
}

function rels(g: Graph, a: number, b: number): number {
  for (let e = g.offsets[a]!; e < g.offsets[a + 1]!; e++) if (g.targets[e] === b) return g.rels[e]!;
  return 0;
}

/** The shortest simple cycle of `spec`'s type, trying every labelling of every simple cycle. */
function shortestByBruteForce(g: Graph, spec: CycleSpec): number {
  let best = Infinity;
  for (const c of simpleCycles(g)) {
    const choices = c.map((v, i) => relBits(rels(g, v, c[(i + 1) % c.length]!) & spec.rels));
    const label = (i: number, labels: number[]): boolean =>
      i === c.length ? classifyCycle(labels) === spec.type : choices[i]!.some((bit) => label(i + 1, [...labels, bit]));
    if (c.length < best && label(0, [])) best = c.length;
  }
  return best;
}

describe('typed cycle search', () => {
  it('finds, over all starts, the shortest cycle of each type brute force finds', () => {
    fc.assert(
      fc.property(graphs(6, [WW, WR, RW, RW, PROCESS, REALTIME, WW | REALTIME, RW | PROCESS]), fc.constantFrom(...CYCLE_SPECS), ({ n, edges }, spec) => {
        const g = build(n, edges);
        const expected = shortestByBruteForce(g, spec);
        const comp = new Int32Array(n);
        const bfs = new CycleBfs(g, spec, new BfsScratch(n));
        let best = Infinity;
        for (let s = 0; s < n; s++) {
          const found = bfs.search(s, comp, 0, Infinity, Infinity, Infinity);
          if (found === 'budget') throw new Error('no budget was set');
          if (!found) continue;
          expect(classifyCycle(found.labels)).toBe(spec.type);
          found.vertices.forEach((v, i) => expect(rels(g, v, found.vertices[(i + 1) % found.vertices.length]!) & found.labels[i]!).not.toBe(0));
          best = Math.min(best, found.vertices.length);
        }
        expect(best).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reverses cycles found in the graph of incoming edges', () => {
    expect(reverseCycle({ vertices: [0, 1, 2], labels: [WW, WR, RW] })).toEqual({ vertices: [0, 2, 1], labels: [RW, WR, WW] });
  });

  it('cuts an enormous component short and still names a cycle in it', async () => {
    // A ring of 200 000 transactions linked by write-read edges, with rw chords that never
    // close a cycle of one anti-dependency: G-single search must give up within its budget.
    const n = 200_000;
    const b = new GraphBuilder(n, 3 * n);
    for (let v = 0; v < n; v++) {
      b.startRow(v);
      b.add((v + 1) % n, WR);
      b.add((v + 7) % n, RW);
    }
    const result = await searchCycles(b.finish(), {
      specs: CYCLE_SPECS.filter((s) => (s.rels & ~DATA) === 0),
      rels: DATA,
      stepsPerScc: 50_000,
      msPerScc: 60_000,
      deadline: Infinity,
    });
    expect(result.timeouts).toHaveLength(1);
    expect(result.timeouts[0]!.sccSize).toBe(n);
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.cycleExists.map((c) => c.type)).toContain('PL-2-cycle-exists');
  });
});
