/**
 * One pass over the rw-register transactions: external reads (a transaction's first access to
 * a key, when it is a read) and external writes (its last write of a key) are marked, for the
 * edges (versions.ts); the readers of each version are grouped; the facts the version orders
 * are built from are collected;
 * and each committed transaction is checked on its own (internal consistency, aborted,
 * intermediate and garbage reads, lost-update candidates).
 *
 * Version-order facts, each a source bit on a version edge (Elle's version-graph sources):
 * every version follows the initial state (always); a transaction that read v1 and then wrote
 * v2 puts v1 right before v2 (`wfrKeys`); a process sees a key's versions in order
 * (`sequentialKeys`).
 */
import { int32, uint8 } from '../arena.js';
import type { CaseLog } from '../cases.js';
import { failedId, INTERMEDIATE, NO_WRITER } from '../elements.js';
import type { EdgeList } from '../graph/edge-list.js';
import { describeTxn, failedOps, OK, type Mop } from '../history.js';
import type { IntVec } from '../int-vec.js';
import type { LostUpdateCandidates } from '../lost-update.js';
import { show } from '../render.js';
import { initVersion, type RegisterTables } from './tables.js';

/** Sources of version-order facts. */
export const INITIAL = 1;
export const WFR = 2;
export const SEQUENTIAL = 4;

export interface ScanOutput {
  cases: CaseLog;
  /** The version each external read (of a committed transaction) saw, by slot; else -1. */
  slotRead: Int32Array;
  /** 1 for the slots of external writes. */
  slotExtWrite: Uint8Array;
  /** Version edges (over version ids), relation bits = sources. */
  versionEdges: EdgeList;
  /** External reads: (version, reader) pairs. */
  readerVersion: IntVec;
  readerTxn: IntVec;
  lost: LostUpdateCandidates;
}

export interface ScanOptions {
  wfrKeys: boolean;
  sequentialKeys: boolean;
}

export function scanRegisters(tb: RegisterTables, out: ScanOutput, opts: ScanOptions): void {
  const { h, el, mopStart, mopKey, mopElem } = tb;
  const keys = el.keys.length;
  const touchedBy = int32(keys).fill(-1);
  const extRead = int32(keys);
  const extReadMop = int32(keys);
  const lastWrite = int32(keys);
  const lastWriteSlot = int32(keys);
  const known = uint8(keys);
  const value: unknown[] = new Array<unknown>(keys);
  const seen = new Map<number, Map<number, number>>();
  const touched: number[] = [];
  for (let t = 0; t < h.n; t++) {
    const ok = h.status[t] === OK;
    const mops = h.mops[t]!;
    const start = mopStart[t]!;
    let internalSeen = false;
    touched.length = 0;
    for (let slot = start; slot < mopStart[t + 1]!; slot++) {
      const k = mopKey[slot]!;
      const mop = mops[slot - start]!;
      if (touchedBy[k] !== t) {
        touchedBy[k] = t;
        touched.push(k);
        extRead[k] = lastWrite[k] = -1;
        known[k] = 0;
        if (mop[0] === 'r' && ok) {
          extRead[k] = mopElem[slot]! >= 0 ? mopElem[slot]! : initVersion(tb, k);
          extReadMop[k] = slot - start;
          out.readerVersion.push(extRead[k]!);
          out.readerTxn.push(t);
          out.slotRead[slot] = extRead[k]!;
        }
      }
      if (mop[0] === 'w') {
        if (ok && extRead[k]! >= 0 && lastWrite[k] === -1) out.lost.add(extRead[k]!, t, extReadMop[k]!);
        lastWrite[k] = mopElem[slot]!;
        lastWriteSlot[k] = slot;
      } else if (ok) {
        if (mopElem[slot]! >= 0) readCases(tb, out.cases, t, mop, mopElem[slot]!);
        if (known[k] && value[k] !== mop[2] && !internalSeen) {
          internalSeen = true;
          const expected = value[k];
          out.cases.add('internal', () => ({
            key: mop[1],
            txns: [t],
            summary: `${describeTxn(h, t)} read key ${show(mop[1])} = ${show(mop[2])} after its own operations on it left ${show(expected)}`,
            explanation: `${describeTxn(h, t)} read key ${show(mop[1])} = ${show(mop[2])}, but its own earlier read or write of that key means it should have seen ${show(expected)} (internal consistency).`,
          }));
        }
      }
      if (mop[0] === 'w' || ok) {
        known[k] = 1;
        value[k] = mop[2];
      }
    }
    for (const k of touched) {
      if (lastWrite[k]! >= 0) out.slotExtWrite[lastWriteSlot[k]!] = 1;
      versionFacts(tb, out, opts, t, k, extRead[k]!, lastWrite[k]!, ok, seen);
    }
  }
}

/** The version-order facts one transaction gives about key k. */
function versionFacts(tb: RegisterTables, out: ScanOutput, opts: ScanOptions, t: number, k: number, read: number, write: number, ok: boolean, seen: Map<number, Map<number, number>>): void {
  const init = initVersion(tb, k);
  if (write >= 0) out.versionEdges.add(init, write, INITIAL);
  if (!ok) return;
  if (read >= 0 && read !== init) {
    out.versionEdges.add(init, read, INITIAL);
    if (opts.wfrKeys && write >= 0) out.versionEdges.add(read, write, WFR);
  }
  if (!opts.sequentialKeys) return;
  const p = tb.h.process[t]!;
  let last = seen.get(p);
  if (!last) seen.set(p, (last = new Map()));
  const entering = read >= 0 ? read : write;
  const prev = last.get(k);
  if (prev !== undefined && entering >= 0) out.versionEdges.add(prev, entering, SEQUENTIAL);
  last.set(k, write >= 0 ? write : read);
}

/** What a committed read of element e can show on its own. */
function readCases(tb: RegisterTables, cases: CaseLog, t: number, mop: Mop, e: number): void {
  const { h, el } = tb;
  const w = el.writer[e]!;
  const what = `${describeTxn(h, t)} read key ${show(mop[1])} = ${show(mop[2])}`;
  if (w === NO_WRITER) {
    cases.add('garbage-read', () => ({ key: mop[1], txns: [t], summary: `${what}, a value no transaction wrote`, explanation: `${what}, but no transaction in the history wrote ${show(mop[2])} to key ${show(mop[1])}.` }));
  } else if (failedId(w) >= 0) {
    const f = failedId(w);
    cases.add('G1a', () => ({
      key: mop[1],
      txns: [t],
      failed: [f],
      summary: `${what}, written by op #${failedOps(h, f)[1]!.index}, which failed: an aborted read`,
      explanation: `${what}. Only op #${failedOps(h, f)[1]!.index} wrote ${show(mop[2])} to key ${show(mop[1])}, and it failed: it never happened, yet a committed transaction saw its write (aborted read, G1a).`,
    }));
  } else if (w !== t && el.flags[e]! & INTERMEDIATE) {
    cases.add('G1b', () => ({
      key: mop[1],
      txns: [t, w],
      summary: `${what}, an intermediate write of ${describeTxn(h, w)}`,
      explanation: `${what}. ${describeTxn(h, w)} wrote ${show(mop[2])} and then wrote key ${show(mop[1])} again in the same transaction, so ${show(mop[2])} was never a committed version (intermediate read, G1b).`,
    }));
  }
}
