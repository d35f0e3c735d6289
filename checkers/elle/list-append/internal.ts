/**
 * What one transaction's own micro-operations must agree on (run only for transactions that
 * touch some key twice, the only ones where anything can go wrong):
 *
 * - internal consistency (Cerone et al.'s INT): a read after the transaction's own read or
 *   appends of a key shows that state, with those appends at the end;
 * - future reads (Elle): a read never shows a value the transaction appends only later;
 * - lost-update candidates (Elle): a read of a key followed by an append to it, grouped later
 *   with other transactions that read the same state and appended too.
 */
import type { CaseLog } from '../cases.js';
import { describeTxn, type Mop, type TxnHistory } from '../history.js';
import type { LostUpdateCandidates } from '../lost-update.js';
import { show, showList } from '../render.js';

const EMPTY: readonly unknown[] = [];

function readList(mop: Mop): readonly unknown[] {
  return (mop[2] as readonly unknown[] | null) ?? EMPTY;
}

/**
 * Check transaction `t`; `keys[i]` and `states[i]` are micro-operation i's key id and (for
 * reads) read state. Quadratic in the transaction's length, which is small; it allocates only
 * when it finds something.
 */
export function checkTxn(h: TxnHistory, t: number, keys: Int32Array, states: Int32Array, cases: CaseLog, lost: LostUpdateCandidates): void {
  const mops = h.mops[t]!;
  let internalSeen = false;
  let futureSeen = false;
  for (let i = 0; i < mops.length; i++) {
    const mop = mops[i]!;
    const k = keys[i]!;
    if (mop[0] === 'append') {
      let firstRead = -1;
      let appended = false;
      for (let j = 0; j < i; j++) {
        if (keys[j] !== k) continue;
        if (mops[j]![0] === 'append') appended = true;
        else {
          if (firstRead < 0 && !appended) firstRead = j;
          if (!futureSeen && readList(mops[j]!).includes(mop[2])) {
            futureSeen = true;
            cases.add('future-read', () => futureCase(h, t, mop, mop[2]));
          }
        }
      }
      if (firstRead >= 0 && !appended) lost.add(states[firstRead]!, t, firstRead);
      continue;
    }
    if (internalSeen) continue;
    // What this transaction's own earlier operations on k say the read must show: the last
    // read of k (if any) followed by the appends to k since.
    let lastRead = -1;
    for (let j = i - 1; j >= 0 && lastRead < 0; j--) if (keys[j] === k && mops[j]![0] === 'r') lastRead = j;
    let appends = 0;
    for (let j = lastRead + 1; j < i; j++) if (keys[j] === k && mops[j]![0] === 'append') appends++;
    if (lastRead < 0 && appends === 0) continue;
    const list = readList(mop);
    const base = lastRead >= 0 ? readList(mops[lastRead]!) : EMPTY;
    let good = lastRead >= 0 ? list.length === base.length + appends : list.length >= appends;
    for (let j = 0; good && lastRead >= 0 && j < base.length; j++) good = list[j] === base[j];
    for (let j = lastRead + 1, at = list.length - appends; good && j < i; j++) {
      if (keys[j] === k && mops[j]![0] === 'append') good = list[at++] === mops[j]![2];
    }
    if (!good) {
      internalSeen = true;
      cases.add('internal', () => {
        const own = mops.slice(lastRead + 1, i).filter((m, j) => keys[lastRead + 1 + j] === k && m[0] === 'append').map((m) => m[2]);
        return internalCase(h, t, mop, `[${lastRead >= 0 ? '' : '…,'}${[...base, ...own].map(show).join(',')}]`);
      });
    }
  }
}

function internalCase(h: TxnHistory, t: number, mop: Mop, expected: string): { key: unknown; txns: number[]; summary: string; explanation: string } {
  return {
    key: mop[1],
    txns: [t],
    summary: `${describeTxn(h, t)} read key ${show(mop[1])} = ${showList(mop[2] as unknown[] | null)}, inconsistent with its own earlier operations on it`,
    explanation:
      `${describeTxn(h, t)} read key ${show(mop[1])} = ${showList(mop[2] as unknown[] | null)}, but its own earlier reads and appends of that key mean it should have seen ${expected}: ` +
      `a transaction must see its own writes and its own earlier reads (internal consistency).`,
  };
}

function futureCase(h: TxnHistory, t: number, mop: Mop, v: unknown): { key: unknown; txns: number[]; summary: string; explanation: string } {
  return {
    key: mop[1],
    txns: [t],
    summary: `${describeTxn(h, t)} read ${show(v)} in key ${show(mop[1])} before appending it itself`,
    explanation:
      `${describeTxn(h, t)} read key ${show(mop[1])} holding ${show(v)} and only later appended ${show(v)} to it itself: ` +
      `it observed one of its own writes before making it (a future read).`,
  };
}
