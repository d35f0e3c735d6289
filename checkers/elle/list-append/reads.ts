/**
 * Every read of a committed transaction, against its key's version order: which state it saw
 * (the element it ends with, or the key's initial empty state; edges.ts links it to that
 * element's writer), and what a read can show on its own: aborted reads (G1a), intermediate
 * reads (G1b), values nobody wrote, incompatible orders, duplicates.
 *
 * A read that is a prefix of the longest read (nearly all of them) costs one comparison per
 * element and table look-ups by position; only the others are checked element by element.
 */
import { int32, uint8 } from '../arena.js';
import type { CaseLog } from '../cases.js';
import { describeTxn, OK } from '../history.js';
import { IntVec } from '../int-vec.js';
import { show, showList } from '../render.js';
import { failedId, INTERMEDIATE, NO_WRITER } from '../elements.js';
import { LostUpdateCandidates, lostUpdates } from '../lost-update.js';
import { checkTxn } from './internal.js';
import { checkedElement, duplicateCase, writerText, type AppendTables } from './tables.js';

/** Who read which state: parallel arrays, one entry per read with a known state. */
export interface Readers {
  state: IntVec;
  txn: IntVec;
  /** The state each micro-operation slot read (-1 for appends and unknown states). */
  slotState: Int32Array;
  /** Per key, the committed reader invoked last, or -1. */
  lastReader: Int32Array;
}

const EMPTY: readonly unknown[] = [];

function isPrefix(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function scanReads(tb: AppendTables, cases: CaseLog): Readers {
  const { h, el, mopStart, mopKey, mopElem } = tb;
  const reads = h.mopCount;
  const readers: Readers = { state: new IntVec(reads), txn: new IntVec(reads), slotState: int32(mopKey.length).fill(-1), lastReader: int32(el.keys.length).fill(-1) };
  const lost = new LostUpdateCandidates();
  const incompatibleSeen = uint8(el.keys.length);
  const keySeen = int32(el.keys.length).fill(-1);
  let states = new Int32Array(16);
  for (let t = 0; t < h.n; t++) {
    if (h.status[t] !== OK) continue;
    const start = mopStart[t]!;
    const end = mopStart[t + 1]!;
    const mops = h.mops[t]!;
    if (states.length < end - start) states = int32(2 * (end - start));
    let repeated = false;
    for (let slot = start; slot < end; slot++) {
      const k = mopKey[slot]!;
      if (keySeen[k] === t) repeated = true;
      keySeen[k] = t;
      if (mopElem[slot]! >= 0) continue;
      const list = (mops[slot - start]![2] as readonly unknown[] | null) ?? EMPTY;
      const state = readState(tb, t, k, list, cases, incompatibleSeen);
      states[slot - start] = state;
      readers.slotState[slot] = state;
      if (state >= 0) {
        readers.state.push(state);
        readers.txn.push(t);
      }
      readers.lastReader[k] = t;
    }
    if (repeated) checkTxn(h, t, mopKey.subarray(start, end), states, cases, lost);
  }
  lostUpdates(h, lost, cases);
  return readers;
}

/** The state committed transaction t's read of key k saw (-1 if unknown), and its cases. */
function readState(tb: AppendTables, t: number, k: number, list: readonly unknown[], cases: CaseLog, incompatibleSeen: Uint8Array): number {
  const { el, h } = tb;
  const len = list.length;
  if (len === 0) return el.count + k;
  const longest = tb.longest[k]!;
  let e: number;
  if (isPrefix(list, longest)) {
    const base = tb.listStart[k]!;
    if (len > tb.firstAborted[k]!) abortedRead(tb, cases, t, k, list, tb.listElems[base + tb.firstAborted[k]!]!);
    if (len > tb.firstGarbage[k]!) garbageRead(tb, cases, t, k, list, tb.listElems[base + tb.firstGarbage[k]!]!);
    e = tb.listElems[base + len - 1]!;
  } else {
    if (!incompatibleSeen[k]) {
      incompatibleSeen[k] = 1;
      incompatibleCase(tb, cases, t, k, list);
    }
    e = -1;
    const seen = new Set<unknown>();
    const repeated: unknown[] = [];
    for (const v of list) {
      if (seen.has(v)) repeated.push(v);
      seen.add(v);
      e = el.find(k, checkedElement(h, t, el.keys[k], v));
      if (e < 0) garbageRead(tb, cases, t, k, list, -1, v);
      else if (failedId(el.writer[e]!) >= 0) abortedRead(tb, cases, t, k, list, e);
    }
    if (repeated.length > 0) duplicateCase(cases, h, el.keys[k], t, list, repeated);
    if (e < 0) return -1;
  }
  const w = el.writer[e]!;
  if (w >= 0 && w !== t && el.flags[e]! & INTERMEDIATE) intermediateRead(tb, cases, t, k, list, e);
  return e;
}

function abortedRead(tb: AppendTables, cases: CaseLog, t: number, k: number, list: readonly unknown[], e: number): void {
  const { h, el } = tb;
  const key = el.keys[k];
  cases.add('G1a', () => ({
    key,
    txns: [t],
    failed: [failedId(el.writer[e]!)],
    summary: `${describeTxn(h, t)} read ${show(el.value[e])} from key ${show(key)}, appended by ${writerText(h, el, e)}: an aborted read`,
    explanation:
      `${describeTxn(h, t)} read key ${show(key)} = ${showList(list)}, which holds ${show(el.value[e])}. ` +
      `Only ${writerText(h, el, e)} appended ${show(el.value[e])} to key ${show(key)}, and that transaction failed: it never happened, yet a committed transaction saw its write (aborted read, G1a).`,
  }));
}

function garbageRead(tb: AppendTables, cases: CaseLog, t: number, k: number, list: readonly unknown[], e: number, value?: unknown): void {
  const { h, el } = tb;
  const key = el.keys[k];
  const v = e >= 0 ? el.value[e] : value;
  if (e >= 0 && el.writer[e] !== NO_WRITER) return;
  cases.add('garbage-read', () => ({
    key,
    txns: [t],
    summary: `${describeTxn(h, t)} read ${show(v)} from key ${show(key)}, which no transaction appended`,
    explanation: `${describeTxn(h, t)} read key ${show(key)} = ${showList(list)}, which holds ${show(v)}; no transaction in the history appended ${show(v)} to key ${show(key)}.`,
  }));
}

function intermediateRead(tb: AppendTables, cases: CaseLog, t: number, k: number, list: readonly unknown[], e: number): void {
  const { h, el } = tb;
  const key = el.keys[k];
  const w = el.writer[e]!;
  cases.add('G1b', () => ({
    key,
    txns: [t, w],
    summary: `${describeTxn(h, t)} read key ${show(key)} ending in ${show(el.value[e])}, an intermediate append of ${describeTxn(h, w)}`,
    explanation:
      `${describeTxn(h, t)} read key ${show(key)} = ${showList(list)}, ending in ${show(el.value[e])}. ` +
      `${describeTxn(h, w)} appended ${show(el.value[e])} and then appended to key ${show(key)} again in the same transaction, so the state ending in ${show(el.value[e])} was never committed (intermediate read, G1b).`,
  }));
}

function incompatibleCase(tb: AppendTables, cases: CaseLog, t: number, k: number, list: readonly unknown[]): void {
  const { h, el } = tb;
  const key = el.keys[k];
  const other = tb.longestTxn[k]!;
  cases.add('incompatible-order', () => ({
    key,
    txns: [other, t],
    summary: `reads of key ${show(key)} disagree on the order of appends: ${showList(list)} and ${showList(tb.longest[k]!)}`,
    explanation:
      `${describeTxn(h, t)} read key ${show(key)} = ${showList(list)}, and ${describeTxn(h, other)} read ${showList(tb.longest[k]!)}. ` +
      `Appends only add to the end of a list, so every read must be a prefix of the longest one; these two cannot both come from one order of appends.`,
  }));
}
