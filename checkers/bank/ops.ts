/**
 * A bank history, paired: reads of all balances and transfers between accounts, each with its
 * real-time interval (history positions), as Jepsen's bank workload writes them:
 *
 *   {f: 'transfer', value: {from: 1, to: 3, amount: 5}}   (the same value on its completion)
 *   {f: 'read', value: null}  →  {type: 'ok', f: 'read', value: {"0": 10, "1": 20, ...}}
 *
 * Account ids may be numbers or strings; they are compared as strings (JSON and EDN maps key
 * them that way).
 */
import type { Op } from '../../src/api/op.js';

export interface BankRead {
  op: Op;
  invoke: Op;
  balances: Record<string, unknown>;
}

export interface BankTransfer {
  invoke: Op;
  /** Undefined when the history ends before it completes. */
  completion?: Op;
  from: string;
  to: string;
  amount: number;
}

export interface BankOps {
  reads: BankRead[];
  /** Transfers that may have happened: ok, info, or never completed. */
  transfers: BankTransfer[];
  failedTransfers: number;
  /** Accounts named by any read or transfer. */
  accounts: Set<string>;
}

/** Thrown for a read or transfer of the wrong shape; the checker answers unknown. */
export class BankFormatError extends Error {}

function transferOf(op: Op): Omit<BankTransfer, 'invoke'> {
  const v = op.value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || typeof v['amount'] !== 'number' || v['from'] === undefined || v['to'] === undefined) {
    throw new BankFormatError(`op #${op.index}: a transfer's value must be {from, to, amount}, got ${JSON.stringify(op.value)}`);
  }
  return { from: String(v['from']), to: String(v['to']), amount: v['amount'] };
}

export function bankOps(history: readonly Op[]): BankOps {
  const open = new Map<number, Op>();
  const out: BankOps = { reads: [], transfers: [], failedTransfers: 0, accounts: new Set() };
  const maybe = (inv: Op, completion?: Op): void => {
    const t = { invoke: inv, ...transferOf(inv), ...(completion && { completion }) };
    out.transfers.push(t);
    out.accounts.add(t.from).add(t.to);
  };
  for (const op of history) {
    if (op.process === 'nemesis' || (op.f !== 'read' && op.f !== 'transfer')) continue;
    if (op.type === 'invoke') {
      const prev = open.get(op.process);
      if (prev?.f === 'transfer') maybe(prev);
      open.set(op.process, op);
      continue;
    }
    const inv = open.get(op.process);
    if (!inv) continue;
    open.delete(op.process);
    if (inv.f === 'transfer') {
      if (op.type === 'fail') out.failedTransfers++;
      else maybe(inv, op);
    } else if (op.type === 'ok') {
      const v = op.value;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BankFormatError(`op #${op.index}: a read's value must be a map of accounts to balances, got ${JSON.stringify(v)}`);
      const balances = v as Record<string, unknown>;
      for (const a of Object.keys(balances)) out.accounts.add(a);
      out.reads.push({ op, invoke: inv, balances });
    }
  }
  for (const inv of open.values()) if (inv.f === 'transfer') maybe(inv);
  return out;
}
