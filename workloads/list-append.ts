/**
 * `list-append`: transactions of `append k v` and `read k` micro-operations over a few keys
 * (Jepsen's / Elle's list-append), checked by `elle` for the consistency model asked for
 * (strict serializability by default), plus `stats`.
 *
 * Laid out to find isolation anomalies, not only to exercise the system:
 * - Hot keys shared in *time*: at any moment every thread draws its keys from the same
 *   `--key-count` keys, and all threads move to fresh keys together (the key windows of the
 *   `register` workload), so every transaction contends with what the others do right now.
 * - Keys retire after a bounded number of appends, so lists stay short and every read says
 *   exactly which appends it saw. A window lasts about long enough for `max-writes-per-key`
 *   appends per key at the requested rate; besides, each thread appends to a key of a window at
 *   most its share (`floor(max-writes-per-key / threads)`, at least one) and then only reads
 *   it, so no list grows past the bound (or `threads`, if larger), whatever the real rate.
 * - Appended values are unique per key (`counter * threads + thread + 1`, each thread counting
 *   on its own), which is what lets Elle tell which transaction a read saw.
 * - Reads are mixed into the same transactions as appends, on the same keys: reads of several
 *   keys in one transaction are where a partially committed or dirty transaction shows up as a
 *   cycle (G1c, G-single, G2), and reads of a key after a failed append show aborted reads (G1a).
 * - A final phase after recovery reads every key of the run (the last `FINAL_WINDOWS` windows)
 *   once through every node, in transactions of reads, so lost appends show.
 *
 * `txnWorkload` builds it, and `rw-register` (./rw-register.ts) from the same generator with
 * register writes (`w k v`) in place of appends.
 */
import type { Invocation } from '../src/api/client.js';
import type { GenContext, GenStep, Generator } from '../src/api/generator.js';
import type { MicroOp, Txn, TxnKind } from '../src/api/txn.js';
import { TXN_F } from '../src/api/txn.js';
import type { WorkloadContext, WorkloadDef } from '../src/api/workload.js';
import { fromContext, repeat, seq, timeLimit, untilOk } from '../src/gen/combinators.js';
import { elle, MODELS } from '../checkers/elle/index.js';
import { stats } from '../checkers/stats.js';
import { finalKeys, MIN_WINDOW_MS, nodeShare } from './register.js';

/** How long the final reads may take in all; reads still failing then are given up. */
const FINAL_READS_MS = 10_000;

/** The shape of the transactions, from the workload's options. */
export interface TxnShape {
  /** The write micro-operation: `append` (list-append) or `w` (rw-register). */
  write: 'append' | 'w';
  keyCount: number;
  minLength: number;
  maxLength: number;
  /** Share of micro-operations that are reads (those drawn as appends on a retired key read too). */
  readShare: number;
  maxWritesPerKey: number;
}

export function txnShape(ctx: Pick<WorkloadContext, 'keyCount' | 'options'>, kind: TxnKind = 'list-append'): TxnShape {
  const minLength = Number(ctx.options['min-txn-length']);
  const maxLength = Number(ctx.options['max-txn-length']);
  if (minLength > maxLength) throw new Error(`list-append: --min-txn-length ${minLength} is above --max-txn-length ${maxLength}`);
  return { write: kind === 'list-append' ? 'append' : 'w', keyCount: ctx.keyCount, minLength, maxLength, readShare: Number(ctx.options['read-share']), maxWritesPerKey: Number(ctx.options['max-writes-per-key']) };
}

/**
 * Milliseconds each key window lasts: long enough for about `maxWritesPerKey` appends per key at
 * the requested rate, at least MIN_WINDOW_MS.
 */
export function appendWindowMs(shape: TxnShape, rate: number): number {
  const appendsPerSecond = rate * ((shape.minLength + shape.maxLength) / 2) * Math.max(0.01, 1 - shape.readShare);
  return Math.max(MIN_WINDOW_MS, (1000 * shape.maxWritesPerKey * shape.keyCount) / appendsPerSecond);
}

/** Appends one thread may make to one key: its share of the key's bound. */
export function appendsPerThread(maxWritesPerKey: number, threads: number): number {
  return Math.max(1, Math.floor(maxWritesPerKey / threads));
}

/**
 * One thread's transactions: immutable, like every generator; it remembers the window it last
 * drew from, how many appends it made to each of that window's keys, and its value counter.
 */
class TxnOps implements Generator {
  constructor(
    private readonly shape: TxnShape,
    private readonly windowMs: number,
    private readonly window = -1,
    private readonly appended: readonly number[] = [],
    private readonly counter = 0,
  ) {}

  op(g: GenContext): GenStep {
    const { write, keyCount, minLength, maxLength, readShare, maxWritesPerKey } = this.shape;
    const window = Math.floor(Math.max(0, g.time) / this.windowMs);
    const appended = window === this.window ? [...this.appended] : new Array<number>(keyCount).fill(0);
    const cap = appendsPerThread(maxWritesPerKey, g.threads);
    const length = minLength + g.rng.int(maxLength - minLength + 1);
    let counter = this.counter;
    const txn: MicroOp[] = [];
    for (let i = 0; i < length; i++) {
      const k = g.rng.int(keyCount);
      const key = window * keyCount + k;
      if (g.rng.float() >= readShare && (appended[k] as number) < cap) {
        appended[k] = (appended[k] as number) + 1;
        txn.push([write, key, counter++ * g.threads + g.thread + 1]);
      } else {
        txn.push(['r', key, null]);
      }
    }
    const value: Txn = txn;
    return { op: { f: TXN_F, value }, gen: new TxnOps(this.shape, this.windowMs, window, appended, counter) };
  }

  update(): Generator {
    return this;
  }
}

/** Transactions of reads of `keys`, `maxLength` keys each, in order. */
export function readTxns(keys: readonly number[], maxLength: number): Invocation[] {
  const out: Invocation[] = [];
  for (let i = 0; i < keys.length; i += maxLength) {
    const value: Txn = keys.slice(i, i + maxLength).map((k): MicroOp => ['r', k, null]);
    out.push({ f: TXN_F, value });
  }
  return out;
}

/** A transactional workload of `kind`: list-append and rw-register differ only in their write. */
export function txnWorkload(kind: TxnKind, description: string): WorkloadDef {
  return {
    name: kind,
    description,
    options: {
      'min-txn-length': { describe: 'fewest micro-operations in a transaction', default: 1, min: 1, max: 64, integer: true },
      'max-txn-length': { describe: 'most micro-operations in a transaction', default: 4, min: 1, max: 64, integer: true },
      'read-share': { describe: 'share of micro-operations that are reads (the rest write)', default: 0.5, min: 0, max: 1 },
      'max-writes-per-key': { describe: 'writes to one key before it retires (fresh keys replace it)', default: 32, min: 1, max: 100_000, integer: true },
      'consistency-model': { describe: 'the model elle checks the history against', default: 'strict-serializable', choices: MODELS },
    },
    build(ctx) {
      const shape = txnShape(ctx, kind);
      const windowMs = appendWindowMs(shape, ctx.rate);
      const finalReads = fromContext((g) => {
        const keys = finalKeys(g.phaseStart, windowMs, shape.keyCount).map(Number);
        const txns = readTxns(nodeShare(g, keys), shape.maxLength);
        return timeLimit(FINAL_READS_MS, seq(...txns.map((txn) => untilOk(repeat(() => txn)))));
      });
      return {
        generator: new TxnOps(shape, windowMs),
        finalGenerator: finalReads,
        checkers: { elle: elle({ consistencyModels: [String(ctx.options['consistency-model'])], kind }), stats: stats() },
      };
    },
  };
}

export const listAppend = txnWorkload(
  'list-append',
  'transactions of 1-4 appends (unique values) and reads over a few hot keys shared by every thread, retired after a bounded number of appends; ' +
    'final reads of every key through every node; checked by elle (dependency cycles: G0, G1a/b/c, G-single, G2, lost appends) and stats',
);
