/**
 * faultline test on the bundled txn-3pc with the bank workload, end to end and short: the setup
 * sets the balances, transfers and reads run, the final reads see the total, and the bank checker
 * says so. (Measurements under faults, for txn-2pc and txn-3pc, are in clusters/txn-3pc/README.md.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-bank-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

describe('txn-3pc with bank', () => {
  it('keeps the total: every read sums to it, setup and final reads included', async () => {
    const r = await runCli(['test', '--cluster', 'txn-3pc', '--workload', 'bank', '--nodes', '3', '--concurrency', '4', '--time-limit', '3', '--recovery-time', '0', '--nemesis', 'none', '--seed', '1', '--results-dir', results]);
    expect(r.stderr).toMatch(/bank: VALID {2}Checked [1-9]\d* reads of 8 accounts \(\d+ transfers\): every read sums to 100 and no balance is negative/);
    expect(r.stderr).toMatch(/init 1 ok/);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
});
