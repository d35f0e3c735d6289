/**
 * Lost updates (Elle, after Adya's H_lu): two or more committed transactions that each read
 * the same state of a key and then wrote the key. Whichever a serial order puts second should
 * have read the first one's write, so one read-modify-write was lost. Found directly, in
 * linear time, because the version orders may miss the edges that would show it as a cycle.
 */
import type { CaseLog } from './cases.js';
import { describeTxn, type Mop, type TxnHistory } from './history.js';
import { IntVec } from './int-vec.js';
import { show, showValue } from './render.js';

/** Reads followed by a write of the same key in one committed transaction. */
export class LostUpdateCandidates {
  /** The state read (an element id, or the key's initial state). */
  readonly state = new IntVec();
  readonly txn = new IntVec();
  /** Index of the read among the transaction's micro-operations. */
  readonly mop = new IntVec();

  add(state: number, t: number, mop: number): void {
    this.state.push(state);
    this.txn.push(t);
    this.mop.push(mop);
  }
}

/** Two read results are the same: equal scalars, or equal lists (a list read of `null` is empty). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const x = a === null ? [] : a;
  const y = b === null ? [] : b;
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function lostUpdates(h: TxnHistory, lost: LostUpdateCandidates, cases: CaseLog): void {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < lost.state.length; i++) {
    const s = lost.state.data[i]!;
    const g = groups.get(s);
    if (g) g.push(i);
    else groups.set(s, [i]);
  }
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const readOf = (i: number): Mop => h.mops[lost.txn.data[i]!]![lost.mop.data[i]!]!;
    const first = readOf(members[0]!);
    // One state id is one value for consistent reads; confirm, for reads that are not.
    const same = members.filter((i) => sameValue(readOf(i)[2], first[2]));
    if (same.length < 2) continue;
    const txns = same.map((i) => lost.txn.data[i]!);
    const key = first[1];
    const value = showValue(first[2]);
    cases.add('lost-update', () => ({
      key,
      txns,
      summary: `${txns.length} transactions read key ${show(key)} = ${value} and then each wrote it`,
      explanation:
        `${txns.map((t) => describeTxn(h, t)).join(', ')} each read key ${show(key)} = ${value} and then wrote it, and all committed. ` +
        `Whichever came second in a serial order would have read the first one's write: one read-modify-write was lost (lost update).`,
    }));
  }
}
