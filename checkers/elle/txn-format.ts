/**
 * Validates transaction values against the format of src/api/txn.ts and tells list-append from
 * rw-register histories.
 *
 * Why a separate pass: the inference code reads micro-operations in tight loops and trusts
 * their shape; checking every one once, up front, turns a malformed history into one clear
 * sentence (which operation, which micro-operation, what is wrong) instead of a wrong verdict.
 */
import type { TxnKind } from '../../src/api/txn.js';

/** What a history's micro-operations say about its kind. */
export interface KindEvidence {
  appends: number;
  writes: number;
  /** Reads on `ok` completions whose value is a list / a scalar. */
  listReads: number;
  scalarReads: number;
}

export function emptyEvidence(): KindEvidence {
  return { appends: 0, writes: 0, listReads: 0, scalarReads: 0 };
}

/** A key, element or value: a string, a finite number or a boolean. */
export function isScalar(x: unknown): boolean {
  const t = typeof x;
  return t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(x));
}

/**
 * Check one transaction value; `completed` says whether reads carry results (an `ok`
 * completion). Counts what it sees into `ev`. Returns undefined when the value is well formed,
 * else what is wrong.
 */
export function txnProblem(value: unknown, completed: boolean, ev: KindEvidence): string | undefined {
  if (!Array.isArray(value)) return `its value must be a list of micro-operations, got ${brief(value)}`;
  for (let i = 0; i < value.length; i++) {
    const mop: unknown = value[i];
    if (!Array.isArray(mop) || mop.length !== 3) return `micro-operation ${i} must be [f, key, value], got ${brief(mop)}`;
    const f: unknown = mop[0];
    const k: unknown = mop[1];
    const v: unknown = mop[2];
    if (!isScalar(k)) return `micro-operation ${i} has key ${brief(k)}; keys are strings, numbers or booleans`;
    if (f === 'append' || f === 'w') {
      if (!isScalar(v)) return `micro-operation ${i} (${f}) has value ${brief(v)}; values are strings, numbers or booleans`;
      if (f === 'append') ev.appends++;
      else ev.writes++;
    } else if (f === 'r') {
      if (v === null || v === undefined) continue;
      if (!completed) continue; // An invocation's reads are unknown whatever they hold.
      // A list's elements are checked where they are first looked at (list-append/tables.ts):
      // every other read must repeat them, so checking each read's would cost the most of all.
      if (Array.isArray(v)) ev.listReads++;
      else if (isScalar(v)) ev.scalarReads++;
      else return `micro-operation ${i} read ${brief(v)}; a read returns a list, a scalar or null`;
    } else {
      return `micro-operation ${i} has f ${brief(f)}; expected "append", "w" or "r"`;
    }
  }
  return undefined;
}

/**
 * The kind the evidence points to, or a sentence saying why it is ambiguous. Only reads of
 * nothing (no appends, writes or filled reads) count as list-append: nothing is checked then.
 */
export function kindOf(ev: KindEvidence): TxnKind | string {
  const listy = ev.appends > 0 || ev.listReads > 0;
  const registery = ev.writes > 0 || ev.scalarReads > 0;
  if (listy && registery) {
    return `the history mixes list-append (${ev.appends} appends, ${ev.listReads} list reads) and rw-register (${ev.writes} writes, ${ev.scalarReads} scalar reads) micro-operations`;
  }
  return registery ? 'rw-register' : 'list-append';
}

/** A value shortened for an error message. */
export function brief(x: unknown): string {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
