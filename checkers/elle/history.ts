/**
 * A history's transactions, paired and numbered: the vertices of the dependency graph.
 *
 * Why integer ids and parallel typed arrays: the checker handles millions of transactions, so
 * it never makes an object per transaction; id `t` indexes every array here. Transactions that
 * may have happened (`ok`, and `info` whose outcome is unknown) are vertices, numbered in
 * invocation order; those that surely did not (`fail`) are kept apart, for aborted reads.
 * An invocation without a completion is unknown (`info`), as in Jepsen.
 */
import { float64, int32, uint8 } from './arena.js';
import type { Op } from '../../src/api/op.js';
import { TXN_F, type TxnKind } from '../../src/api/txn.js';
import { brief, mopKind, mopProblem } from './txn-format.js';

/** Status of a vertex transaction. */
export const OK = 0;
export const INFO = 1;

/** A micro-operation as stored in the history (validated: `[f, key, value]`). */
export type Mop = readonly [string, unknown, unknown];

/** Raised for a transaction value that breaks the format; the checker answers unknown. */
export class TxnFormatError extends Error {}

export interface TxnHistory {
  readonly history: readonly Op[];
  readonly kind: TxnKind;
  /** Vertex transactions (ok and info). */
  readonly n: number;
  /** Position in `history` of each transaction's invocation. */
  readonly invokePos: Int32Array;
  /** Position in `history` of its completion; -1 when it never completed. */
  readonly completePos: Int32Array;
  readonly status: Uint8Array;
  readonly process: Float64Array;
  /** Micro-operations: the `ok` completion's (reads filled in), else the invocation's. */
  readonly mops: readonly (readonly Mop[])[];
  /** Failed transactions: micro-operations and positions, by failed id. */
  readonly failedMops: readonly (readonly Mop[])[];
  readonly failedInvokePos: Int32Array;
  readonly failedCompletePos: Int32Array;
  /** Micro-operations of all transactions, failed ones included. */
  readonly mopCount: number;
  /** Client operations that are not transactions (ignored) and completions with no invocation. */
  readonly ignored: number;
  readonly orphans: number;
}

/** Options of `collectTxns`. */
export interface CollectOptions {
  /** Force a kind instead of telling it from the micro-operations. */
  kind?: TxnKind;
}

/** What an invocation came to: its completion's position, or one of these. */
const NOT_TXN = -2;
const NEVER = -1;
/** Outcome codes while pairing. */
const FAIL = 2;

/** Pair and number the transactions of a history; throws `TxnFormatError` on bad values. */
export function collectTxns(history: readonly Op[], opts: CollectOptions = {}): TxnHistory {
  const len = history.length;
  // Indexed by invocation position: the completion's position and the outcome.
  const completion = int32(len).fill(NOT_TXN);
  const outcome = uint8(len);
  const open = new Map<number, number>();
  let ignored = 0;
  let orphans = 0;
  const check = (op: Op): void => {
    if (!Array.isArray(op.value)) throw new TxnFormatError(`${opName(op)}: its value must be a list of micro-operations, got ${brief(op.value)}`);
  };
  for (let pos = 0; pos < len; pos++) {
    const op = history[pos]!;
    if (op.process === 'nemesis') continue;
    if (op.f !== TXN_F) {
      ignored++;
      continue;
    }
    const p = op.process;
    if (op.type === 'invoke') {
      check(op);
      const prev = open.get(p);
      if (prev !== undefined) outcome[prev] = INFO; // A new invocation: the old one never completed.
      open.set(p, pos);
      completion[pos] = NEVER;
      outcome[pos] = INFO;
      continue;
    }
    const inv = open.get(p);
    if (inv === undefined) {
      orphans++;
      continue;
    }
    open.delete(p);
    completion[inv] = pos;
    if (op.type === 'ok') check(op);
    outcome[inv] = op.type === 'ok' ? OK : op.type === 'info' ? INFO : FAIL;
  }
  let n = 0;
  let failed = 0;
  for (let pos = 0; pos < len; pos++) {
    if (completion[pos] === NOT_TXN) continue;
    if (outcome[pos] === FAIL) failed++;
    else n++;
  }
  // Vertices in invocation order, so that ids follow real time where they can.
  const invokePos = int32(n);
  const completePos = int32(n);
  const status = uint8(n);
  const process = float64(n);
  const mops: (readonly Mop[])[] = new Array<readonly Mop[]>(n);
  const failedMops: (readonly Mop[])[] = [];
  const failedInvokePos = int32(failed);
  const failedCompletePos = int32(failed);
  let t = 0;
  let mopCount = 0;
  for (let pos = 0; pos < len; pos++) {
    const c = completion[pos]!;
    if (c === NOT_TXN) continue;
    const inv = history[pos]!;
    if (outcome[pos] === FAIL) {
      failedInvokePos[failedMops.length] = pos;
      failedCompletePos[failedMops.length] = c;
      failedMops.push(inv.value as readonly Mop[]);
      mopCount += failedMops[failedMops.length - 1]!.length;
      continue;
    }
    invokePos[t] = pos;
    completePos[t] = c;
    status[t] = outcome[pos]!;
    process[t] = inv.process as number;
    mops[t] = (outcome[pos] === OK ? history[c]!.value : inv.value) as readonly Mop[];
    mopCount += mops[t]!.length;
    t++;
  }
  const kind = opts.kind ?? detectKind(mops, status, failedMops);
  return { history, kind, n, invokePos, completePos, status, process, mops, failedMops, failedInvokePos, failedCompletePos, mopCount, ignored, orphans };
}

/** The kind the first telling micro-operation shows (every other one is checked against it later); list-append when none tells. */
function detectKind(mops: readonly (readonly Mop[])[], status: Uint8Array, failed: readonly (readonly Mop[])[]): TxnKind {
  for (let t = 0; t < mops.length; t++) {
    for (const mop of mops[t]!) {
      const kind = mopKind(mop, status[t] === OK);
      if (kind) return kind;
    }
  }
  for (const f of failed) for (const mop of f) if (mopKind(mop, false)) return mopKind(mop, false)!;
  return 'list-append';
}

function opName(op: Op): string {
  return `op #${op.index} (${op.type}, process ${op.process})`;
}

/**
 * Check the micro-operations of slot `slot` (vertex t, or failed f at n + f) against the
 * history's kind; throws a TxnFormatError naming the operation whose value is wrong.
 */
export function checkMops(h: TxnHistory, slot: number): void {
  const vertex = slot < h.n;
  const mops = vertex ? h.mops[slot]! : h.failedMops[slot - h.n]!;
  const completed = vertex && h.status[slot] === OK;
  for (let i = 0; i < mops.length; i++) {
    const problem = mopProblem(mops[i], i, h.kind, completed);
    if (problem === undefined) continue;
    const pos = vertex ? (completed ? h.completePos[slot]! : h.invokePos[slot]!) : h.failedInvokePos[slot - h.n]!;
    throw new TxnFormatError(`${opName(h.history[pos]!)}: ${problem}`);
  }
}

/** The history index a report names a vertex transaction by: its completion's, else its invocation's. */
export function txnIndex(h: TxnHistory, t: number): number {
  const pos = h.completePos[t]!;
  return h.history[pos >= 0 ? pos : h.invokePos[t]!]!.index;
}

/** A vertex transaction's operations: invocation and (when there is one) completion. */
export function txnOps(h: TxnHistory, t: number): Op[] {
  const pos = h.completePos[t]!;
  const inv = h.history[h.invokePos[t]!]!;
  return pos >= 0 ? [inv, h.history[pos]!] : [inv];
}

/** A failed transaction's operations. */
export function failedOps(h: TxnHistory, f: number): Op[] {
  return [h.history[h.failedInvokePos[f]!]!, h.history[h.failedCompletePos[f]!]!];
}

/** "op #12 (process 3)", or "op #12 (process 3, unknown outcome)" for info. */
export function describeTxn(h: TxnHistory, t: number): string {
  const outcome = h.status[t] === INFO ? (h.completePos[t]! >= 0 ? ', unknown outcome' : ', never completed') : '';
  return `op #${txnIndex(h, t)} (process ${h.process[t]!}${outcome})`;
}
