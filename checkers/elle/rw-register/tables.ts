/**
 * The rw-register history as tables: every micro-operation's key and the version (element) it
 * wrote or read. Versions are (key, value) pairs with the transaction that wrote them; a key's
 * initial state (`null`) is version `count + key`, after every element.
 *
 * Unlike list-append, a register's reads say nothing about the order of versions, so all that
 * is known here is who wrote what; versions.ts gathers what can be inferred about their order.
 */
import { int32 } from '../arena.js';
import { Elements, failedWriter, INTERMEDIATE, NO_WRITER } from '../elements.js';
import { checkMops, describeTxn, OK, TxnFormatError, type TxnHistory } from '../history.js';
import { IntVec } from '../int-vec.js';
import { show } from '../render.js';

export interface RegisterTables {
  readonly h: TxnHistory;
  readonly el: Elements;
  /** Micro-operation slots of transaction t: [mopStart[t], mopStart[t+1]); failed f is at n + f. */
  readonly mopStart: Int32Array;
  readonly mopKey: Int32Array;
  /** The version a write made or a committed read saw (-1: the initial state, or an unknown read). */
  readonly mopElem: Int32Array;
}

/** The version id of key k's initial state. */
export function initVersion(tb: RegisterTables, k: number): number {
  return tb.el.count + k;
}

export function buildRegisterTables(h: TxnHistory): RegisterTables {
  const el = new Elements(h.mopCount);
  const slots = h.n + h.failedMops.length;
  const mopStart = int32(slots + 1);
  const mopKey = new IntVec(h.mopCount);
  const mopElem = new IntVec(h.mopCount);
  const lastWrite: number[] = [];
  const lastSlot: number[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const vertex = slot < h.n;
    const mops = vertex ? h.mops[slot]! : h.failedMops[slot - h.n]!;
    mopStart[slot] = mopKey.length;
    checkMops(h, slot);
    for (const mop of mops) {
      const k = el.keyId(mop[1]);
      if (k === lastWrite.length) {
        // A new key: grow the per-key arrays in step, so they stay dense (fast) arrays.
        lastWrite.push(-1);
        lastSlot.push(-1);
      }
      mopKey.push(k);
      if (mop[0] !== 'w') {
        mopElem.push(-1);
        continue;
      }
      if (el.find(k, mop[2]) >= 0) {
        throw new TxnFormatError(`value ${show(mop[2])} was written to key ${show(mop[1])} more than once (again by ${vertex ? describeTxn(h, slot) : 'a failed transaction'}); rw-register needs unique values per key`);
      }
      const e = el.add(k, mop[2], vertex ? slot : failedWriter(slot - h.n));
      if (lastSlot[k] === slot) el.flags[lastWrite[k]!]! |= INTERMEDIATE;
      lastSlot[k] = slot;
      lastWrite[k] = e;
      mopElem.push(e);
    }
  }
  mopStart[slots] = mopKey.length;
  // Committed reads: the version each saw; values nobody wrote become versions without a writer.
  const elems = mopElem.view();
  for (let t = 0; t < h.n; t++) {
    if (h.status[t] !== OK) continue;
    const mops = h.mops[t]!;
    for (let slot = mopStart[t]!; slot < mopStart[t + 1]!; slot++) {
      const mop = mops[slot - mopStart[t]!]!;
      if (mop[0] !== 'r' || mop[2] === null) continue;
      const k = mopKey.data[slot]!;
      const e = el.find(k, mop[2]);
      elems[slot] = e >= 0 ? e : el.add(k, mop[2], NO_WRITER);
    }
  }
  return { h, el, mopStart, mopKey: mopKey.view(), mopElem: elems };
}
