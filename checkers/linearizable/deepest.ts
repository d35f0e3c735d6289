/**
 * The deepest point a search reached: the op it could not get past (the frontier with the
 * highest completion rank), how many ops were linearized there, and the states (up to 16) in
 * which it would have had to take effect, each with the last write before it.
 *
 * Why kept apart from the search: it is the explanation's raw material (explain.ts turns it
 * into words), not part of deciding; the search only reports each node it enters.
 */
import type { Compiled } from './compile.js';
import type { Deepest } from './options.js';

/** Most states remembered at the deepest point. */
const MAX_STATES = 16;

export class DeepestPoint {
  value: Deepest = { blocked: -1, prefix: 0, states: [], lastWriters: [] };
  /** Completion rank of the deepest frontier so far. */
  rank = -1;

  constructor(
    private readonly p: Compiled<unknown>,
    /** The search's stack of linearized ops (entry d: the op lifted at depth d). */
    private readonly stack: Int32Array,
  ) {}

  /** A node at depth `d` with frontier `f` of rank `r` in state `s` (call only when r >= rank). */
  note(f: number, r: number, d: number, s: number): void {
    if (r > this.rank) {
      this.rank = r;
      this.value = { blocked: f, prefix: d, states: [s], lastWriters: [this.lastWriter(f, d)] };
      return;
    }
    const deep = this.value;
    if (deep.states.length < MAX_STATES && !deep.states.includes(s)) {
      deep.states.push(s);
      deep.lastWriters.push(this.lastWriter(f, d));
    }
  }

  /** The last state-changing op on the stack (depth `d` down) with the same key as op `f`. */
  private lastWriter(f: number, d: number): number {
    const { cls, readOnly, group } = this.p;
    for (let i = d; i >= 1; i--) {
      const y = this.stack[i]!;
      if (readOnly[cls[y]!] === 0 && group[y] === group[f]) return y;
    }
    return -1;
  }
}
