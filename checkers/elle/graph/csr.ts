/**
 * The dependency graph in compressed sparse row form: the out-edges of vertex v are
 * `targets[offsets[v] .. offsets[v+1])`, each with its relation bits in `rels`. Parallel edges
 * (say ww and realtime between the same pair) are merged into one edge with both bits.
 *
 * Why CSR: it is the most compact adjacency a search can walk without pointer chasing, and it
 * is built from an `EdgeList` in linear time (a counting sort by source).
 */
import { int32, uint8 } from '../arena.js';
import type { EdgeList } from './edge-list.js';

export interface Graph {
  readonly n: number;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly rels: Uint8Array;
}

/**
 * Build the graph over vertices 0..n-1 from `edges` (which it leaves unchanged); `reversed`
 * builds the graph of incoming edges instead (row v lists the sources of v's edges).
 */
export function buildGraph(n: number, edges: EdgeList, reversed = false): Graph {
  const m = edges.length;
  const src = reversed ? edges.dst.data : edges.src.data;
  const dst = reversed ? edges.src.data : edges.dst.data;
  const rel = edges.rel.data;
  const offsets = int32(n + 1);
  for (let i = 0; i < m; i++) offsets[src[i]! + 1]!++;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const fill = int32(n);
  fill.set(offsets.subarray(0, n));
  const targets = int32(m);
  const rels = uint8(m);
  for (let i = 0; i < m; i++) {
    const at = fill[src[i]!]!++;
    targets[at] = dst[i]!;
    rels[at] = rel[i]!;
  }
  // Merge parallel edges row by row, compacting in place: `slot[w]` is where row `stamp[w]-1` put w.
  const slot = int32(n);
  const stamp = int32(n);
  let out = 0;
  let start = 0;
  for (let v = 0; v < n; v++) {
    const end = offsets[v + 1]!;
    offsets[v] = out;
    for (let i = start; i < end; i++) {
      const w = targets[i]!;
      if (stamp[w] === v + 1) {
        rels[slot[w]!]! |= rels[i]!;
      } else {
        stamp[w] = v + 1;
        slot[w] = out;
        targets[out] = w;
        rels[out] = rels[i]!;
        out++;
      }
    }
    start = end;
  }
  offsets[n] = out;
  return { n, offsets, targets: targets.slice(0, out), rels: rels.slice(0, out) };
}

/** The relation bits of edge a → b (0 when there is none). */
export function edgeRels(g: Graph, a: number, b: number): number {
  for (let i = g.offsets[a]!; i < g.offsets[a + 1]!; i++) if (g.targets[i] === b) return g.rels[i]!;
  return 0;
}
