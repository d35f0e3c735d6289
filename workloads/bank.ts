/**
 * `bank`: Jepsen's bank test. A few accounts hold a fixed total; clients move money between them
 * by transfers and read every account at once, so every committed read must see the same total
 * (and no negative balance, unless the system allows overdrafts). A transaction system that
 * applies half a transfer, or lets a read see one half of it, shows up as a wrong total.
 *
 * - *Setup* (before any fault): one thread sets the initial balances, `--total` spread evenly
 *   over `--accounts` accounts (the first ones take the remainder), until the system says ok.
 * - *Main*: each operation is a read of all accounts (`--read-share` of them) or a transfer of
 *   1 to `--max-transfer` between two different accounts drawn at random, so every thread
 *   contends on the same few accounts all the time.
 * - *Final* (after the heal and recovery): every thread reads all accounts until one read
 *   succeeds, so what the faults left behind is read too.
 *
 * Operations, as checkers/bank reads them: `{f: 'init', value: [[account, balance], ...]}`,
 * `{f: 'transfer', value: {from, to, amount}}`, and `{f: 'read', value: [account, ...]}`
 * completing with `{account: balance, ...}`. Checked by `bank` (with the real total and
 * accounts) and `stats`.
 */
import type { Invocation } from '../src/api/client.js';
import type { GenContext } from '../src/api/generator.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { mix, nothing, repeat, reserve, timeLimit, untilOk } from '../src/gen/combinators.js';
import { bank as bankChecker } from '../checkers/bank/index.js';
import { stats } from '../checkers/stats.js';

/** How long the setup and the final reads may take; a phase still failing then is given up. */
const PHASE_MS = 10_000;

/** The initial balances: `total` spread evenly over `accounts` accounts, numbered from 0. */
export function initialBalances(accounts: number, total: number): [number, number][] {
  const each = Math.floor(total / accounts);
  return Array.from({ length: accounts }, (_, a): [number, number] => [a, each + (a < total - each * accounts ? 1 : 0)]);
}

/** A transfer of 1 to `maxTransfer` between two different accounts of `accounts`. */
export function transfer(g: Pick<GenContext, 'rng'>, accounts: number, maxTransfer: number): Invocation {
  const from = g.rng.int(accounts);
  const to = (from + 1 + g.rng.int(accounts - 1)) % accounts;
  return { f: 'transfer', value: { from, to, amount: 1 + g.rng.int(maxTransfer) } };
}

export const bank: WorkloadDef = {
  name: 'bank',
  description:
    'transfers between a few accounts and reads of all accounts (Jepsen\'s bank): setup sets the balances, final reads after the heal; ' +
    'checked by bank (every read sums to the total, no negative balance) and stats',
  options: {
    accounts: { describe: 'number of accounts', default: 8, min: 2, max: 1000, integer: true },
    total: { describe: 'the sum of all balances, spread evenly at setup', default: 100, min: 0, max: 1e12, integer: true },
    'max-transfer': { describe: 'largest amount one transfer moves', default: 5, min: 1, max: 1e12, integer: true },
    'read-share': { describe: 'share of operations that read all accounts (the rest transfer)', default: 0.5, min: 0, max: 1 },
    'negative-balances': { describe: 'whether the system may let balances go negative', default: 'forbidden', choices: ['forbidden', 'allowed'] },
  },
  build(ctx) {
    const accounts = Number(ctx.options['accounts']);
    const total = Number(ctx.options['total']);
    const maxTransfer = Number(ctx.options['max-transfer']);
    const readShare = Number(ctx.options['read-share']);
    const all = Array.from({ length: accounts }, (_, a) => a);
    const read = (): Invocation => ({ f: 'read', value: all });
    const init: Invocation = { f: 'init', value: initialBalances(accounts, total) };
    return {
      setup: reserve(1, timeLimit(PHASE_MS, untilOk(repeat(() => init))), nothing),
      generator: mix([repeat(read), repeat((g) => transfer(g, accounts, maxTransfer))], [readShare, 1 - readShare]),
      finalGenerator: timeLimit(PHASE_MS, untilOk(repeat(read))),
      checkers: {
        bank: bankChecker({ total, accounts: all, negativeBalances: ctx.options['negative-balances'] === 'allowed' }),
        stats: stats(),
      },
    };
  },
};

