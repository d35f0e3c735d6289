/**
 * A brute-force serializability oracle for tiny transactional histories, written apart from the
 * checker: it tries every order of the committed transactions (and every choice of which
 * unknown-outcome ones happened), runs them one by one against an empty store, and asks
 * whether every committed read sees what it returned. With `realtime`, an order must also put
 * each committed transaction before every transaction invoked after it completed (strict
 * serializability).
 */
import type { Op } from '../../../src/api/op.js';

type Mop = [string, unknown, unknown];

interface OracleTxn {
  mops: Mop[];
  /** Committed: must be placed, and its reads must match. Otherwise it may be left out. */
  committed: boolean;
  invoked: number;
  /** History position of the completion (Infinity when unknown). */
  completed: number;
}

function txns(history: readonly Op[]): OracleTxn[] {
  const open = new Map<number, { op: Op; pos: number }>();
  const out: OracleTxn[] = [];
  const unknown = (inv: { op: Op; pos: number }): void => void out.push({ mops: inv.op.value as Mop[], committed: false, invoked: inv.pos, completed: Infinity });
  history.forEach((op, pos) => {
    if (op.process === 'nemesis' || op.f !== 'txn') return;
    const p = op.process;
    if (op.type === 'invoke') {
      const prev = open.get(p);
      if (prev) unknown(prev);
      open.set(p, { op, pos });
      return;
    }
    const inv = open.get(p);
    if (!inv) return;
    open.delete(p);
    if (op.type === 'ok') out.push({ mops: op.value as Mop[], committed: true, invoked: inv.pos, completed: pos });
    else if (op.type === 'info') unknown(inv);
  });
  for (const inv of open.values()) unknown(inv);
  return out;
}

/** Nothing there: an absent key, a null read, an empty list. */
function empty(x: unknown): boolean {
  return x === null || x === undefined || (Array.isArray(x) && x.length === 0);
}

function sameRead(seen: unknown, want: unknown): boolean {
  if (empty(seen) || empty(want)) return empty(seen) && empty(want);
  if (Array.isArray(seen) && Array.isArray(want)) return seen.length === want.length && seen.every((x, i) => x === want[i]);
  return seen === want;
}

/** Run `t` against `store` (a copy is made); undefined when one of its reads cannot be. */
function apply(t: OracleTxn, store: Map<unknown, unknown>): Map<unknown, unknown> | undefined {
  const next = new Map(store);
  for (const [f, k, v] of t.mops) {
    if (f === 'append') next.set(k, [...((next.get(k) as unknown[] | undefined) ?? []), v]);
    else if (f === 'w') next.set(k, v);
    else if (t.committed && !sameRead(next.get(k), v)) return undefined;
  }
  return next;
}

/** Is there a serial order (respecting real time when asked) in which every committed read holds? */
export function serializableByBruteForce(history: readonly Op[], realtime: boolean): boolean {
  const all = txns(history);
  const placed = new Array<boolean>(all.length).fill(false);
  const ready = (i: number): boolean =>
    !realtime || all.every((o, j) => placed[j] || !o.committed || o.completed > all[i]!.invoked);
  const search = (store: Map<unknown, unknown>, left: number): boolean => {
    if (all.every((t, i) => placed[i] || !t.committed)) return true;
    if (left === 0) return false;
    for (let i = 0; i < all.length; i++) {
      if (placed[i] || !ready(i)) continue;
      const next = apply(all[i]!, store);
      if (!next) continue;
      placed[i] = true;
      const found = search(next, left - 1);
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search(new Map(), all.length);
}
