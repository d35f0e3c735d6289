/**
 * The operation: the one record shape of a faultline history (Jepsen's op map, typed).
 * Every client operation appears twice, as an `invoke` and as its completion (`ok`, `fail` or
 * `info`); nemesis operations appear the same way with `process: 'nemesis'`.
 */

/** `invoke` starts an operation; `ok` it happened; `fail` it surely did not; `info` unknown. */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** A client process number, or the nemesis. */
export type ProcessId = number | 'nemesis';

export interface Op {
  /** Position in the history, from 0, in the order events were recorded. */
  index: number;
  /** Nanoseconds since the start of the workload (faultline runs) or of the history, from a monotonic clock. */
  time: number;
  type: OpType;
  process: ProcessId;
  /** The function: `read`, `write`, `cas`, `start-partition`, ... */
  f: string;
  /** The key for keyed workloads (Jepsen's "independent" pattern); absent otherwise. */
  key?: string;
  /** Invocation: the argument. Completion: the result (reads) or the argument echoed. */
  value: unknown;
  /** Why a `fail` or `info` happened, in words. */
  error?: string;
  /** The node a client operation was sent to. */
  node?: string;
}

/** An operation before the history has numbered and timed it. */
export type OpDraft = Omit<Op, 'index' | 'time'>;

/** What a client returns for one invocation; a thrown error becomes `info` instead. */
export interface Completion {
  type: 'ok' | 'fail';
  value: unknown;
  error?: string;
}
