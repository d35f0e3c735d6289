/**
 * Edges as they are inferred, before they become a graph: growable typed arrays of source,
 * target and relation bits, never an object per edge.
 *
 * Why: a million transactions give tens of millions of edges; as objects they would not fit in
 * the memory budget, as typed arrays they take twelve bytes each.
 */
import { IntVec } from '../int-vec.js';

export class EdgeList {
  readonly src = new IntVec(1 << 12);
  readonly dst = new IntVec(1 << 12);
  readonly rel = new IntVec(1 << 12);

  get length(): number {
    return this.src.length;
  }

  /** Add a → b with relation bits `rel`; self-edges are dropped (a transaction never precedes itself). */
  add(a: number, b: number, rel: number): void {
    if (a === b) return;
    this.src.push(a);
    this.dst.push(b);
    this.rel.push(rel);
  }
}
