/**
 * A checker turns a history into a verdict (Jepsen's Checker protocol, Porcupine's tri-state
 * result). `false` outranks `'unknown'`, which outranks `true`, when verdicts are merged.
 */
import type { Op } from './op.js';

export type Validity = true | false | 'unknown';

export interface CheckResult {
  valid: Validity;
  /** One or two sentences a person can read: what was checked and what was found. */
  summary: string;
  /**
   * Evidence of each violation found, most telling first (empty or absent when none): the
   * operations involved, in the smallest window the checker could name.
   */
  anomalies?: Anomaly[];
  /** Checker-specific figures (operations checked, keys, states explored, time taken). */
  stats?: Record<string, number | string>;
  /** Results of sub-checks, e.g. one per key. */
  details?: Record<string, unknown>;
}

export interface Anomaly {
  /** A short name: `nonlinearizable`, `G1c`, `lost-update`, ... */
  kind: string;
  /** One line: what went wrong, for terminals, JUnit messages and lists. */
  summary: string;
  key?: string;
  /** The operations of the failing window, invocation and completion indices included. */
  ops: Op[];
  /** Why no valid order exists, as Elle words it: "Let A = ... Then ...". */
  explanation: string;
  /** For a dependency cycle (Elle-style checkers): its edges in order, each explained. */
  cycle?: AnomalyEdge[];
}

/** One edge of a dependency cycle between two operations (transactions). */
export interface AnomalyEdge {
  /** History index of the earlier operation's completion. */
  from: number;
  /** History index of the later operation's completion. */
  to: number;
  /** `ww`, `wr`, `rw`, `realtime`, `process`, ... */
  relation: string;
  /** The edge in words: "T2 read x without 3, which T1 appended, so T2 < T1". */
  why: string;
}

export interface CheckOptions {
  /** Give up with `unknown` after this many milliseconds. */
  timeoutMs?: number;
  /** Abort signal from the harness (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Memory the checker may use, in bytes (`--max-memory`); a check that would need more gives
   * up with `unknown` and says so. Default: the checker's own (a share of the machine's memory).
   */
  maxMemoryBytes?: number;
}

export interface Checker {
  readonly name: string;
  /**
   * `safety` (the default): a violation found in part of a history is a violation, so `false`
   * stands even for an interrupted run. `coverage`: a check of what the run exercised rather
   * than of what the system did (stats: some function never succeeded); its `false` needs the
   * whole run, so on a partial history (an interrupted run, a harness that died) it counts as
   * `unknown`.
   */
  readonly kind?: 'safety' | 'coverage';
  check(history: readonly Op[], opts: CheckOptions): Promise<CheckResult>;
}
