/**
 * A counter history, paired, and the bounds each read must lie within. An add counts for sure
 * for a read once it completed `ok` before the read was invoked; it may count once it was invoked
 * (and did not fail) before the read completed. So a read's value lies within
 *
 *   [Σ sure + Σ negative maybe, Σ sure + Σ positive maybe]
 *
 * (for positive deltas only: [adds acknowledged before the read began, adds acknowledged or
 * unknown invoked before it ended]). Computed with prefix sums over history positions, so a
 * history of n operations takes O(n).
 */
import type { Op } from '../../src/api/op.js';
import { pairOps } from '../../src/history/pairs.js';

export interface CounterAdd {
  invoke: Op;
  /** Undefined when the history ends before it completes. */
  completion?: Op;
  delta: number;
}

export interface CounterRead {
  invoke: Op;
  completion: Op;
  value: unknown;
  /** Read in the final phase, after the heal (`final-read`). */
  final: boolean;
}

export interface CounterOps {
  /** Adds that did not fail. */
  adds: CounterAdd[];
  /** Reads that completed ok. */
  reads: CounterRead[];
}

/** Thrown for an add whose delta is not a number; the checker answers unknown. */
export class CounterFormatError extends Error {}

/** The adds and ok reads of a history (`read` and the final phase's `final-read`). */
export function counterOps(history: readonly Op[]): CounterOps {
  const out: CounterOps = { adds: [], reads: [] };
  for (const { invoke, completion } of pairOps(history)) {
    if (invoke.process === 'nemesis' || completion?.type === 'fail') continue;
    if (invoke.f === 'add') {
      if (typeof invoke.value !== 'number' || !Number.isFinite(invoke.value)) {
        throw new CounterFormatError(`op #${invoke.index}: an add's value must be a number, got ${JSON.stringify(invoke.value)}`);
      }
      out.adds.push({ invoke, ...(completion && { completion }), delta: invoke.value });
    } else if ((invoke.f === 'read' || invoke.f === 'final-read') && completion?.type === 'ok') {
      out.reads.push({ invoke, completion, value: completion.value, final: invoke.f === 'final-read' });
    }
  }
  return out;
}

export interface Bounds {
  lower: number;
  upper: number;
}

/**
 * A function giving each read its bounds, built once for the history's adds. With `eventual`, the
 * bounds of an eventually consistent counter for reads before the final phase: a replica may not
 * yet have heard of any add, so only the adds that may count bound such a read,
 * [Σ negative maybe, Σ positive maybe]; final reads keep the full bounds.
 */
export function boundsOf(adds: readonly CounterAdd[], historyLength: number, eventual = false): (read: CounterRead) => Bounds {
  const size = historyLength + 1;
  // sure[i]: Σ (positive, negative) deltas of ok adds completed at a position < i.
  // maybe[i]: the same for adds invoked at a position < i.
  const surePos = new Float64Array(size);
  const sureNeg = new Float64Array(size);
  const maybePos = new Float64Array(size);
  const maybeNeg = new Float64Array(size);
  for (const add of adds) {
    const [pos, neg] = add.delta >= 0 ? [add.delta, 0] : [0, add.delta];
    if (add.completion?.type === 'ok') {
      surePos[add.completion.index + 1]! += pos;
      sureNeg[add.completion.index + 1]! += neg;
    }
    maybePos[add.invoke.index + 1]! += pos;
    maybeNeg[add.invoke.index + 1]! += neg;
  }
  for (const a of [surePos, sureNeg, maybePos, maybeNeg]) for (let i = 1; i < size; i++) a[i]! += a[i - 1]!;
  return (read) => {
    const began = Math.min(read.invoke.index, historyLength);
    const ended = Math.min(read.completion.index, historyLength);
    if (eventual && !read.final) return { lower: maybeNeg[ended]!, upper: maybePos[ended]! };
    return { lower: surePos[began]! + maybeNeg[ended]!, upper: sureNeg[began]! + maybePos[ended]! };
  };
}
