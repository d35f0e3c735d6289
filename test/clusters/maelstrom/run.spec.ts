/**
 * Maelstrom node programs under faultline, end to end through the CLI, on the embedded default
 * (`--net proxy`): the example lin-kv node (clusters/maelstrom/examples/lin_kv.py) is
 * linearizable under partitions and its --stale-reads variant (local reads of copies the first node
 * stops waiting for after 300 ms) is not; the example pn-counter
 * node (pn_counter.py), a state-based CRDT, is valid under partitions with eventual counter reads
 * and its --merge-adds variant is not; the gossip node (set_gossip.py) that sends each value once
 * loses what a partition drops, in the broadcast workload; nodes that keep their state in
 * Maelstrom's services work through them (txn_list_append.py on lin-kv is strict serializable)
 * and are caught when they misuse them (counter_seq_kv.py --blind-write loses adds on seq-kv).
 * Short runs (3 nodes, 5-8 s), seed 1, where each shows; the README has the seeds measured.
 * Also: the system is listed, and a program that is missing or not executable is refused in one
 * line before anything starts.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-maelstrom-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const EXAMPLES = 'clusters/maelstrom/examples';

/** A run of 3 nodes, seed 1, with `shape`: the nemesis, the time limit and the recovery time. */
const runWith = (shape: [string, string, string], program: string, workload: string, ...extra: string[]): ReturnType<typeof runCli> =>
  runCli([
    'test', '--cluster', 'maelstrom', '--maelstrom-bin', `${EXAMPLES}/${program}`, '--workload', workload,
    '--nemesis', shape[0], '--nodes', '3', '--time-limit', shape[1], '--recovery-time', shape[2], '--seed', '1', '--results-dir', results, ...extra,
  ]);
const run = (program: string, workload: string, ...extra: string[]): ReturnType<typeof runCli> => runWith(['partition', '8', '3'], program, workload, ...extra);
/** A short run with no fault: what is tested is the node's use of Maelstrom's services. */
const calm = (program: string, workload: string, ...extra: string[]): ReturnType<typeof runCli> => runWith(['none', '5', '1'], program, workload, ...extra);

describe('Maelstrom nodes under partitions', () => {
  it('a lin-kv node that forwards everything to one node is linearizable', async () => {
    const r = await run('lin_kv.py', 'register');
    expect(r.stderr).toMatch(/linearizable: VALID {2}Checked \d+ operations/);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('a lin-kv node that reads from copies it stops waiting for under a partition is not', async () => {
    const r = await run('lin_kv.py', 'register', '--maelstrom-args=--stale-reads');
    expect(r.stderr).toMatch(/linearizable: INVALID .*not linearizable/);
    expect(r.code, r.stderr).toBe(1);
  }, 120_000);

  it('a pn-counter CRDT merged by the maximum is valid with eventual reads', async () => {
    const r = await run('pn_counter.py', 'counter', '--counter-reads', 'eventual');
    expect(r.stderr).toMatch(/counter: VALID {2}all \d+ reads lie within the bounds of \d+ adds; the \d+ final reads all read \d+/);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('a pn-counter that adds what it merges is invalid: it reads more than was ever added', async () => {
    const r = await run('pn_counter.py', 'counter', '--counter-reads', 'eventual', '--maelstrom-args=--merge-adds');
    expect(r.stderr).toMatch(/counter: INVALID/);
    expect(r.stderr).toMatch(/read-too-high: op #\d+/);
    expect(r.code, r.stderr).toBe(1);
  }, 120_000);
});

describe('Maelstrom broadcast, and nodes on Maelstrom services', () => {
  it('a broadcast node that sends each value once loses what a partition drops', async () => {
    const r = await run('set_gossip.py', 'broadcast', '--maelstrom-args=--send-once');
    expect(r.stderr).toMatch(/broadcast: INVALID {2}\d+ acknowledged elements lost/);
    expect(r.stderr).toMatch(/lost: element \d+ was acknowledged \(op #\d+\) but the final read op #\d+ through n\d lacks it/);
    expect(r.code, r.stderr).toBe(1);
  }, 120_000);

  it('a txn-list-append node that keeps its database in the lin-kv service is strict serializable', async () => {
    const r = await calm('txn_list_append.py', 'list-append');
    expect(r.stderr).toMatch(/elle: VALID {2}Checked \d+ transactions/);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('a counter on seq-kv that writes instead of cas loses adds', async () => {
    const r = await calm('counter_seq_kv.py', 'counter', '--counter-reads', 'eventual', '--maelstrom-args=--blind-write');
    expect(r.stderr).toMatch(/counter: INVALID/);
    expect(r.code, r.stderr).toBe(1);
  }, 120_000);
});

describe('the maelstrom system at the command line', () => {
  it('is listed with its options and the workloads it serves', async () => {
    const r = await runCli(['list']);
    expect(r.stdout).toMatch(/maelstrom {2}Any Maelstrom-protocol node program/);
    expect(r.stdout).toMatch(/--maelstrom-bin <value> {2}the Maelstrom node program/);
    expect(r.stdout).toMatch(/maelstrom[^\n]*\n {4}workloads: register, counter/);
  });

  it('refuses a missing, a non-executable and an unnamed program, and g-set on several keys, in one line, exit 2', async () => {
    const plain = join(results, 'not-executable.py');
    writeFileSync(plain, '#!/usr/bin/env python3\n');
    chmodSync(plain, 0o644);
    const cases: [string[], RegExp][] = [
      [['--maelstrom-bin', join(results, 'nope')], /--maelstrom-bin \S+nope: no such file/],
      [['--maelstrom-bin', plain], /is not executable: chmod \+x it/],
      [[], /name the Maelstrom node program with --maelstrom-bin/],
      [['--maelstrom-bin', `${EXAMPLES}/set_gossip.py`, '--workload', 'set'], /g-set is one set per cluster: run the set workload with --key-count 1 \(not 3\)/],
    ];
    for (const [args, message] of cases) {
      const workload = args.includes('--workload') ? [] : ['--workload', 'register'];
      const r = await runCli(['test', '--cluster', 'maelstrom', ...workload, '--results-dir', results, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);

  it('refuses the clock nemesis: an arbitrary program cannot be skewed', async () => {
    const r = await runCli(['test', '--cluster', 'maelstrom', '--maelstrom-bin', `${EXAMPLES}/lin_kv.py`, '--workload', 'register', '--nemesis', 'clock', '--results-dir', results]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nemesis clock cannot run against maelstrom/);
  }, 60_000);
});
