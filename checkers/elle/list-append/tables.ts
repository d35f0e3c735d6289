/**
 * The list-append history as tables: every micro-operation's key and element, and each key's
 * version order.
 *
 * Version orders come from reads (Elle's insight): a list is only ever appended to, so the
 * longest read of a key shows the order of every append any read saw, and every other read
 * must be a prefix of it. An append no read saw must come after all those that were seen (had
 * it come before one of them, that read would show it). Elements the longest read shows but no
 * transaction appended (garbage) and elements of failed transactions (aborted reads) are noted
 * by the first position they hold, so that any prefix read is checked for them in O(1).
 */
import { int32 } from '../arena.js';
import { TxnFormatError, type TxnHistory } from '../history.js';
import { checkMops, describeTxn, failedOps, OK } from '../history.js';
import type { CaseLog } from '../cases.js';
import { IntVec } from '../int-vec.js';
import { brief, isScalar } from '../txn-format.js';
import { show, showList } from '../render.js';
import { Elements, failedId, failedWriter, INTERMEDIATE, NO_WRITER } from '../elements.js';

/** No such position. */
export const NONE = 0x7fffffff;

export interface AppendTables {
  readonly h: TxnHistory;
  readonly el: Elements;
  /** Micro-operation slots of transaction t: [mopStart[t], mopStart[t+1]); failed f is at n + f. */
  readonly mopStart: Int32Array;
  readonly mopKey: Int32Array;
  /** The element an append made; -1 for reads. */
  readonly mopElem: Int32Array;
  /** Each key's longest read by an `ok` transaction, and that transaction. */
  readonly longest: (readonly unknown[] | undefined)[];
  readonly longestTxn: number[];
  /** The longest read as elements, one per list position: key k's are [listStart[k], listStart[k+1]). */
  readonly listStart: Int32Array;
  readonly listElems: Int32Array;
  /** The version order (the longest read without repeats): key k's are [orderStart[k], orderStart[k+1]). */
  readonly orderStart: Int32Array;
  readonly orderElems: Int32Array;
  /** Each element's position in its key's version order, -1 when no read saw it. */
  readonly pos: Int32Array;
  /** Per key: the first list position of an element appended by a failed transaction / by nobody. */
  readonly firstAborted: Int32Array;
  readonly firstGarbage: Int32Array;
}

/** Who wrote element `e`, in words. */
export function writerText(h: TxnHistory, el: Elements, e: number): string {
  const w = el.writer[e]!;
  if (w >= 0) return describeTxn(h, w);
  const f = failedId(w);
  return f >= 0 ? `op #${failedOps(h, f)[1]!.index} (failed)` : 'no transaction';
}

export function buildTables(h: TxnHistory, cases: CaseLog): AppendTables {
  const el = new Elements(h.mopCount);
  const slots = h.n + h.failedMops.length;
  const mopStart = int32(slots + 1);
  const mopKey = new IntVec(h.mopCount);
  const mopElem = new IntVec(h.mopCount);
  const longest: (readonly unknown[] | undefined)[] = [];
  const longestTxn: number[] = [];
  const lastAppend: number[] = [];
  const lastSlot: number[] = [];
  // Consecutive appends of one transaction to one key, as (earlier, later) element pairs.
  const ownOrder = new IntVec();
  for (let slot = 0; slot < slots; slot++) {
    const vertex = slot < h.n;
    const mops = vertex ? h.mops[slot]! : h.failedMops[slot - h.n]!;
    const writer = vertex ? slot : failedWriter(slot - h.n);
    const completed = vertex && h.status[slot] === OK;
    mopStart[slot] = mopKey.length;
    checkMops(h, slot);
    for (const mop of mops) {
      const k = el.keyId(mop[1]);
      if (k === longest.length) {
        // A new key: grow the per-key arrays in step, so they stay dense (fast) arrays.
        longest.push(undefined);
        longestTxn.push(-1);
        lastAppend.push(-1);
        lastSlot.push(-1);
      }
      mopKey.push(k);
      if (mop[0] === 'append') {
        const v = mop[2];
        const old = el.find(k, v);
        if (old >= 0) {
          throw new TxnFormatError(
            `value ${show(v)} was appended to key ${show(mop[1])} more than once (by ${writerText(h, el, old)} and by ${vertex ? describeTxn(h, slot) : 'a failed transaction'}); list-append needs unique values per key`,
          );
        }
        const e = el.add(k, v, writer);
        if (lastSlot[k] === slot) {
          el.flags[lastAppend[k]!]! |= INTERMEDIATE;
          if (vertex) {
            ownOrder.push(lastAppend[k]!);
            ownOrder.push(e);
          }
        }
        lastSlot[k] = slot;
        lastAppend[k] = e;
        mopElem.push(e);
      } else {
        mopElem.push(-1);
        const list = mop[2] as readonly unknown[] | null;
        if (completed && list !== null && list.length > (longest[k]?.length ?? 0)) {
          longest[k] = list;
          longestTxn[k] = slot;
        }
      }
    }
  }
  mopStart[slots] = mopKey.length;
  const tables = versionOrders(el, longest, longestTxn, cases, h);
  ownAppendOrder(h, el, tables.pos, ownOrder.view(), cases);
  return { h, el, mopStart, mopKey: mopKey.view(), mopElem: mopElem.view(), longest, longestTxn, ...tables };
}

/**
 * A transaction's appends to one key must show in reads in the order it made them, and a read
 * that shows a later one must show the earlier ones too: its own appends are one block of the
 * version order, in program order. (Two appends with another transaction's between them make a
 * write cycle, G0, and are found as one.)
 */
function ownAppendOrder(h: TxnHistory, el: Elements, pos: Int32Array, pairs: Int32Array, cases: CaseLog): void {
  for (let i = 0; i < pairs.length; i += 2) {
    const first = pairs[i]!;
    const then = pairs[i + 1]!;
    if (pos[then]! < 0 || (pos[first]! >= 0 && pos[first]! < pos[then]!)) continue;
    const t = el.writer[first]!;
    const key = el.keys[el.key[first]!];
    const [a, b] = [show(el.value[first]), show(el.value[then])];
    const what = pos[first]! < 0 ? `reads show ${b} but never ${a}` : `reads show ${b} before ${a}`;
    cases.add('internal', () => ({
      key,
      txns: [t],
      summary: `${describeTxn(h, t)} appended ${a} and then ${b} to key ${show(key)}, but ${what}`,
      explanation: `${describeTxn(h, t)} appended ${a} and then ${b} to key ${show(key)}, but ${what}: its own writes were not applied in its own order, or not all of them (internal consistency).`,
    }));
  }
}

type Orders = Pick<AppendTables, 'listStart' | 'listElems' | 'orderStart' | 'orderElems' | 'pos' | 'firstAborted' | 'firstGarbage'>;

function versionOrders(el: Elements, longest: (readonly unknown[] | undefined)[], longestTxn: number[], cases: CaseLog, h: TxnHistory): Orders {
  const keys = el.keys.length;
  let bound = el.count;
  for (const l of longest) bound += l?.length ?? 0;
  const pos = int32(bound).fill(-1);
  const listStart = int32(keys + 1);
  const orderStart = int32(keys + 1);
  const listElems = new IntVec(el.count);
  const orderElems = new IntVec(el.count);
  const firstAborted = int32(keys).fill(NONE);
  const firstGarbage = int32(keys).fill(NONE);
  for (let k = 0; k < keys; k++) {
    listStart[k] = listElems.length;
    orderStart[k] = orderElems.length;
    const list = longest[k];
    if (!list) continue;
    let repeated: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      let e = el.find(k, list[i]);
      if (e < 0) e = el.add(k, checkedElement(h, longestTxn[k]!, el.keys[k], list[i]), NO_WRITER);
      listElems.push(e);
      if (pos[e]! >= 0) {
        (repeated ??= []).push(list[i]);
        continue;
      }
      pos[e] = orderElems.length - orderStart[k]!;
      orderElems.push(e);
      const w = el.writer[e]!;
      if (w === NO_WRITER && firstGarbage[k] === NONE) firstGarbage[k] = i;
      if (failedId(w) >= 0 && firstAborted[k] === NONE) firstAborted[k] = i;
    }
    if (repeated) duplicateCase(cases, h, el.keys[k], longestTxn[k]!, list, repeated);
    dirtyUpdates(el, orderElems.view().subarray(orderStart[k]!), cases, h, el.keys[k]);
  }
  listStart[keys] = listElems.length;
  orderStart[keys] = orderElems.length;
  return { listStart, listElems: listElems.view(), orderStart, orderElems: orderElems.view(), pos, firstAborted, firstGarbage };
}

/** `v`, when it is a scalar that a read of `key` by transaction t may hold; else a format error. */
export function checkedElement(h: TxnHistory, t: number, key: unknown, v: unknown): unknown {
  if (isScalar(v)) return v;
  throw new TxnFormatError(`${describeTxn(h, t)} read key ${show(key)} as a list holding ${brief(v)}; elements are strings, numbers or booleans`);
}

/** A read that holds some element twice. */
export function duplicateCase(cases: CaseLog, h: TxnHistory, key: unknown, t: number, list: readonly unknown[], repeated: readonly unknown[]): void {
  cases.add('duplicate-elements', () => ({
    key,
    txns: [t],
    summary: `${describeTxn(h, t)} read key ${show(key)} holding ${repeated.map(show).join(', ')} more than once`,
    explanation:
      `${describeTxn(h, t)} read key ${show(key)} = ${showList(list)}, in which ${repeated.map(show).join(', ')} appear${repeated.length === 1 ? 's' : ''} more than once. ` +
      `Every value is appended at most once, so a list can hold it at most once: the database duplicated an append.`,
  }));
}

/**
 * Dirty updates (Elle): along a key's version order, a committed append directly on top of
 * appends of a failed transaction (with only unknown-outcome ones between).
 */
function dirtyUpdates(el: Elements, order: Int32Array, cases: CaseLog, h: TxnHistory, key: unknown): void {
  let abortedFrom = -1;
  for (let i = 0; i < order.length; i++) {
    const w = el.writer[order[i]!]!;
    if (failedId(w) >= 0) {
      if (abortedFrom < 0) abortedFrom = i;
    } else if (w >= 0 && h.status[w] === OK) {
      if (abortedFrom >= 0) {
        const from = abortedFrom;
        const failed = failedId(el.writer[order[from]!]!);
        cases.add('dirty-update', () => ({
          key,
          txns: [w],
          failed: [failed],
          summary: `key ${show(key)}: ${describeTxn(h, w)} committed an append on top of the aborted append of op #${failedOps(h, failed)[1]!.index}`,
          explanation:
            `In the version order of key ${show(key)}, ${show(el.value[order[from]!])} was appended by op #${failedOps(h, failed)[1]!.index}, which failed, ` +
            `and ${show(el.value[order[i]!])} was then appended on top of it by ${describeTxn(h, w)}, which committed: a committed write built on an aborted one.`,
        }));
      }
      abortedFrom = -1;
    }
  }
}
