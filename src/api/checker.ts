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
  /** The smallest evidence of a violation, when there is one: the operations involved. */
  anomaly?: Anomaly;
  /** Checker-specific figures (operations checked, keys, states explored, time taken). */
  stats?: Record<string, number | string>;
  /** Results of sub-checks, e.g. one per key. */
  details?: Record<string, unknown>;
}

export interface Anomaly {
  /** A short name: `nonlinearizable`, `lost-update`, ... */
  kind: string;
  key?: string;
  /** The operations of the failing window, invocation and completion indices included. */
  ops: Op[];
  /** Why no valid order exists, as Elle words it: "Let A = ... Then ...". */
  explanation: string;
}

export interface CheckOptions {
  /** Give up with `unknown` after this many milliseconds. */
  timeoutMs?: number;
  /** Abort signal from the harness (Ctrl-C). */
  signal?: AbortSignal;
}

export interface Checker {
  readonly name: string;
  check(history: readonly Op[], opts: CheckOptions): Promise<CheckResult>;
}
