// The bank over the transactional nodes: the shard store's `add` (overdrafts refused), the bank
// client's requests and read answers, and the bank workload's phases run against a serial bank,
// whose histories the bank checker must pass, and fail once a read is tampered with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bank as bankChecker } from '../../../checkers/bank/index.js';
import type { Op } from '../../../src/api/op.js';
import { simulate, type SimCompletion } from '../../../src/gen/simulate.js';
import { bankCompletion, bankRequest, type Transfer } from '../../../src/node/txn/clients.js';
import { parseTxnRequest } from '../../../src/node/txn/protocol.js';
import { ShardStore } from '../../../src/node/txn/shard-store.js';
import type { Invocation } from '../../../src/api/client.js';
import { bank, initialBalances } from '../../../workloads/bank.js';

describe('bank over the transactional nodes', () => {
  it('adds to registers and refuses an overdraft without locking anything', () => {
    const store = new ShardStore();
    store.apply('register', [['a', 10]]);
    const ok = store.prepare('t1', 'register', [[0, ['add', 'a', -4]], [1, ['r', 'a', null]]]);
    expect(ok).toMatchObject({ yes: true, writes: [['a', 6]], results: [[1, 6]] });
    store.finish('t1', 'register', true);
    expect(store.list('a')).toEqual([6]);
    expect(store.prepare('t2', 'register', [[0, ['add', 'a', -7]]])).toMatchObject({ yes: false, why: '"a" holds 6, cannot add -7' });
    expect(store.prepare('t3', 'register', [[0, ['add', 'a', -6]], [1, ['add', 'b', 6]]])).toMatchObject({ yes: true, writes: [['a', 0], ['b', 6]] });
  });

  it('accepts add only in register transactions, with a number', () => {
    expect(parseTxnRequest('{"id":1,"f":"txn","registers":true,"value":[["add","a",-5],["add","b",5]]}')).toMatchObject({ kind: 'kv' });
    expect(parseTxnRequest('{"id":1,"f":"txn","value":[["add","a",5]]}')).toMatchObject({ kind: 'bad' });
    expect(parseTxnRequest('{"id":1,"f":"txn","registers":true,"value":[["add","a","5"]]}')).toMatchObject({ kind: 'bad' });
  });

  it('turns bank operations into register transactions, and a read reply into balances by account', () => {
    expect(bankRequest({ f: 'init', value: [[0, 50], [1, 50]] })).toEqual({ f: 'txn', registers: true, value: [['w', 0, 50], ['w', 1, 50]] });
    expect(bankRequest({ f: 'transfer', value: { from: 1, to: 0, amount: 3 } })).toEqual({ f: 'txn', registers: true, value: [['add', 1, -3], ['add', 0, 3]] });
    const read: Invocation = { f: 'read', value: [0, 1] };
    const req = bankRequest(read);
    expect(bankCompletion(read, req, { id: 1, type: 'ok', value: [['r', 0, 47], ['r', 1, null]] })).toEqual({ type: 'ok', value: { '0': 47, '1': null } });
    const move: Invocation = { f: 'transfer', value: { from: 1, to: 0, amount: 3 } };
    expect(bankCompletion(move, bankRequest(move), { id: 2, type: 'ok', value: [] })).toEqual({ type: 'ok', value: move.value });
    expect(bankCompletion(move, bankRequest(move), { id: 2, type: 'fail', error: 'aborted', message: 'm' })).toMatchObject({ type: 'fail', value: move.value });
  });

  it('property: initial balances are never negative and sum to the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 50 }), fc.nat(10_000), (accounts, total) => {
        const balances = initialBalances(accounts, total);
        expect(balances.map(([a]) => a)).toEqual(Array.from({ length: accounts }, (_, a) => a));
        expect(balances.reduce((s, [, b]) => s + b, 0)).toBe(total);
        const amounts = balances.map(([, b]) => b).sort((a, b) => a - b);
        expect(amounts.at(-1)! - amounts[0]!).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('property: the workload run against a serial bank passes the checker, and any tampered read fails it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 2, max: 6 }), fc.nat(200), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 9 }))), async (seed, accounts, total, tamper) => {
        const options = { accounts, total, 'max-transfer': 5, 'read-share': 0.5, 'negative-balances': 'forbidden' };
        const w = bank.build({ keyCount: 1, opsPerKey: 1, concurrency: 3, rate: 10, nodes: ['n1'], options });
        const balances = new Map<number, number>();
        const serial = (op: Invocation): SimCompletion => {
          if (op.f === 'init') for (const [a, b] of op.value as [number, number][]) balances.set(a, b);
          if (op.f === 'read') return { type: 'ok', value: Object.fromEntries((op.value as number[]).map((a) => [String(a), balances.get(a) ?? null])), latencyMs: 1 };
          if (op.f !== 'transfer') return { type: 'ok', value: op.value, latencyMs: 1 };
          const { from, to, amount } = op.value as Transfer;
          const held = balances.get(from as number)!;
          if (held < amount) return { type: 'fail', value: op.value, latencyMs: 1 };
          balances.set(from as number, held - amount);
          balances.set(to as number, balances.get(to as number)! + amount);
          return { type: 'ok', value: op.value, latencyMs: 1 };
        };
        const phases = [
          simulate(w.setup!, { threads: 3, seed, phase: 'setup', complete: serial }),
          simulate(w.generator, { threads: 3, seed, untilMs: 2000, gapMs: 50, complete: serial }),
          simulate(w.finalGenerator!, { threads: 3, seed, phase: 'final', complete: serial }),
        ];
        let index = 0;
        const history: Op[] = phases.flat().map((op) => ({ ...op, index: index++ }) as Op);
        const reads = history.filter((op) => op.f === 'read' && op.type === 'ok');
        expect(reads.length).toBeGreaterThan(0);
        if (tamper) {
          const read = reads[tamper[0] % reads.length]!;
          const balances = read.value as Record<string, number>;
          balances['0'] = balances['0']! + tamper[1];
        }
        const result = await w.checkers['bank']!.check(history, {});
        expect(result.valid).toBe(tamper === null);
      }),
      { numRuns: 40 },
    );
  });
});
