/**
 * The bank checker (Jepsen's bank test): money moves between accounts by transfers, so every
 * committed read of all the accounts must sum to the same total, and, unless the system allows
 * it, no balance may be negative. Each read is judged on its own, as Jepsen does: the first of
 * these that applies is its error: an account that should not exist (unexpected-key), a
 * missing balance (nil-balance), a sum other than the total (wrong-total), a negative balance
 * (negative-value).
 *
 * A bad read is explained with what was happening around it: the transfers in flight while it
 * ran (one whose amount is the difference is the likely culprit: half applied), and the last
 * read before it that summed right.
 */
import type { Anomaly, CheckResult, Checker } from '../../src/api/checker.js';
import { BankFormatError, bankOps, type BankOps, type BankRead } from './ops.js';

/** Options of the bank checker. */
export interface BankOptions {
  /** The sum of all balances; default: the sum most reads agree on (said in the summary). */
  total?: number;
  /** The accounts; default: every account a read or transfer names (then no key is unexpected). */
  accounts?: readonly (string | number)[];
  /** Whether balances may go negative (default false). */
  negativeBalances?: boolean;
}

type ErrorType = 'unexpected-key' | 'nil-balance' | 'wrong-total' | 'negative-value';

interface ReadError {
  type: ErrorType;
  read: BankRead;
  /** The read's sum (wrong-total), or the accounts at fault. */
  sum: number;
  accounts: string[];
}

/** Examples kept per error type (the first ones, and the worst wrong total). */
const KEEP = 8;

export function bank(opts: BankOptions = {}): Checker {
  return { name: 'bank', check: async (history) => checkBank(history, opts) };
}

function checkBank(history: Parameters<Checker['check']>[0], opts: BankOptions): CheckResult {
  let ops: BankOps;
  try {
    ops = bankOps(history);
  } catch (err) {
    if (err instanceof BankFormatError) return { valid: 'unknown', summary: `Cannot check this history as a bank: ${err.message}.` };
    throw err;
  }
  const accounts = opts.accounts ? new Set(opts.accounts.map(String)) : ops.accounts;
  const sums = ops.reads.map((r) => Object.values(r.balances).reduce((s: number, b) => s + (typeof b === 'number' ? b : 0), 0));
  const total = opts.total ?? mode(sums);
  const inferred = opts.total === undefined && total !== undefined ? ` (the total most reads agree on; pass the real one to be sure)` : '';
  const errors: ReadError[] = [];
  ops.reads.forEach((read, i) => {
    const e = readError(read, sums[i]!, accounts, total, opts.negativeBalances === true);
    if (e) errors.push(e);
  });
  const stats = { reads: ops.reads.length, transfers: ops.transfers.length, failedTransfers: ops.failedTransfers, accounts: accounts.size, total: total ?? 'none', errors: errors.length };
  const what = `Checked ${ops.reads.length} read${ops.reads.length === 1 ? '' : 's'} of ${accounts.size} accounts (${ops.transfers.length} transfers)`;
  if (ops.reads.length === 0) return { valid: 'unknown', summary: `${what}: no read completed, so nothing was checked.`, stats };
  if (errors.length === 0) {
    return { valid: true, summary: `${what}: every read sums to ${total}${inferred}${opts.negativeBalances ? '' : ' and no balance is negative'}.`, stats };
  }
  const byType = new Map<ErrorType, ReadError[]>();
  for (const e of errors) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
  const anomalies: Anomaly[] = [];
  for (const [type, es] of byType) {
    const examples = es.slice(0, KEEP);
    if (type === 'wrong-total') {
      const worst = es.reduce((w, e) => (Math.abs(e.sum - total!) > Math.abs(w.sum - total!) ? e : w));
      if (!examples.includes(worst)) examples.push(worst);
    }
    for (const e of examples) anomalies.push(explain(e, ops, sums, total, accounts));
  }
  const counts = [...byType].map(([t, es]) => `${t} (${es.length})`).join(', ');
  return {
    valid: false,
    summary: `${what} against a total of ${total}${inferred}: ${errors.length} bad read${errors.length === 1 ? '' : 's'}: ${counts}; the first is op #${errors[0]!.read.op.index}.`,
    anomalies,
    stats,
    details: { errorCounts: Object.fromEntries([...byType].map(([t, es]) => [t, es.length])) },
  };
}

/** The most frequent value (the smallest among ties), or undefined for none. */
function mode(xs: readonly number[]): number | undefined {
  const n = new Map<number, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  let best: number | undefined;
  for (const [x, c] of n) if (best === undefined || c > n.get(best)! || (c === n.get(best) && x < best)) best = x;
  return best;
}

function readError(read: BankRead, sum: number, accounts: ReadonlySet<string>, total: number | undefined, negativeOk: boolean): ReadError | undefined {
  const entries = Object.entries(read.balances);
  const unexpected = entries.filter(([a]) => !accounts.has(a)).map(([a]) => a);
  if (unexpected.length > 0) return { type: 'unexpected-key', read, sum, accounts: unexpected };
  const nils = entries.filter(([, b]) => typeof b !== 'number').map(([a]) => a);
  if (nils.length > 0) return { type: 'nil-balance', read, sum, accounts: nils };
  if (total !== undefined && sum !== total) return { type: 'wrong-total', read, sum, accounts: [] };
  const negative = entries.filter(([, b]) => (b as number) < 0).map(([a]) => a);
  if (!negativeOk && negative.length > 0) return { type: 'negative-value', read, sum, accounts: negative };
  return undefined;
}

function explain(e: ReadError, ops: BankOps, sums: readonly number[], total: number | undefined, accounts: ReadonlySet<string>): Anomaly {
  const { read } = e;
  const at = `op #${read.op.index} (process ${read.op.process})`;
  const shown = JSON.stringify(read.balances);
  const from = read.invoke.index;
  const to = read.op.index;
  // Transfers that may have taken effect while the read ran: invoked before it completed, and not completed before it began.
  const inFlight = ops.transfers.filter((t) => t.invoke.index < to && (t.completion === undefined || t.completion.type === 'info' || t.completion.index > from));
  const describe = (t: (typeof inFlight)[number]): string =>
    `op #${(t.completion ?? t.invoke).index} (${t.amount} from ${t.from} to ${t.to}${t.completion?.type === 'ok' ? '' : ', unknown outcome'})`;
  const lines: string[] = [];
  let summary: string;
  if (e.type === 'wrong-total') {
    const diff = e.sum - total!;
    summary = `${at} read balances summing to ${e.sum}, not ${total}`;
    lines.push(`${at} read ${shown}: the balances sum to ${e.sum}, not ${total} (${Math.abs(diff)} ${diff < 0 ? 'missing' : 'too many'}).`);
    lines.push(`Transfers only move money between accounts, so every read must see the total.`);
    if (inFlight.length > 0) lines.push(`Transfers in flight while it ran: ${inFlight.slice(0, 8).map(describe).join(', ')}${inFlight.length > 8 ? `, and ${inFlight.length - 8} more` : ''}.`);
    const culprits = inFlight.filter((t) => t.amount === Math.abs(diff));
    if (culprits.length > 0) lines.push(`The difference is the amount of ${culprits.slice(0, 3).map(describe).join(', ')}: the read seems to see only half of ${culprits.length === 1 ? 'that transfer' : 'one of them'} (one account debited, the other not yet credited, or the reverse).`);
    const before = ops.reads.findLastIndex((r, i) => r.op.index < from && sums[i] === total);
    if (before >= 0) lines.push(`The last read that completed before it and summed to ${total} was op #${ops.reads[before]!.op.index}.`);
  } else if (e.type === 'negative-value') {
    summary = `${at} read a negative balance for account ${e.accounts.join(', ')}`;
    lines.push(`${at} read ${shown}: account ${e.accounts.map((a) => `${a} = ${String(read.balances[a])}`).join(', ')} is negative, and balances may not go negative (a transfer may only move money an account has).`);
    if (inFlight.length > 0) lines.push(`Transfers in flight while it ran: ${inFlight.slice(0, 8).map(describe).join(', ')}.`);
  } else if (e.type === 'nil-balance') {
    summary = `${at} read no balance for account ${e.accounts.join(', ')}`;
    lines.push(`${at} read ${shown}: account ${e.accounts.join(', ')} has no balance, but every account exists from the start.`);
  } else {
    summary = `${at} read account ${e.accounts.join(', ')}, which is not one of the bank's accounts`;
    lines.push(`${at} read ${shown}, which names account ${e.accounts.join(', ')}; the accounts are ${[...accounts].join(', ')}.`);
  }
  const opsShown = [read.invoke, read.op, ...inFlight.slice(0, 8).flatMap((t) => (t.completion ? [t.invoke, t.completion] : [t.invoke]))].sort((a, b) => a.index - b.index);
  return { kind: e.type, summary, ops: opsShown, explanation: `${e.type}: ${lines.join('\n')}` };
}
