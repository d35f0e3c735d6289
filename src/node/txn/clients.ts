/**
 * The faultline clients of the bundled transactional nodes (txn-2pc, txn-3pc), by workload:
 * `list-append` and `rw-register` send the workload's transaction as it is; `bank` turns its
 * operations into register transactions:
 *
 * - `{f: 'init', value: [[acct, balance], ...]}` (the setup phase) → `w` of every balance;
 * - `{f: 'transfer', value: {from, to, amount}}` → `add -amount` to `from` and `add amount` to
 *   `to` in one transaction, which a participant refuses (a definite `fail`) if `from` would go
 *   negative;
 * - `{f: 'read', value: [acct, ...]}` → a read of every account, answered as
 *   `{acct: balance, ...}` (`null` for an account never set), the shape checkers/bank reads.
 */
import type { ClientFactory, Invocation } from '../../api/client.js';
import type { Completion } from '../../api/op.js';
import { TXN_F } from '../../api/txn.js';
import { KvClient, kvCompletion, lineClient } from '../kv/client.js';
import type { WireRequest } from '../kv/connection.js';
import type { KvResponse } from '../kv/protocol.js';
import { registerTxnRequest, txnRequest, type Key, type Mop, type TxnWire } from './protocol.js';

const isTxn = (req: { f: string }): boolean => req.f === TXN_F;

/** A bank transfer as the workload writes it. */
export interface Transfer {
  from: Key;
  to: Key;
  amount: number;
}

/** The register transaction for a bank workload operation. */
export function bankRequest(op: Invocation): TxnWire {
  const txn = (value: Mop[]): TxnWire => ({ f: 'txn', registers: true, value });
  switch (op.f) {
    case 'init':
      return txn((op.value as [Key, number][]).map(([a, b]): Mop => ['w', a, b]));
    case 'transfer': {
      const { from, to, amount } = op.value as Transfer;
      return txn([['add', from, -amount], ['add', to, amount]]);
    }
    case 'read':
      return txn((op.value as Key[]).map((a): Mop => ['r', a, null]));
    default:
      throw new Error(`the bank client cannot do "${op.f}"`);
  }
}

const txnOutcome = kvCompletion(isTxn);

/** A bank read's reply as balances by account; other operations as every transaction's. */
export function bankCompletion(op: Invocation, req: WireRequest, res: KvResponse): Completion {
  const done = txnOutcome(op, req, res);
  if (op.f !== 'read' || done.type !== 'ok') return op.f === 'read' ? done : { ...done, value: op.value };
  const mops = done.value as Mop[];
  return { type: 'ok', value: Object.fromEntries(mops.map(([, account, balance]) => [String(account), balance])) };
}

/** Clients by workload, for every bundled transactional system. */
export const txnClients: Readonly<Record<string, ClientFactory>> = {
  'list-append': lineClient(txnRequest, isTxn),
  'rw-register': lineClient(registerTxnRequest, isTxn),
  bank: { open: async (ctx) => new KvClient(ctx, bankRequest, bankCompletion) },
};
