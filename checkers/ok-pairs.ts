/** What the per-operation checkers (`echo`, `unique-ids`) read: client operations of one function that completed ok. */
import type { Op } from '../src/api/op.js';
import { pairOps } from '../src/history/pairs.js';

/** The client operations named `f` that completed ok, invocation and completion, in history order. */
export function okPairs(history: readonly Op[], f: string): { invoke: Op; completion: Op }[] {
  const out: { invoke: Op; completion: Op }[] = [];
  for (const { invoke, completion } of pairOps(history)) {
    if (invoke.process !== 'nemesis' && invoke.f === f && completion?.type === 'ok') out.push({ invoke, completion });
  }
  return out;
}

/** `op #12 (process 3 on n2)`: how an anomaly names an operation. */
export const opLabel = (op: Op): string => `op #${op.index} (process ${String(op.process)}${op.node ? ` on ${op.node}` : ''})`;
