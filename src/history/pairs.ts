/**
 * Invocations matched with their completions: the unit that timelines draw and checkers read.
 * An invocation with no completion (the run was cut short) has `completion` undefined.
 */
import type { Op } from '../api/op.js';

export interface OpPair {
  invoke: Op;
  completion?: Op;
}

/** Pair each invoke with the next completion of the same process, in history order. */
export function pairOps(ops: readonly Op[]): OpPair[] {
  const pairs: OpPair[] = [];
  const open = new Map<Op['process'], OpPair>();
  for (const op of ops) {
    if (op.type === 'invoke') {
      const pair: OpPair = { invoke: op };
      pairs.push(pair);
      open.set(op.process, pair);
    } else {
      const pair = open.get(op.process);
      if (pair) {
        pair.completion = op;
        open.delete(op.process);
      }
    }
  }
  return pairs;
}
