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
