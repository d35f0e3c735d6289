/**
 * Writing transactional histories by hand in tests: `run` a transaction (invoked and completed
 * at once), or `invoke` several and complete them later to make them concurrent.
 */
import type { Op, OpType } from '../../../src/api/op.js';

export type Mop = [string, unknown, unknown];

export class Txns {
  readonly ops: Op[] = [];
  private readonly open = new Map<number, Mop[]>();

  private push(type: OpType, process: number, value: unknown): void {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1_000_000, type, process, f: 'txn', value });
  }

  /** Invoke `mops` on `process` (reads are sent as null, as clients do). */
  invoke(process: number, mops: Mop[]): this {
    const value = mops.map((m): Mop => (m[0] === 'r' ? ['r', m[1], null] : m));
    this.open.set(process, value);
    this.push('invoke', process, value);
    return this;
  }

  /** Complete `process`'s open transaction: `ok` with its results, or `fail`/`info` with the invocation's value. */
  complete(process: number, type: 'ok' | 'fail' | 'info', mops?: Mop[]): this {
    const value = type === 'ok' ? mops : this.open.get(process);
    this.open.delete(process);
    this.push(type, process, value);
    return this;
  }

  ok(process: number, mops: Mop[]): this {
    return this.complete(process, 'ok', mops);
  }

  /** One transaction, invoked and completed at once. */
  run(process: number, mops: Mop[], type: 'ok' | 'fail' | 'info' = 'ok'): this {
    return this.invoke(process, mops).complete(process, type, mops);
  }
}

/**
 * Elle's shorthand for list-append transactions, as its tests write them: `ax1` appends 1 to
 * x, `rx12` reads x = [1, 2], `rx` reads x empty (nil); `ax1ry1` is both in one transaction.
 * Keys are single letters, elements single digits.
 */
export function shorthand(s: string): Mop[] {
  const mops: Mop[] = [];
  for (const c of s) {
    const cur = mops[mops.length - 1];
    if (c === 'a' || c === 'r') mops.push([c === 'a' ? 'append' : 'r', undefined, null]);
    else if (/[a-z]/.test(c)) cur![1] = c;
    else if (cur![0] === 'append') cur![2] = Number(c);
    else cur![2] = [...((cur![2] as number[] | null) ?? []), Number(c)];
  }
  return mops;
}

/** A transaction in Elle's shorthand, with how it ended (default ok). */
export type Short = string | { txn: string; type: 'ok' | 'fail' | 'info' };

function parts(t: Short): [Mop[], 'ok' | 'fail' | 'info'] {
  return typeof t === 'string' ? [shorthand(t), 'ok'] : [shorthand(t.txn), t.type];
}

/** All invoked at once, each on its own process, then all completed: no order between them but the data's. */
export function concurrent(txns: Short[]): Op[] {
  const h = new Txns();
  txns.forEach((t, p) => h.invoke(p, parts(t)[0]));
  txns.forEach((t, p) => h.complete(p, parts(t)[1], parts(t)[0]));
  return h.ops;
}

/** One after another on one process (Elle's `(mapcat pair ...)` histories). */
export function serial(txns: Short[]): Op[] {
  const h = new Txns();
  for (const t of txns) h.run(0, ...parts(t));
  return h.ops;
}
