/**
 * Strongly connected components by Tarjan's algorithm, iterative (an explicit call stack of
 * typed arrays), over the edges whose relations meet a mask.
 *
 * Why iterative: a history of a million transactions can hold a path of a million edges, far
 * deeper than JavaScript's call stack. Why a mask and a membership filter: the cycle search
 * asks for the components of sub-graphs (ww only; ww and wr; ...) inside components already
 * found, and restricting the walk to those vertices keeps every call linear in what it touches.
 */
import { int32, uint8 } from '../arena.js';
import { GraphBuilder } from './builder.js';
import type { Graph } from './csr.js';

export interface Components {
  /** Component id of each vertex; -1 for vertices left out. */
  readonly comp: Int32Array;
  /** Vertices of each component with two or more vertices (the ones that hold cycles). */
  readonly nontrivial: Int32Array[];
}

/**
 * Components of `g` restricted to edges with `rels & mask`. With `member`, only vertices with
 * `member[v] >= 0` take part and only edges between vertices of equal `member` count.
 */
export function stronglyConnected(g: Graph, mask: number, member?: Int32Array): Components {
  const { n, offsets, targets, rels } = g;
  const index = int32(n).fill(-1);
  const low = int32(n);
  const onStack = uint8(n);
  const stack = int32(n);
  const callV = int32(n);
  const callE = int32(n);
  const comp = int32(n).fill(-1);
  const nontrivial: Int32Array[] = [];
  let sp = 0;
  let counter = 0;
  let comps = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1 || (member && member[s]! < 0)) continue;
    let cp = 0;
    callV[cp] = s;
    callE[cp++] = offsets[s]!;
    index[s] = low[s] = counter++;
    stack[sp++] = s;
    onStack[s] = 1;
    while (cp > 0) {
      const v = callV[cp - 1]!;
      const group = member ? member[v]! : 0;
      let e = callE[cp - 1]!;
      const end = offsets[v + 1]!;
      let descended = false;
      while (e < end) {
        const w = targets[e]!;
        const r = rels[e]!;
        e++;
        if ((r & mask) === 0 || (member && member[w] !== group)) continue;
        if (index[w] === -1) {
          callE[cp - 1] = e;
          callV[cp] = w;
          callE[cp++] = offsets[w]!;
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          descended = true;
          break;
        }
        if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        let size = 0;
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          comp[w] = comps;
          size++;
        } while (w !== v);
        if (size > 1) nontrivial.push(stack.slice(sp, sp + size));
        comps++;
      }
      cp--;
      if (cp > 0) {
        const u = callV[cp - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  return { comp, nontrivial };
}

/** The non-trivial components of a graph as a graph of their own, renumbered. */
export interface Induced {
  /** Only the components' vertices (local ids), and only edges inside a component. */
  graph: Graph;
  /** The original id of each local vertex. */
  globalOf: Int32Array;
  /** Component index of each local vertex; each component's vertices are consecutive. */
  componentOf: Int32Array;
  /** Local vertices of each component. */
  components: Int32Array[];
}

/**
 * The sub-graph of `g` made of `components` and the edges (meeting `mask`) inside each. The
 * cycle search runs on it: a history with a few small components then costs memory in
 * proportion to them, not to the whole history.
 */
export function induceComponents(g: Graph, components: readonly Int32Array[], mask: number): Induced {
  const m = components.reduce((s, c) => s + c.length, 0);
  const localOf = int32(g.n).fill(-1);
  const globalOf = int32(m);
  const componentOf = int32(m);
  const local: Int32Array[] = [];
  let next = 0;
  let edges = 0;
  components.forEach((c, i) => {
    const start = next;
    for (const v of c) {
      localOf[v] = next;
      globalOf[next] = v;
      componentOf[next++] = i;
      edges += g.offsets[v + 1]! - g.offsets[v]!;
    }
    local.push(Int32Array.from({ length: c.length }, (_, j) => start + j));
  });
  const b = new GraphBuilder(m, edges);
  for (let u = 0; u < m; u++) {
    b.startRow(u);
    const v = globalOf[u]!;
    for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
      const w = localOf[g.targets[e]!]!;
      if (w >= 0 && componentOf[w] === componentOf[u] && (g.rels[e]! & mask) !== 0) b.add(w, g.rels[e]!);
    }
  }
  return { graph: b.finish(), globalOf, componentOf, components: local };
}
