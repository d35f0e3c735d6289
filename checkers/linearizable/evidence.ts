/**
 * Why a key is not linearizable, as plain data: what a search, a window refutation or a value
 * argument found, by operation ids and state descriptions. A worker thread sends it back as is;
 * explain.ts turns it into words next to the history's own records.
 */
import type { Refutation } from './refute.js';
import type { ValueRefutation } from './values.js';

/** The deepest point of a search that failed (search.ts's `Deepest`, states in words). */
export interface SearchFailure {
  kind: 'search';
  /** The operation that could not be linearized. */
  blocked: number;
  /** Operations linearized at that point (the longest linearizable prefix). */
  prefix: number;
  /** The states the blocked operation would have had to take effect in, described. */
  states: string[];
  /** For each state, the last state-changing operation linearized before it (-1: none). */
  lastWriters: number[];
  /** A pending read that the blocked operation would have ruled out (the lookahead's). */
  watched?: number;
}

export type Evidence = SearchFailure | Refutation | ValueRefutation;
