/**
 * Two prunings of the search that look ahead, kept apart from its loop: reset constraints
 * (reset-constraints.ts), counted as operations are linearized and unlinearized, and the
 * lookahead on pending reads that must still see their values.
 *
 * Why both are sound: each drops only orders that can no longer be completed. A reset
 * constraint says some candidate reset must come after an operation; once every candidate is
 * linearized and the operation is not, it never will. A pending read must see its value when it
 * takes effect; once nothing left can reset the state toward that value, only states still on
 * the way to it can get there (`Space.toward`; for a register, the value itself).
 */
import type { Compiled } from './compile.js';
import type { ResetConstraints } from './reset-constraints.js';

/** Completions past the frontier the lookahead goes to find a pending read. */
const LOOKAHEAD_HOPS = 8;

/** What the lookahead reads of the search: its event lists, current state and candidates. */
export interface SearchView {
  readonly next: Int32Array;
  readonly HEAD: number;
  readonly rnext: Int32Array;
  readonly RHEAD: number;
  readonly lin: Int32Array;
}

/** Linearized-set membership of op `i` in the bitset `lin`. */
function has(lin: Int32Array, i: number): boolean {
  return ((lin[i >>> 5]! >>> (i & 31)) & 1) === 1;
}

/** The counts and scratch space of both prunings, for one search. */
export class Pruner {
  /** How many of each constraint's candidate resets are not linearized yet. */
  private readonly left: Int32Array;
  private readonly readLeft: Int32Array;
  /** The last lift used up every possible reset of an operation not linearized yet. */
  private exhausted = false;
  /** Scratch: pending reads (of the node's key) that must stay reachable. */
  private readonly locked = new Int32Array(16);
  private nlocked = 0;
  /** A pending read the last `dropDeadEnds` dropped a candidate for (-1: none), for explanations. */
  blamed = -1;

  constructor(
    private readonly p: Compiled<unknown>,
    /** Undefined: no constraints, only the lookahead (when `lookahead`). */
    private readonly rc: ResetConstraints | undefined,
    readonly lookahead: boolean,
    /**
     * The reads the search must satisfy: all of them, or, in a local refutation's window, those
     * that must take effect before its target (and may not have taken effect before the window).
     */
    private readonly mustSee: (g: number) => boolean = () => true,
  ) {
    this.left = rc ? rc.size.slice() : new Int32Array(0);
    this.readLeft = rc ? rc.readSize.slice() : new Int32Array(0);
  }

  /** Op `y` is being linearized (`lin` does not have it yet). */
  lifted(y: number, lin: Int32Array): void {
    const rc = this.rc;
    if (!rc) return;
    this.exhausted = false;
    for (let j = rc.start[y]!; j < rc.start[y + 1]!; j++) {
      const k = rc.of[j]!;
      if (--this.left[k]! === 0 && !has(lin, rc.witness[k]!)) this.exhausted = true;
    }
    for (let j = rc.readStart[y]!; j < rc.readStart[y + 1]!; j++) this.readLeft[rc.readBy[j]!]!--;
  }

  /** Op `y` is being unlinearized. */
  unlifted(y: number): void {
    const rc = this.rc;
    if (!rc) return;
    for (let j = rc.start[y]!; j < rc.start[y + 1]!; j++) this.left[rc.of[j]!]!++;
    for (let j = rc.readStart[y]!; j < rc.readStart[y + 1]!; j++) this.readLeft[rc.readBy[j]!]!++;
  }

  /**
   * Right after `lifted(y)`: `y` used up the last possible reset of an operation still to
   * come, or went before a reset it must follow.
   */
  doomed(y: number, lin: Int32Array): boolean {
    const rc = this.rc;
    if (!rc) return false;
    if (this.exhausted) return true;
    for (let j = rc.afterStart[y]!; j < rc.afterStart[y + 1]!; j++) if (!has(lin, rc.after[j]!)) return true;
    return false;
  }

  /** A new node: forget the pending reads of the last one. */
  beginNode(): void {
    this.nlocked = 0;
    this.blamed = -1;
  }

  /** Pending read `g` is among the node's candidates (its key's). */
  pendingRead(g: number): void {
    if (!this.rc || this.nlocked === this.locked.length) return;
    const k = this.rc.readOf[g]!;
    if (k >= 0 && this.readLeft[k] === 0) this.locked[this.nlocked++] = g;
  }

  /**
   * Drop from `cands[cs..top)` the candidates after which a pending read of frontier `f`'s key
   * could no longer see its value, in state `s`: the pending reads with no reset left, and the
   * first read to complete at or just after `f` when nothing invoked before it completes could
   * reset toward it. (Same key only: a node that fails here fails on its own key, as
   * backjumping assumes.) Returns the new end.
   */
  dropDeadEnds(v: SearchView, cands: Int32Array, cs: number, top: number, f: number, s: number): number {
    const { cls, readOnly, group, space } = this.p;
    let g = f;
    for (let hops = 0; g !== v.RHEAD && readOnly[cls[g]!] !== 1 && hops < LOOKAHEAD_HOPS; hops++) g = v.rnext[g]!;
    const first = g !== v.RHEAD && readOnly[cls[g]!] === 1 && group[g] === group[f] && this.mustSee(g);
    if (first && this.nlocked < this.locked.length && !this.isLocked(g) && this.noResetBefore(v, g)) {
      this.locked[this.nlocked++] = g;
    }
    if (this.nlocked === 0) return top;
    const locked = this.locked;
    let w = cs;
    next: for (let i = cs; i < top; i++) {
      const y = cands[i]!;
      const t = space.next(cls[y]!, s);
      if (t >= 0) {
        for (let k = 0; k < this.nlocked; k++) {
          const r = locked[k]!;
          if (r !== y && !(space.toward ? space.toward(t, cls[r]!) : space.next(cls[r]!, t) >= 0)) {
            if (this.blamed < 0) this.blamed = r;
            continue next;
          }
        }
      }
      cands[w++] = y;
    }
    return w;
  }

  private isLocked(g: number): boolean {
    for (let k = 0; k < this.nlocked; k++) if (this.locked[k] === g) return true;
    return false;
  }

  /** No pending operation invoked before read `g` completes could reset toward its value. */
  private noResetBefore(v: SearchView, g: number): boolean {
    const { cls, space } = this.p;
    const cg = cls[g]!;
    const end = 2 * g + 1;
    for (let e = v.next[v.HEAD]!; e !== end && e !== v.HEAD; e = v.next[e]!) {
      if ((e & 1) === 0 && space.resets!(cls[e >> 1]!, cg)) return false;
    }
    return true;
  }
}
