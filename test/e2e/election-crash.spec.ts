/**
 * The election-crash nemesis on real raft-kv nodes: it must meet a fresh election (slow the links,
 * split off and kill the primary, see the next one within milliseconds, crash-restart one of its
 * voters onto the other side, bridge the sides once that side elects its own), and the correct
 * system must stay valid through it. How often it exposes `no-fsync-vote` is measured in
 * the README, not here.
 */
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ElectionCrashDone } from '../../nemeses/election-crash.js';
import { runCli } from '../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-election-crash-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

describe('election-crash on raft-kv', () => {
  it('crash-restarts a voter of a freshly elected leader onto the other side, and the correct system stays valid', async () => {
    const r = await runCli(['test', '--cluster', 'raft-kv', '--nemesis', 'election-crash', '--nodes', '3', '--concurrency', '6', '--time-limit', '6', '--nemesis-interval', '2', '--recovery-time', '1', '--seed', '1', '--results-dir', results]);
    expect(r.code, r.stderr).toBe(0);
    const run = join(results, readlinkSync(join(results, 'latest')));
    const done = readFileSync(join(run, 'history.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"start-election-crash"') && line.includes('"info"'))
      .map((line) => JSON.parse(line) as { value: ElectionCrashDone });
    expect(done.length).toBeGreaterThan(0);
    const struck = done.find((op) => op.value.first !== undefined);
    expect(struck, JSON.stringify(done)).toBeDefined();
    const { killed, idle, first, overlap } = struck!.value;
    expect(idle).toEqual([killed]);
    expect(first).not.toBe(killed);
    expect(overlap).toHaveLength(1);
    expect(overlap).not.toContain(first);
    expect(overlap).not.toContain(killed);
  }, 120_000);
});
