/**
 * The edges into each transaction, and lost appends.
 *
 * A read of a state ending in element e follows the transaction that appended e (wr).
 * An append of element e to key k comes right after the state `prev` (the element before e in
 * k's version order, k's initial state, or for an append no read saw, the last element any
 * read saw). Its transaction therefore follows the one that appended `prev` (ww) and every
 * transaction that read exactly `prev` (rw: they read k without e). Readers are grouped by
 * state once (a counting sort), so each append finds its readers in O(1) plus their number.
 */
import type { CaseLog } from '../cases.js';
import type { GraphBuilder } from '../graph/builder.js';
import { RW, WR, WW } from '../graph/rels.js';
import { describeTxn, OK } from '../history.js';
import { groupBy } from '../int-vec.js';
import { show } from '../render.js';
import type { Readers } from './reads.js';
import type { AppendTables } from './tables.js';

/** The state an append of element e came right after (an element id, or count + key for the initial state). */
export function prevState(tb: AppendTables, e: number): number {
  const k = tb.el.key[e]!;
  const p = tb.pos[e]!;
  const start = tb.orderStart[k]!;
  const len = tb.orderStart[k + 1]! - start;
  if (p > 0) return tb.orderElems[start + p - 1]!;
  if (p === 0 || len === 0) return tb.el.count + k;
  return tb.orderElems[start + len - 1]!;
}

/** Readers grouped by the state they read, for the rw edges. */
export type ReadersByState = ReturnType<typeof groupBy>;

export function readersByState(tb: AppendTables, readers: Readers): ReadersByState {
  return groupBy(tb.el.count + tb.el.keys.length, readers.state.view(), readers.txn.view());
}

/** Add transaction t's incoming wr, ww and rw edges; note its lost appends. */
export function appendEdgesInto(tb: AppendTables, readers: Readers, byState: ReadersByState, cases: CaseLog, t: number, b: GraphBuilder): void {
  const { h, el, mopStart, mopElem } = tb;
  for (let slot = mopStart[t]!; slot < mopStart[t + 1]!; slot++) {
    const e = mopElem[slot]!;
    if (e < 0) {
      const s = readers.slotState[slot]!;
      if (s >= 0 && s < el.count && el.writer[s]! >= 0) b.add(el.writer[s]!, WR);
      continue;
    }
    const prev = prevState(tb, e);
    if (prev < el.count && el.writer[prev]! >= 0) b.add(el.writer[prev]!, WW);
    for (let i = byState.offsets[prev]!; i < byState.offsets[prev + 1]!; i++) b.add(byState.items[i]!, RW);
    if (tb.pos[e]! < 0 && h.status[t] === OK) lostAppend(tb, readers, cases, t, e);
  }
}

/**
 * An acknowledged append that no read ever showed, although a committed read of the same key
 * began after the append's transaction had completed: under any model with real time, that
 * read should have seen it.
 */
function lostAppend(tb: AppendTables, readers: Readers, cases: CaseLog, t: number, e: number): void {
  const { h, el } = tb;
  const k = el.key[e]!;
  const r = readers.lastReader[k]!;
  if (r < 0 || h.invokePos[r]! < h.completePos[t]!) return;
  const key = el.keys[k];
  cases.add('lost-append', () => ({
    key,
    txns: [t, r],
    summary: `${describeTxn(h, t)} appended ${show(el.value[e])} to key ${show(key)} and committed, but no read ever showed it`,
    explanation:
      `${describeTxn(h, t)} appended ${show(el.value[e])} to key ${show(key)} and was acknowledged, yet no read of key ${show(key)} ever contained ${show(el.value[e])}, ` +
      `not even ${describeTxn(h, r)}, which began after that transaction had completed: the append was lost.`,
  }));
}
