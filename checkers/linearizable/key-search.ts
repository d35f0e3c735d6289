/**
 * Deciding one key (or, without decomposition, the whole history): the searches of search.ts,
 * in candidate orders side by side, and local refutation (refute.ts) when they run long, in
 * slices that the caller interleaves with other keys, deadlines and signals.
 *
 * Why a class of its own: the same decision runs on the main thread (small keys, interleaved)
 * and in a worker thread (hard keys, in parallel); both drive it in slices and read back a
 * status, the bytes it holds and, when it fails, evidence as plain data.
 */
import { formatBytes } from './budget.js';
import { keyOf, type Compiled } from './compile.js';
import type { Evidence } from './evidence.js';
import type { CheckerModel } from './models.js';
import type { SearchOptions } from './options.js';
import { impossibleOp, refuteLocally, sweepRefute } from './refute.js';
import { resetConstraints, type ResetConstraints } from './reset-constraints.js';
import { WglSearch } from './search.js';
import { SegmentedSearch } from './segments.js';

/** Checker-level switches (all on by default). */
export interface CheckerSwitches {
  /** Try to prove a stuck search's blocking op impossible from a short window. */
  localRefutation?: boolean;
  /** Run a second search with the urgency order beside the first. */
  portfolio?: boolean;
  /** Refute by reasoning about values before searching (values.ts). */
  valueRefutation?: boolean;
  /** Give the search the problem's reset constraints (reset-constraints.ts). */
  resetConstraints?: boolean;
  /** Ops per window of a long history's windowed search (segments.ts); 0: always search whole. */
  segmentOps?: number;
}

/** Which candidate orders a key search runs (interleaved when both). */
export type Order = 'frontier' | 'urgency';

/** Options of one key search. */
export type KeySearchOptions = SearchOptions &
  CheckerSwitches & {
    /** Bytes the searches and the state space may hold before the verdict is `unknown`. */
    maxBytes: number;
    /** The orders to run; default both, when the portfolio is on. */
    orders?: readonly Order[];
  };

export type KeyStatus = 'running' | 'linearizable' | 'illegal' | 'memory';

/** Steps of each search between looks at the others. */
const SLICE = 4096;
/** Global search steps before the first local refutation attempt (then 4x, 16x, ...). */
const REFUTE_AFTER = 1 << 15;
/** Least steps a local refutation attempt may spend (otherwise a quarter of the search's). */
const REFUTE_MIN_BUDGET = 8_192;

/** The decision of one problem, resumable slice by slice. */
export class KeySearch {
  private readonly searches: WglSearch<unknown>[] = [];
  private readonly orders: readonly Order[];
  private status: KeyStatus = 'running';
  private found: Evidence | undefined;
  private nextRefute = REFUTE_AFTER;
  private sweepFrom = 0;
  /** Reset constraints once built (null: none apply). */
  private built: ResetConstraints | null | undefined;
  /** Figures of searches given up (their memory is released). */
  private readonly dropped = { steps: 0, explored: 0 };
  /** The windowed search of a long history, while it runs (segments.ts). */
  private segmented: SegmentedSearch | undefined;
  /** Local refutations that succeeded (0 or 1). */
  refuted = 0;
  /** Windows the windowed search decided (0: the history was searched whole). */
  windows = 0;
  /** Why the status is `memory`. */
  reason: string | undefined;
  /** Bytes the searches and the state space may hold (the caller may move it between slices). */
  maxBytes: number;

  constructor(
    readonly p: Compiled<unknown>,
    private readonly model: CheckerModel<unknown>,
    private readonly opts: KeySearchOptions,
  ) {
    this.maxBytes = opts.maxBytes;
    const portfolio = opts.portfolio !== false && opts.frontierFirst !== false;
    this.orders = opts.orders ?? (portfolio ? ['frontier', 'urgency'] : ['frontier']);
    this.segmented = SegmentedSearch.for(p, opts);
    if (!this.segmented) this.searchWhole();
  }

  /** Start the search of the whole problem. */
  private searchWhole(): void {
    this.searches.push(this.start(this.orders[0]!));
    if (this.searches[0]!.result !== 'running') this.settle(this.searches[0]!);
  }

  /**
   * Run the windowed search for about `steps` steps. When it has a whole order, the problem is
   * linearizable; when it gives up, the whole problem is searched instead (its steps count).
   */
  private runWindows(seg: SegmentedSearch, steps: number): void {
    const st = seg.run(steps);
    this.windows = seg.windows;
    if (st === 'running') return;
    this.dropped.steps += seg.steps;
    this.dropped.explored += seg.explored;
    this.segmented = undefined;
    if (st === 'linearizable') this.status = 'linearizable';
    else this.searchWhole();
  }

  /** Search steps taken so far, over every search. */
  get steps(): number {
    return this.searches.reduce((n, s) => n + s.steps, this.dropped.steps + (this.segmented?.steps ?? 0));
  }

  /** Configurations visited, over every search. */
  get explored(): number {
    return this.searches.reduce((n, s) => n + s.explored, this.dropped.explored + (this.segmented?.explored ?? 0));
  }

  /** Bytes held by the searches and the shared state space. */
  get bytes(): number {
    return this.searches.reduce((n, s) => n + s.bytes, this.segmented?.bytes ?? 0) + this.p.space.bytes;
  }

  get result(): KeyStatus {
    return this.status;
  }

  /** Why the problem is not linearizable, once the status is `illegal`. */
  get evidence(): Evidence | undefined {
    return this.found;
  }

  /** Run about `steps` more search steps (at least one slice); returns the status. */
  run(steps: number): KeyStatus {
    const end = this.steps + steps;
    while (this.segmented && this.status === 'running') {
      this.runWindows(this.segmented, Math.max(SLICE, end - this.steps));
      if (this.bytes > this.maxBytes) return this.giveUp(`its search tables passed ${formatBytes(this.maxBytes)}, its share of the memory budget`);
      if (this.steps >= end) return this.status;
    }
    while (this.status === 'running') {
      for (const s of this.searches) {
        if (s.run(SLICE) !== 'running') return this.settle(s);
      }
      // A slice ended undecided: only now are the reset constraints worth building (on the
      // small histories that are decided in one slice, building them cost more than the search).
      this.constrain();
      // The second order joins once the first has taken a slice without deciding.
      if (this.searches.length < this.orders.length) this.searches.push(this.start(this.orders[this.searches.length]!));
      if (this.bytes > this.maxBytes) return this.giveUp(`its search tables passed ${formatBytes(this.maxBytes)}, its share of the memory budget`);
      if (this.steps >= this.nextRefute && this.opts.localRefutation !== false && this.orders[0] === 'frontier') this.tryRefute();
      if (this.steps >= end) break;
    }
    return this.status;
  }

  /** Stop with `memory`, for `reason`. */
  giveUp(reason: string): 'memory' {
    this.reason = reason;
    this.dropped.steps = this.steps;
    this.dropped.explored = this.explored;
    this.searches.length = 0;
    this.segmented = undefined;
    return (this.status = 'memory');
  }

  /** A search in `order`, with the reset constraints when they are built already. */
  private start(order: Order): WglSearch<unknown> {
    return new WglSearch(this.p, { ...this.opts, urgency: order === 'urgency', maxBytes: Number.POSITIVE_INFINITY, constraints: this.built ?? undefined });
  }

  /**
   * Build the problem's reset constraints (once; none when off), and start the first order
   * over with them: from here on the search is the one it would have been with constraints
   * from the start (same pruning, same deepest point for the explanation), at the price of one
   * slice redone. Both orders share the constraints, read-only.
   */
  private constrain(): void {
    if (this.built !== undefined) return;
    const values = this.opts.constraints !== undefined || this.opts.resetConstraints === false ? undefined : this.model.values;
    this.built = (values ? resetConstraints(this.p, values) : this.opts.constraints) ?? null;
    if (!this.built) return;
    const probe = this.searches[0]!;
    this.dropped.steps += probe.steps;
    this.dropped.explored += probe.explored;
    this.searches[0] = this.start(this.orders[0]!);
  }

  /** Whether the reset constraints were built (a search slice ended undecided) and apply. */
  get constrained(): boolean {
    return this.built !== undefined && this.built !== null;
  }

  /** The global search is taking long: try to prove the op it is stuck on impossible. */
  private tryRefute(): void {
    const steps = this.steps;
    this.nextRefute *= 4;
    const impossible = impossibleOp(this.p);
    const budget = Math.max(REFUTE_MIN_BUDGET, steps >>> 2);
    let r = refuteLocally(this.p, this.model, impossible >= 0 ? impossible : this.searches[0]!.deepest.blocked, budget);
    if (!r && this.sweepFrom >= 0 && steps >= 4 * REFUTE_AFTER) {
      // Still stuck: look for a short refutable window anywhere past the deepest point.
      if (this.sweepFrom === 0) this.sweepFrom = this.searches[0]!.deepest.blocked;
      const sweep = sweepRefute(this.p, this.model, this.sweepFrom, budget);
      r = sweep.refutation;
      this.sweepFrom = sweep.resume;
    }
    if (r) {
      this.refuted = 1;
      this.found = r;
      this.status = 'illegal';
    }
  }

  private settle(s: WglSearch<unknown>): KeyStatus {
    const st = s.result;
    if (st === 'illegal') {
      const deep = s.deepest;
      const key = this.model.keyed ? keyOf(this.p, deep.blocked) : undefined;
      this.found = { kind: 'search', blocked: deep.blocked, prefix: deep.prefix, states: deep.states.map((x) => this.p.space.describe(x, key)), lastWriters: deep.lastWriters };
      if (deep.watched !== undefined) this.found.watched = deep.watched;
    }
    if (st === 'memory') return this.giveUp(`its search tables passed ${formatBytes(this.maxBytes)}, its share of the memory budget`);
    return (this.status = st);
  }
}
