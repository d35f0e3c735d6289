/**
 * Some cycle through a vertex of a strongly connected component, found by one plain
 * breadth-first search: the answer of last resort when the typed search of a component ran
 * out of budget, so that even an enormous component is reported with a concrete cycle.
 *
 * Linear in the component's edges, and it cannot fail: every vertex of a component with two or
 * more vertices lies on a cycle. Each edge is labelled with its lowest relation bit, data
 * relations before process and real time, as the typed search prefers them.
 */
import type { Graph } from '../graph/csr.js';
import { int32, uint8 } from '../arena.js';
import type { FoundCycle } from './bfs.js';

/** The shortest cycle through `s` among vertices with `member[v] === group`. */
export function shortestCycleThrough(g: Graph, s: number, member: Int32Array, group: number): FoundCycle {
  const { offsets, targets, rels } = g;
  // parent[v] is v's BFS parent plus one (0: not reached); the start is its own.
  const parent = int32(g.n);
  const label = uint8(g.n);
  const queue = int32(g.n);
  parent[s] = s + 1;
  let tail = 0;
  queue[tail++] = s;
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const w = targets[e]!;
      if (member[w] !== group) continue;
      const bit = rels[e]! & -rels[e]!;
      if (w === s) {
        const vertices: number[] = [];
        const labels: number[] = [bit];
        for (let x = v; ; x = parent[x]! - 1) {
          vertices.push(x);
          if (x === s) break;
          labels.push(label[x]!);
        }
        return { vertices: vertices.reverse(), labels: labels.reverse() };
      }
      if (parent[w] !== 0) continue;
      parent[w] = v + 1;
      label[w] = bit;
      queue[tail++] = w;
    }
  }
  throw new Error(`vertex ${s} lies on no cycle of its component`);
}
