/**
 * The linearizability search: Wing & Gong's depth-first search over linearization orders with
 * Lowe's just-in-time rule, memoised on (linearized set, state) as Porcupine does, plus sound
 * reductions that shrink the space without checking less. Each keeps, at every node, the
 * first step of some shortest valid completion whenever one exists:
 *
 * 1. Read forcing: an operation the model says is read-only, and that is legal and changes
 *    nothing in the current state, is linearized at once with no alternatives. Any order that
 *    places it later can place it now: real time allows it (it is invoked, and everything that
 *    completed before its invocation is linearized). Unknown-outcome reads are never needed.
 * 2. Symmetry: among pending candidates with the same step function, only the one that
 *    completes first is tried. Swapping two such operations in any valid order keeps it valid.
 * 3. Key focus (keyed models only): until the frontier operation (the pending one that
 *    completes first) is linearized, only operations on its key are tried. Operations on other
 *    keys commute with it and can always be moved after it.
 * 4. Unknown-outcome dominance: such an op is optional, so spending it is pointless when it
 *    leaves the state unchanged, or when the state it leads to was already reached, and failed,
 *    with the same linearized set without it (having more ops in hand can only help).
 * 5. Backjumping (several keys in one search): a subtree that failed on one key fails at every
 *    node of other keys between, whose alternatives cannot help; the memo remembers the key.
 * 6. Lookahead and reset constraints (prune.ts): orders after which a pending read can no
 *    longer see its value, or an operation can no longer be followed by a reset it needs.
 *
 * The memo holds exact keys (memo.ts, linearized.ts), so a hash collision never prunes a
 * branch. Candidate order (order.ts) decides only how soon a valid order is found.
 *
 * Why a class with `run(maxSteps)`: the search is synchronous and CPU-bound; the caller runs it
 * in slices to watch the clock and abort signals, and reads the deepest point reached for the
 * explanation when it fails. All hot data lives in typed arrays, nothing is allocated per step.
 */
import { INF, type Compiled } from './compile.js';
import { DeepestPoint } from './deepest.js';
import { buildLayout } from './layout.js';
import { LinearizedSet } from './linearized.js';
import { Memo } from './memo.js';
import type { Deepest, SearchOptions, SearchStatus } from './options.js';
import { Pruner, type SearchView } from './prune.js';
import { keepFirstOfEachClass, orderByFrontier, orderByUrgency } from './order.js';

export type { Deepest, SearchOptions, SearchStatus } from './options.js';

/** A resumable WGL search over one compiled problem. */
export class WglSearch<S> {
  /** Loop iterations so far. */
  steps = 0;
  readonly memo: Memo;
  private status: SearchStatus = 'running';
  private readonly p: Compiled<S>;
  private readonly readForcing: boolean;
  private readonly keyFocus: boolean;
  private readonly frontierFirst: boolean;
  private readonly urgency: boolean;
  private readonly infoDominance: boolean;
  private readonly target: number;
  private readonly skippable: Uint8Array | undefined;
  private readonly maxBytes: number;
  /** Bytes of the fixed arrays (layout, stack, scratch), counted once. */
  private readonly fixedBytes: number;
  // Event list: entry 2i is op i's invocation, 2i+1 its completion; HEAD is the sentinel.
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly HEAD: number;
  // Finite operations in completion order; RHEAD is the sentinel.
  private readonly rnext: Int32Array;
  private readonly rprev: Int32Array;
  private readonly RHEAD: number;
  private readonly rank: Int32Array;
  /** The linearized set and its memo keys. */
  private readonly set: LinearizedSet;
  private readonly lin: Int32Array;
  private remaining: number;
  // The DFS stack: op lifted to make each node, the state before it, candidate cursor.
  private d = 0;
  private s: number;
  private readonly lvOp: Int32Array;
  private readonly lvPrev: Int32Array;
  private readonly lvCs: Int32Array;
  private readonly lvCe: Int32Array;
  private readonly lvCur: Int32Array;
  // Per node, for backjumping: its memo record, the key group it branches on, 1 when its only
  // candidate is a forced read (it does not branch).
  private readonly lvMemo: Int32Array;
  private readonly lvGroup: Int32Array;
  private readonly lvForced: Uint8Array;
  private readonly backjump: boolean;
  /** Reset constraints and the lookahead (prune.ts); undefined when neither applies. */
  private readonly pruner: Pruner | undefined;
  /** The event lists and linearized set, as the pruner reads them. */
  private readonly view: SearchView;
  private cands: Int32Array;
  private ctop = 0;
  private readonly best: Int32Array;
  /** Scratch: pending reads not allowed now, and per-op urgency, for candidate ordering. */
  private readonly pend = new Int32Array(64);
  private readonly urg: Int32Array;
  private readonly stamp: Int32Array;
  private gen = 0;
  private readonly deep: DeepestPoint;

  constructor(p: Compiled<S>, opts: SearchOptions = {}) {
    this.p = p;
    this.readForcing = opts.readForcing ?? true;
    this.keyFocus = opts.keyFocus ?? true;
    this.frontierFirst = opts.frontierFirst ?? true;
    this.urgency = opts.urgency ?? false;
    this.infoDominance = opts.infoDominance ?? true;
    this.target = opts.target ?? -1;
    this.skippable = opts.skippable;
    this.maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    const n = p.n;
    this.memo = new Memo(Math.min(1 << 12, 4 * n));
    const l = buildLayout(p);
    this.HEAD = l.HEAD;
    this.next = l.next;
    this.prev = l.prev;
    this.RHEAD = l.RHEAD;
    this.rnext = l.rnext;
    this.rprev = l.rprev;
    this.rank = l.rank;
    this.remaining = l.finite;
    this.set = new LinearizedSet(l, p.space.classes, p.cls);
    this.lin = this.set.bits;
    this.lvOp = new Int32Array(n + 1);
    this.lvPrev = new Int32Array(n + 1);
    this.lvCs = new Int32Array(n + 1);
    this.lvCe = new Int32Array(n + 1);
    this.lvCur = new Int32Array(n + 1);
    this.lvMemo = new Int32Array(n + 1);
    this.lvGroup = new Int32Array(n + 1);
    this.lvForced = new Uint8Array(n + 1);
    let groups = 0;
    for (let i = 0; i < n; i++) groups = Math.max(groups, p.group[i]! + 1);
    // Backjumping needs key focus (each node branches on one key) and more than one key.
    this.backjump = (opts.backjump ?? true) && this.keyFocus && groups > 1 && this.target < 0 && !opts.skippable;
    // A local refutation's window ends at its target and may skip ops running when it opens:
    // it must satisfy only the reads that come before the target and cannot be skipped.
    const whole = this.target < 0 && !opts.skippable;
    const target = this.target;
    const skip = opts.skippable;
    const mustSee = whole ? undefined : (g: number): boolean => (target < 0 || g === target || p.ret[g]! < p.call[target]!) && skip?.[g] !== 1;
    const lookahead = (opts.lookahead ?? true) && p.space.resets !== undefined;
    const rc = whole ? opts.constraints : undefined;
    this.pruner = lookahead || rc ? new Pruner(p as Compiled<unknown>, rc, lookahead, mustSee) : undefined;
    this.view = { next: this.next, HEAD: this.HEAD, rnext: this.rnext, RHEAD: this.RHEAD, lin: this.lin };
    this.cands = new Int32Array(Math.max(64, 4 * n));
    this.best = new Int32Array(p.space.classes);
    this.urg = new Int32Array(n);
    this.stamp = new Int32Array(p.space.classes);
    this.s = opts.init ?? p.init;
    // Each op costs about 30 words in the layout, the stack and the scratch arrays.
    this.fixedBytes = 120 * n + 8 * p.space.classes;
    this.lvOp[0] = -1;
    this.deep = new DeepestPoint(p as Compiled<unknown>, this.lvOp);
    if (this.remaining === 0) this.status = 'linearizable';
    else this.enterNode();
  }

  /** The result so far. */
  get result(): SearchStatus {
    return this.status;
  }

  /** Configurations visited (distinct (linearized set, state) pairs). */
  get explored(): number {
    return this.memo.size;
  }

  /** The deepest point reached: meaningful once the search returned `illegal`. */
  get deepest(): Deepest {
    return this.deep.value;
  }

  /** Bytes held: the memo table, the candidate stack and the fixed arrays (not the state space). */
  get bytes(): number {
    return this.memo.bytes + this.cands.length * 4 + this.fixedBytes;
  }

  /** After `linearizable`: one valid order, as op ids (unknown-outcome ops left out or in). */
  witness(): number[] {
    return Array.from(this.lvOp.subarray(1, this.d + 1));
  }

  /** Run at most `maxSteps` more steps; returns the status (`running` when paused). */
  run(maxSteps: number): SearchStatus {
    if (this.status !== 'running') return this.status;
    const { cls } = this.p;
    const space = this.p.space;
    const lvCur = this.lvCur;
    const lvCe = this.lvCe;
    const end = this.steps + maxSteps;
    let steps = this.steps;
    while (steps < end) {
      steps++;
      if ((steps & 0xfff) === 0 && this.bytes + this.p.space.bytes > this.maxBytes) {
        this.steps = steps;
        return (this.status = 'memory');
      }
      const d = this.d;
      const cur = lvCur[d]!;
      if (cur < lvCe[d]!) {
        lvCur[d] = cur + 1;
        const raw = this.cands[cur]!;
        // A negative entry ~f is the move "op f took effect before the window" (refutation).
        const y = raw < 0 ? ~raw : raw;
        const t = raw < 0 ? this.s : space.next(cls[y]!, this.s);
        if (t < 0) continue;
        if (this.p.ret[y] === INF && this.infoDominance) {
          // Spending an unknown-outcome op is pointless when it leaves the state as it is, or
          // when its state was already reached, and failed, without spending it.
          if (t === this.s) continue;
          const set = this.set;
          const k = set.keyFor(t, this.rnext[this.RHEAD]!);
          const seen = this.memo.find(set.h1, set.h2, set.key, k);
          if (seen >= 0) {
            if (this.backjump && !this.absorbs(d, this.memo.tag(seen)) && this.fail(this.memo.tag(seen))) return this.stop(steps, 'illegal');
            continue;
          }
        }
        this.lift(y);
        if (this.remaining === 0 || (y === this.target && raw >= 0)) {
          this.push(y, t, -1);
          return this.stop(steps, 'linearizable');
        }
        if (this.pruner?.doomed(y, this.lin)) {
          // Dead: remember it as failed (on this key), so that other ways to it stop at once.
          const dead = this.remember(t);
          if (dead >= 0) this.memo.setTag(dead, this.p.group[y]!);
          this.unlift(y);
          continue;
        }
        const rec = this.remember(t);
        if (rec < 0) {
          this.unlift(y);
          if (this.backjump && !this.absorbs(d, this.memo.tag(~rec)) && this.fail(this.memo.tag(~rec))) return this.stop(steps, 'illegal');
          continue;
        }
        this.push(y, t, rec);
        this.enterNode();
      } else if (this.fail(this.lvGroup[d]!)) return this.stop(steps, 'illegal');
    }
    this.steps = steps;
    return this.status;
  }

  private stop(steps: number, status: SearchStatus): SearchStatus {
    this.steps = steps;
    return (this.status = status);
  }

  private push(y: number, t: number, record: number): void {
    const d = ++this.d;
    this.lvOp[d] = y;
    this.lvPrev[d] = this.s;
    this.lvMemo[d] = record;
    this.s = t;
  }

  /**
   * Whether node `d` takes a child's failure on key `culprit` as one of its own alternatives
   * failing (and goes on with the next), rather than failing itself at once.
   */
  private absorbs(d: number, culprit: number): boolean {
    return this.lvForced[d] === 0 && culprit === this.lvGroup[d];
  }

  /**
   * The node on top has failed, on key `culprit`: backtrack, and with backjumping keep
   * backtracking while the nodes below branch on other keys (their other alternatives cannot
   * help: keys are independent). Returns true when the root itself failed.
   */
  private fail(culprit: number): boolean {
    for (;;) {
      const d = this.d;
      if (d === 0) return true;
      if (this.backjump) this.memo.setTag(this.lvMemo[d]!, culprit);
      this.ctop = this.lvCs[d]!;
      this.s = this.lvPrev[d]!;
      this.unlift(this.lvOp[d]!);
      this.d = d - 1;
      if (!this.backjump || this.absorbs(d - 1, culprit)) return false;
    }
  }

  private lift(y: number): void {
    const next = this.next;
    const prev = this.prev;
    this.pruner?.lifted(y, this.lin);
    let e = 2 * y;
    next[prev[e]!] = next[e]!;
    prev[next[e]!] = prev[e]!;
    const unknown = this.p.ret[y] === INF;
    this.set.add(y, unknown);
    if (!unknown) {
      e++;
      next[prev[e]!] = next[e]!;
      prev[next[e]!] = prev[e]!;
      this.rnext[this.rprev[y]!] = this.rnext[y]!;
      this.rprev[this.rnext[y]!] = this.rprev[y]!;
      this.remaining--;
    }
  }

  private unlift(y: number): void {
    const next = this.next;
    const prev = this.prev;
    this.pruner?.unlifted(y);
    const unknown = this.p.ret[y] === INF;
    if (!unknown) {
      this.rnext[this.rprev[y]!] = y;
      this.rprev[this.rnext[y]!] = y;
      const e = 2 * y + 1;
      next[prev[e]!] = e;
      prev[next[e]!] = e;
      this.remaining++;
    }
    const e = 2 * y;
    next[prev[e]!] = e;
    prev[next[e]!] = e;
    this.set.remove(y, unknown);
  }

  /** Record the current linearized set with state `t`: its memo record, or `~record` when seen before. */
  private remember(t: number): number {
    const set = this.set;
    const k = set.keyFor(t, this.rnext[this.RHEAD]!);
    return this.memo.add(set.h1, set.h2, set.key, k);
  }

  /** Build the candidate list of the node on top of the stack. */
  private enterNode(): void {
    const { cls, readOnly, group, ret } = this.p;
    const f = this.rnext[this.RHEAD]!;
    const r = this.rank[f]!;
    if (r >= this.deep.rank) this.deep.note(f, r, this.d, this.s);
    const cs = this.ctop;
    if (this.cands.length < cs + this.p.n + 1) {
      const c = new Int32Array(this.cands.length * 2 + this.p.n);
      c.set(this.cands.subarray(0, cs));
      this.cands = c;
    }
    const cands = this.cands;
    let top = cs;
    let npend = 0;
    let forced = false;
    const g = group[f]!;
    const next = this.next;
    this.pruner?.beginNode();
    for (let e = next[this.HEAD]!; e !== this.HEAD && (e & 1) === 0; e = next[e]!) {
      const y = e >> 1;
      if (readOnly[cls[y]!] === 1 && ret[y] === INF) continue; // optional and without effect: never needed
      // (Same key only: a dead end must be this node's key's, for backjumping's culprits.)
      if (readOnly[cls[y]!] === 1 && group[y] === g) this.pruner?.pendingRead(y);
      if (readOnly[cls[y]!] === 1 && this.readForcing) {
        const t = this.p.space.next(cls[y]!, this.s);
        if (t === this.s) {
          top = cs;
          cands[top++] = y;
          forced = true;
          break;
        }
        // Illegal here (and so until the state changes); or, from a stand-in for any state,
        // a read that decides the state: an ordinary candidate.
        if (t < 0) {
          if (npend < this.pend.length) this.pend[npend++] = y;
          continue;
        }
      }
      if (this.keyFocus && group[y] !== g) continue;
      cands[top++] = y;
    }
    if (this.pruner?.lookahead && !forced) {
      top = this.pruner.dropDeadEnds(this.view, cands, cs, top, f, this.s);
      // At the deepest point, say which read the dropped candidates would have ruled out.
      if (this.pruner.blamed >= 0 && r === this.deep.rank && this.deep.value.watched === undefined) this.deep.value.watched = this.pruner.blamed;
    }
    if (top - cs > 1) {
      top = keepFirstOfEachClass(cands, cs, top, cls, ret, this.best, this.stamp, ++this.gen);
      if (!this.frontierFirst) {
        // Invocation order, as found.
      } else if (this.urgency) orderByUrgency(cands, cs, top, this.p, this.s, this.pend, npend, this.urg);
      else orderByFrontier(cands, cs, top, this.p, f, this.s);
    }
    if (this.skippable?.[f] === 1) cands[top++] = ~f;
    this.ctop = top;
    const d = this.d;
    this.lvCs[d] = cs;
    this.lvCur[d] = cs;
    this.lvCe[d] = top;
    this.lvGroup[d] = g;
    this.lvForced[d] = forced ? 1 : 0;
  }
}
