/**
 * Checks transaction values against the format of src/api/txn.ts and tells list-append from
 * rw-register histories.
 *
 * Why per micro-operation, called from the analyses' first pass: that pass reads every
 * micro-operation anyway, and a history of a million transactions is too big to walk twice for
 * nothing; checking each one where it is first read turns a malformed history into one clear
 * sentence (which operation, which micro-operation, what is wrong) instead of a wrong verdict.
 */
import type { TxnKind } from '../../src/api/txn.js';

/** A key, element or value: a string, a finite number or a boolean. */
export function isScalar(x: unknown): boolean {
  const t = typeof x;
  return t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(x));
}

/**
 * The kind of history a micro-operation belongs to, when it tells: an append or a list read
 * is list-append, a write or a scalar read rw-register (`completed`: reads carry results).
 */
export function mopKind(mop: unknown, completed: boolean): TxnKind | undefined {
  if (!Array.isArray(mop)) return undefined;
  if (mop[0] === 'append') return 'list-append';
  if (mop[0] === 'w') return 'rw-register';
  if (mop[0] !== 'r' || !completed || mop[2] === null || mop[2] === undefined) return undefined;
  return Array.isArray(mop[2]) ? 'list-append' : 'rw-register';
}

/**
 * What is wrong with micro-operation i of a transaction in a `kind` history, or undefined.
 * `completed`: an `ok` completion, whose reads carry results (an invocation's reads are
 * unknown whatever they hold). A list's elements are checked where they are first looked at
 * (list-append/tables.ts): every other read repeats them, so checking each read's would cost
 * the most of all.
 */
export function mopProblem(mop: unknown, i: number, kind: TxnKind, completed: boolean): string | undefined {
  if (!Array.isArray(mop) || mop.length !== 3) return `micro-operation ${i} must be [f, key, value], got ${brief(mop)}`;
  const f: unknown = mop[0];
  const v: unknown = mop[2];
  if (!isScalar(mop[1])) return `micro-operation ${i} has key ${brief(mop[1])}; keys are strings, numbers or booleans`;
  const write = kind === 'list-append' ? 'append' : 'w';
  if (f === write) return isScalar(v) ? undefined : `micro-operation ${i} (${f}) has value ${brief(v)}; values are strings, numbers or booleans`;
  if (f === 'append' || f === 'w' || (f === 'r' && completed && v !== null && mopKind(mop, true) !== kind)) {
    return `micro-operation ${i} is ${brief(mop)}: the history mixes list-append and rw-register micro-operations`;
  }
  if (f === 'r') return completed && v !== null && !Array.isArray(v) && !isScalar(v) ? `micro-operation ${i} read ${brief(v)}; a read returns a list, a scalar or null` : undefined;
  return `micro-operation ${i} has f ${brief(f)}; expected "append", "w" or "r"`;
}

/** A value shortened for an error message. */
export function brief(x: unknown): string {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
