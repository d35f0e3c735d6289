/**
 * Long histories decided window by window, so that no search spans the whole history.
 *
 * A cut is an instant of the history. Every operation that completed before it takes effect
 * before it; every operation invoked after it takes effect after it; the few that span it may
 * take effect on either side. So a valid order of the whole history is a valid order of the ops
 * before the cut (those spanning it optional) followed by one of the rest, started in the state
 * the first part ended in, with the spanning ops it left out still pending. Conversely, gluing
 * such orders window after window gives a valid order of the whole: an op of a later window
 * completes after the cut, so never before an op of an earlier window began.
 *
 * The windows are searched one after another, each carrying the previous one's end state and
 * its pending ops. A window whose search fails from the state carried in does not refute the
 * history (another order of an earlier window might have ended elsewhere): the window is merged
 * with the one before and searched again from the state before that, a few times, and then the
 * whole history is searched as before (key-search.ts), which gives the verdict and the
 * explanation exactly as without windows. So a `linearizable` answer here is always backed by
 * a whole valid order, and every other answer comes from the ordinary search.
 *
 * Cuts are chosen where few ops with a completion span them (unknown-outcome ops span every
 * later cut and are always optional), about every `segmentOps` ops.
 */
import { INF, type Compiled, type ProblemData } from './compile.js';
import type { SearchOptions } from './options.js';
import { WglSearch } from './search.js';

/** Default ops per window. */
export const SEGMENT_OPS = 8192;
/** Histories shorter than this many windows are searched whole. */
const MIN_WINDOWS = 4;
/** Merges with earlier windows after a window fails, before the whole history is searched. */
const MAX_MERGES = 3;

/** Where the windowed search stands: `whole` means it gave up and the whole history must be searched. */
export type SegmentStatus = 'running' | 'linearizable' | 'whole';

/** The state and the pending ops at a cut, once the windows before it have an order. */
interface CutConfig {
  state: number;
  /** Ops invoked before the cut and not yet linearized (ascending ids). */
  pending: Int32Array;
}

/**
 * Cut positions for `p`: in each block of `target` ops by invocation (after the first), the
 * invocation before which the fewest ops with a completion are running. Empty when the history
 * is too short for windows to pay.
 */
export function chooseCuts(p: ProblemData, target: number): number[] {
  if (target <= 0 || p.n < MIN_WINDOWS * target) return [];
  const rets = Int32Array.from(Array.from(p.ret).filter((r) => r !== INF)).sort();
  const cuts: number[] = [];
  let done = 0; // ops with a completion before the position
  let unknown = 0; // unknown-outcome ops invoked before the position
  let best = -1;
  let bestOpen = Number.POSITIVE_INFINITY;
  for (let i = 0; i < p.n; i++) {
    const x = p.call[i]!;
    while (done < rets.length && rets[done]! < x) done++;
    const open = i - done - unknown;
    if (i >= target && open < bestOpen) {
      bestOpen = open;
      best = x;
    }
    if (p.ret[i] === INF) unknown++;
    if (i >= target && (i + 1) % target === 0 && best >= 0) {
      cuts.push(best);
      best = -1;
      bestOpen = Number.POSITIVE_INFINITY;
    }
  }
  return cuts;
}

/** The windowed decision of one problem, resumable slice by slice. */
export class SegmentedSearch {
  private status: SegmentStatus = 'running';
  /** Cut positions, then +∞ (the end of the history). */
  private readonly bounds: number[];
  /** Configuration at each cut index reached (index 0: the start of the history). */
  private readonly configs = new Map<number, CutConfig>();
  /** Cut indices with a configuration, in order: where windows may start. */
  private readonly starts: number[] = [0];
  private from = 0;
  private to = 1;
  private merges = 0;
  private search: WglSearch<unknown> | undefined;
  private ids: Int32Array = new Int32Array(0);
  private readonly done = { steps: 0, explored: 0 };
  /** Windows decided so far. */
  windows = 0;

  constructor(
    private readonly p: Compiled<unknown>,
    private readonly opts: SearchOptions,
    cuts: readonly number[],
  ) {
    this.bounds = [-1, ...cuts, INF];
    this.configs.set(0, { state: opts.init ?? p.init, pending: new Int32Array(0) });
  }

  /** A windowed search of `p` when it is long enough, else undefined. */
  static for(p: Compiled<unknown>, opts: SearchOptions & { segmentOps?: number }): SegmentedSearch | undefined {
    if (opts.target !== undefined || opts.skippable !== undefined) return undefined;
    const cuts = chooseCuts(p, opts.segmentOps ?? SEGMENT_OPS);
    return cuts.length > 0 ? new SegmentedSearch(p, opts, cuts) : undefined;
  }

  get result(): SegmentStatus {
    return this.status;
  }

  get steps(): number {
    return this.done.steps + (this.search?.steps ?? 0);
  }

  get explored(): number {
    return this.done.explored + (this.search?.explored ?? 0);
  }

  get bytes(): number {
    return (this.search?.bytes ?? 0) + 4 * this.ids.length;
  }

  /** Run about `maxSteps` more steps; returns the status. */
  run(maxSteps: number): SegmentStatus {
    const end = this.steps + maxSteps;
    while (this.status === 'running' && this.steps < end) {
      const s = (this.search ??= this.open());
      const st = s.run(end - this.steps);
      if (st === 'running') break;
      this.done.steps += s.steps;
      this.done.explored += s.explored;
      this.search = undefined;
      if (st === 'linearizable') this.advance(s);
      else this.merge();
    }
    return this.status;
  }

  /** The search of the window from cut `from` to cut `to`. */
  private open(): WglSearch<unknown> {
    const start = this.configs.get(this.from)!;
    const lo = this.bounds[this.from]!;
    const hi = this.bounds[this.to]!;
    const first = firstCalledAtOrAfter(this.p.call, lo);
    let last = first;
    while (last < this.p.n && this.p.call[last]! < hi) last++;
    const ids = new Int32Array(start.pending.length + (last - first));
    ids.set(start.pending);
    for (let i = first; i < last; i++) ids[start.pending.length + i - first] = i;
    this.ids = ids;
    const window = windowProblem(this.p, ids, hi, start.state);
    return new WglSearch(window, { ...this.opts, urgency: false, constraints: undefined, maxBytes: Number.POSITIVE_INFINITY });
  }

  /** The window has an order: record the configuration at its end cut and move on. */
  private advance(s: WglSearch<unknown>): void {
    this.windows++;
    const hi = this.bounds[this.to]!;
    if (hi === INF) {
      this.status = 'linearizable';
      return;
    }
    const used = new Uint8Array(this.ids.length);
    let state = this.configs.get(this.from)!.state;
    for (const local of s.witness()) {
      used[local] = 1;
      state = this.p.space.next(this.p.cls[this.ids[local]!]!, state);
    }
    const pending: number[] = [];
    for (let j = 0; j < this.ids.length; j++) if (used[j] === 0) pending.push(this.ids[j]!);
    this.configs.set(this.to, { state, pending: Int32Array.from(pending) });
    this.starts.push(this.to);
    this.from = this.to;
    this.to++;
    this.merges = 0;
  }

  /** The window failed from the state carried in: start it one window earlier, or give up. */
  private merge(): void {
    if (this.starts.length < 2 || this.merges >= MAX_MERGES) {
      this.status = 'whole';
      return;
    }
    this.merges++;
    this.configs.delete(this.starts.pop()!);
    this.from = this.starts[this.starts.length - 1]!;
  }
}

/** The first op invoked at or after history position `pos` (ops are in invocation order). */
function firstCalledAtOrAfter(call: Int32Array, pos: number): number {
  let lo = 0;
  let hi = call.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (call[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The problem of one window: ops `ids` of `p` (ascending), those completing at or after `end`
 * made optional, starting in `init`. It shares `p`'s classes and state space, so states carry
 * from window to window as they are.
 */
export function windowProblem(p: Compiled<unknown>, ids: Int32Array, end: number, init: number): Compiled<unknown> {
  const n = ids.length;
  const call = new Int32Array(n);
  const ret = new Int32Array(n);
  const cls = new Int32Array(n);
  const group = new Int32Array(n);
  let finite = 0;
  for (let j = 0; j < n; j++) {
    const i = ids[j]!;
    call[j] = p.call[i]!;
    const r = p.ret[i]!;
    ret[j] = r < end ? r : INF;
    if (r < end) finite++;
    cls[j] = p.cls[i]!;
    group[j] = p.group[i]!;
  }
  const ops = p.ops.length > 0 ? Array.from(ids, (i) => p.ops[i]!) : [];
  return { n, call, ret, cls, readOnly: p.readOnly, group, finite, reps: p.reps, keyNames: p.keyNames, ops, space: p.space, init };
}
