/**
 * How explanations write values, lists and transactions: JSON for scalars (so `1` and `"1"`
 * stay apart, as in the history), long lists cut in the middle (the end of a read is what a
 * dependency is about), transactions as their micro-operations.
 */
import type { Mop } from './history.js';

/** A key or element. */
export function show(x: unknown): string {
  return JSON.stringify(x) ?? String(x);
}

/** Lists longer than this are shortened to their head and tail. */
const LIST_MAX = 12;

/** A read list: `[1,2,3]`, or `[1,2,3,…40 more…,44,45,46,47,48]`. */
export function showList(list: readonly unknown[] | null): string {
  if (list === null || list.length === 0) return '[]';
  if (list.length <= LIST_MAX) return `[${list.map(show).join(',')}]`;
  const head = list.slice(0, 3).map(show);
  const tail = list.slice(-5).map(show);
  return `[${head.join(',')},…${list.length - 8} more…,${tail.join(',')}]`;
}

/** A read's result: a list or a scalar. */
export function showValue(v: unknown): string {
  return Array.isArray(v) ? showList(v) : show(v);
}

/** A micro-operation: `["append","x",3]`, `["r","x",[1,2]]`. */
export function showMop(mop: Mop): string {
  return `[${show(mop[0])},${show(mop[1])},${showValue(mop[2])}]`;
}

/** Transactions with more micro-operations than this are shortened. */
const TXN_MAX = 16;

/** A transaction's micro-operations. */
export function showTxn(mops: readonly Mop[]): string {
  const shown = mops.slice(0, TXN_MAX).map(showMop);
  if (mops.length > TXN_MAX) shown.push(`…${mops.length - TXN_MAX} more`);
  return `[${shown.join(',')}]`;
}

/** "1 transaction", "3 transactions". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
