/**
 * faultline test on the bundled lock-service with the lock workload, end to end: valid under
 * kills when correct, invalid with the no-fencing bug (every node killed at once restarts its
 * token counter, so tokens already granted are granted again), and valid with the bully election.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-lock-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const run = (nemesis: string, recoveryS: number, ...extra: string[]): ReturnType<typeof runCli> =>
  runCli(['test', '--cluster', 'lock-service', '--workload', 'lock', '--nemesis', nemesis, '--nodes', '3', '--concurrency', '6', '--time-limit', '12', '--recovery-time', String(recoveryS), '--seed', '1', '--results-dir', results, ...extra]);
const bullyResults = mkdtempSync(join(tmpdir(), 'faultline-lock-bully-'));
afterAll(() => rmSync(bullyResults, { recursive: true, force: true }));

describe('lock-service under kills', () => {
  it('is valid: mutual exclusion and monotonic fencing tokens', async () => {
    const r = await run('kill', 3);
    expect(r.stderr).toMatch(/mutex: VALID {2}Checked \d+ operations (on 3 keys, each key on its own, )?against the mutex model/);
    expect(r.stderr).toMatch(/fencing: VALID/);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('with --bug no-fencing is invalid: a token granted again after the whole cluster restarted', async () => {
    // Time after the last restart for the old holders' sessions to expire and the lock to be granted anew.
    const r = await run('kill-all', 8, '--bug', 'no-fencing');
    expect(r.stderr).toMatch(/fencing: INVALID/);
    expect(r.stderr).toMatch(/token-not-increasing: token \d+ after \d+ on lock lock-\d \(op #\d+\)/);
    expect(r.code, r.stderr).toBe(1);
  }, 120_000);
});

describe('lock-service with --lock-election bully', () => {
  it('is valid under kills, the highest live node announcing itself coordinator', async () => {
    const r = await runCli(['test', '--cluster', 'lock-service', '--workload', 'lock', '--nemesis', 'kill', '--nodes', '3', '--concurrency', '6', '--time-limit', '10', '--recovery-time', '3', '--seed', '1', '--lock-election', 'bully', '--results-dir', bullyResults]);
    expect(r.stderr).toMatch(/mutex: VALID/);
    expect(r.stderr).toMatch(/fencing: VALID/);
    expect(r.code, r.stderr).toBe(0);
    const [dir] = readdirSync(bullyResults);
    const n3 = readFileSync(join(bullyResults, dir!, 'nodes', 'n3.log'), 'utf8');
    expect(n3).toMatch(/election=bully/);
    expect(n3).toMatch(/announcing as coordinator/);
  }, 120_000);
});
