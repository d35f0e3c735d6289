/**
 * The bank checker: reads of all accounts must sum to the total and stay non-negative; a bad
 * read is explained with the transfers in flight around it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op, OpType } from '../../src/api/op.js';
import { bank } from '../../checkers/bank/index.js';

class Bank {
  readonly ops: Op[] = [];
  private push(type: OpType, process: number, f: string, value: unknown): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1000, type, process, f, value });
    return this;
  }
  transfer(p: number, from: number, to: number, amount: number, type: 'ok' | 'fail' | 'info' = 'ok'): this {
    return this.push('invoke', p, 'transfer', { from, to, amount }).push(type, p, 'transfer', { from, to, amount });
  }
  read(p: number, balances: Record<string, number | null>): this {
    return this.push('invoke', p, 'read', null).push('ok', p, 'read', balances);
  }
  invoke(p: number, f: string, value: unknown): this {
    return this.push('invoke', p, f, value);
  }
  complete(p: number, f: string, type: OpType, value: unknown): this {
    return this.push(type, p, f, value);
  }
}

describe('bank', () => {
  it('accepts reads that all sum to the total', async () => {
    const h = new Bank().read(0, { '0': 10, '1': 10 }).transfer(1, 0, 1, 3).read(0, { '0': 7, '1': 13 }).transfer(1, 1, 0, 20, 'fail').read(2, { '0': 7, '1': 13 });
    const r = await bank({ total: 20, accounts: [0, 1] }).check(h.ops, {});
    expect(r.valid).toBe(true);
    expect(r.summary).toMatch(/every read sums to 20 and no balance is negative/);
  });

  it('explains a wrong total with the transfer in flight whose amount it is', async () => {
    const h = new Bank()
      .read(0, { '0': 10, '1': 10 })
      .invoke(1, 'transfer', { from: 0, to: 1, amount: 4 })
      .read(0, { '0': 6, '1': 10 })
      .complete(1, 'transfer', 'ok', { from: 0, to: 1, amount: 4 })
      .read(0, { '0': 6, '1': 14 });
    const r = await bank({ total: 20 }).check(h.ops, {});
    expect(r.valid).toBe(false);
    const a = r.anomalies!.find((x) => x.kind === 'wrong-total')!;
    expect(a.summary).toBe('op #4 (process 0) read balances summing to 16, not 20');
    expect(a.explanation).toMatch(/4 missing/);
    expect(a.explanation).toMatch(/The difference is the amount of op #5 \(4 from 0 to 1\)/);
    expect(a.explanation).toMatch(/The last read that completed before it and summed to 20 was op #1/);
    expect(a.ops.map((o) => o.index)).toEqual([2, 3, 4, 5]);
  });

  it('flags negative balances unless they are allowed', async () => {
    const h = new Bank().read(0, { '0': 10, '1': 10 }).transfer(1, 0, 1, 15).read(0, { '0': -5, '1': 25 });
    const strict = await bank({ total: 20 }).check(h.ops, {});
    expect(strict.anomalies!.map((a) => a.kind)).toEqual(['negative-value']);
    expect(strict.anomalies![0]!.explanation).toMatch(/account 0 = -5 is negative/);
    expect((await bank({ total: 20, negativeBalances: true }).check(h.ops, {})).valid).toBe(true);
  });

  it('flags missing balances and accounts that should not exist', async () => {
    const h = new Bank().read(0, { '0': 10, '1': null }).read(0, { '0': 10, '1': 5, '7': 5 });
    const r = await bank({ total: 20, accounts: [0, 1] }).check(h.ops, {});
    expect(r.anomalies!.map((a) => a.kind).sort()).toEqual(['nil-balance', 'unexpected-key']);
  });

  it('infers the total from the reads when it is not given, and says so', async () => {
    const h = new Bank().read(0, { a: 5, b: 5 }).read(0, { a: 4, b: 5 }).read(0, { a: 5, b: 5 });
    const r = await bank().check(h.ops, {});
    expect(r.valid).toBe(false);
    expect(r.summary).toMatch(/against a total of 10 \(the total most reads agree on/);
  });

  it('is unknown without reads, and for a read of the wrong shape', async () => {
    expect((await bank().check(new Bank().transfer(0, 0, 1, 1).ops, {})).valid).toBe('unknown');
    const bad = new Bank().invoke(0, 'read', null).complete(0, 'read', 'ok', [1, 2]);
    const r = await bank().check(bad.ops, {});
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/op #1: a read's value must be a map of accounts to balances/);
  });

  it('passes every serial execution, and catches any balance changed by a read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.nat(3), fc.nat(3), fc.integer({ min: 1, max: 30 }), fc.constantFrom('ok', 'ok', 'fail', 'info')), { minLength: 1, maxLength: 40 }),
        fc.option(fc.tuple(fc.nat(), fc.nat(3), fc.integer({ min: 1, max: 9 }))),
        async (steps, edit) => {
          const balances: Record<string, number> = { '0': 25, '1': 25, '2': 25, '3': 25 };
          const h = new Bank();
          steps.forEach(([isRead, from, to, amount, outcome], p) => {
            if (isRead || from === to) return void h.read(p, { ...balances });
            const applied = outcome === 'ok' || (outcome === 'info' && amount % 2 === 0);
            if (applied && balances[from]! >= amount) {
              balances[from]! -= amount;
              balances[to]! += amount;
              h.transfer(p, from, to, amount, outcome as 'ok' | 'info');
            } else h.transfer(p, from, to, amount, outcome === 'info' ? 'info' : 'fail');
          });
          h.read(99, { ...balances });
          const reads = h.ops.filter((o) => o.type === 'ok' && o.f === 'read');
          if (edit) {
            const [which, account, delta] = edit;
            (reads[which % reads.length]!.value as Record<string, number>)[String(account)]! += delta;
          }
          const r = await bank({ total: 100, accounts: [0, 1, 2, 3] }).check(h.ops, {});
          expect(r.valid).toBe(edit === null);
        },
      ),
      { numRuns: 200 },
    );
  });
});
