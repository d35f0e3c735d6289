/**
 * What a search can be asked to do and what it reports, apart from how it does it: the
 * switches for each reduction (so tests and benchmarks can turn them off one by one), the
 * variants local refutation needs, and the deepest point a failed search reached.
 */
import type { ResetConstraints } from './reset-constraints.js';

/** Where a search stands: still running, done either way, or out of memory. */
export type SearchStatus = 'running' | 'linearizable' | 'illegal' | 'memory';

/** Switches for the reductions (all on by default) and the memory bound. */
export interface SearchOptions {
  readForcing?: boolean;
  keyFocus?: boolean;
  /** Order candidates: earliest completion first, and those that allow the frontier first. */
  frontierFirst?: boolean;
  /**
   * With `frontierFirst`: rank completed candidates by the earliest pending read they would
   * allow instead (order.ts); the checker runs both orders side by side.
   */
  urgency?: boolean;
  /** Skip unknown-outcome ops whose resulting configuration is dominated (default true). */
  infoDominance?: boolean;
  /**
   * Keyed models, several keys in one search: when a subtree fails because of one key, skip
   * the other keys' alternatives in between (conflict-directed backjumping; default true).
   */
  backjump?: boolean;
  /**
   * Drop candidates after which the frontier read can no longer see its value, when nothing
   * pending could reset the state toward it (default true; needs `Space.resets`).
   */
  lookahead?: boolean;
  /** Drop orders that used up every possible reset of an operation before it (reset-constraints.ts). */
  constraints?: ResetConstraints;
  /** Succeed as soon as this op is linearized, instead of when every op is (local refutation). */
  target?: number;
  /** Start in this state instead of the model's initial state. */
  init?: number;
  /**
   * Ops (1 = yes) that may also be dropped when they are due, as if they had taken effect
   * before the history began (local refutation windows).
   */
  skippable?: Uint8Array;
  /** Give up with status `memory` when the search's tables and state space hold more bytes than this. */
  maxBytes?: number;
}

/** The deepest point a failed search reached, for the explanation. */
export interface Deepest {
  /** The operation that could not be linearized: the first to complete among those pending. */
  blocked: number;
  /** Operations linearized at that point (the longest linearizable prefix). */
  prefix: number;
  /** States in which the blocked operation would have had to take effect. */
  states: number[];
  /** For each state, the last state-changing operation linearized before it (-1: none). */
  lastWriters: number[];
  /** A pending read the lookahead kept alive there: linearizing the blocked op would rule it out. */
  watched?: number;
}
