/**
 * Transactions in a history, as Jepsen and Elle write them: an operation with `f: 'txn'` whose
 * value is a list of micro-operations, each a three-element array `[f, key, value]`.
 *
 * - list-append: `['append', k, v]` appends `v` to the list at `k`; `['r', k, list]` reads it.
 * - rw-register: `['w', k, v]` sets `k` to `v`; `['r', k, v]` reads it.
 *
 * Keys and values are JSON scalars (strings, numbers, booleans); `1` and `"1"` are different.
 * On an invocation every read's value is `null` (not known yet); the `ok` completion carries
 * the same micro-operations with the reads filled in (`null` there means the key was empty or
 * absent). `fail` and `info` completions carry the invocation's value: reads stay unknown.
 * Appended and written values must be unique per key across the whole history: that is what
 * lets a checker tell which transaction a read saw.
 *
 * The one definition of the format: workloads produce it, the `elle` checkers consume it
 * (checkers/elle/txn-format.ts validates it), README.md documents it.
 */

/** A key or an element: any JSON scalar. */
export type TxnScalar = string | number | boolean;

/** The `f` of an operation whose value is a transaction. */
export const TXN_F = 'txn';

/** Append `value` to the list at `key` (list-append). */
export type AppendMop = readonly ['append', TxnScalar, TxnScalar];
/** Read the list at `key`: `null` on an invocation, the list (or `null` for empty) on `ok`. */
export type ListReadMop = readonly ['r', TxnScalar, readonly TxnScalar[] | null];
/** Set the register `key` to `value` (rw-register). */
export type WriteMop = readonly ['w', TxnScalar, TxnScalar];
/** Read the register `key`: `null` on an invocation; on `ok` its value, `null` if never set. */
export type RegisterReadMop = readonly ['r', TxnScalar, TxnScalar | null];

/** A list-append transaction. */
export type ListAppendTxn = readonly (AppendMop | ListReadMop)[];
/** An rw-register transaction. */
export type RwRegisterTxn = readonly (WriteMop | RegisterReadMop)[];

/** Any transaction value. */
export type MicroOp = AppendMop | ListReadMop | WriteMop | RegisterReadMop;
export type Txn = readonly MicroOp[];

/** The two kinds of transactional history the `elle` checkers understand. */
export type TxnKind = 'list-append' | 'rw-register';
