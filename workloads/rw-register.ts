/**
 * `rw-register`: transactions of `w k v` (unique values per key) and `r k` micro-operations over
 * a few hot keys (Elle's rw-register), checked by `elle` and `stats`. The same generator as
 * `list-append` (./list-append.ts says how it is laid out to find anomalies) with writes that set
 * a register instead of appending. Elle infers less from registers than from lists (a read names
 * the write it saw, not the order of versions), so list-append finds more; rw-register exercises
 * systems that only have registers.
 */
import { txnWorkload } from './list-append.js';

export const rwRegister = txnWorkload(
  'rw-register',
  'transactions of 1-4 register writes (unique values) and reads over a few hot keys shared by every thread, retired after a bounded number of writes; ' +
    'final reads of every key through every node; checked by elle (G0, G1a/b/c, G-single, G2 as far as version orders can be inferred) and stats',
);
