/**
 * `faultline test --net netns` end to end (root only): a real run of the bundled Raft KV with
 * each node in its own network namespace and partitions at the lab's bridge, a Ctrl-C mid-run,
 * and every nemesis at once, latency included (through a fault proxy per node namespace). After
 * each: the lab is gone, no process of the run is left, and the root namespace's interfaces and
 * firewall are exactly as before.
 */
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { LAB_STATE_ROOT } from '../../src/net/netns/lab.js';
import { interruptMidRun } from '../fixtures/run-watch.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { namespaces, netnsUnsupported, rootSnapshot } from '../net/netns/helpers.js';

const unsupported = netnsUnsupported();
const results = mkdtempSync(join(tmpdir(), 'faultline-netns-e2e-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

/** A short run's options; `timeLimit` given once (yargs turns a repeated option into a list). */
const short = (timeLimit = 6): string[] => [
  ...['--net', 'netns', '--nodes', '3', '--concurrency', '4'],
  ...['--time-limit', String(timeLimit), '--recovery-time', '2', '--nemesis-interval', '1.5'],
];

/** The lab id the parent announced on stderr. */
function labOf(run: CliResult): string {
  const id = /netns lab ([0-9a-f]{6})/.exec(run.stderr)?.[1];
  if (!id) throw new Error(`no lab announced:\n${run.stderr}`);
  return id;
}

/** Nothing of lab `id` is left: namespaces and state. */
function expectLabGone(id: string): void {
  expect(namespaces().filter((n) => n.startsWith(`fl-${id}-`))).toEqual([]);
  expect(existsSync(join(LAB_STATE_ROOT, id))).toBe(false);
}

function latestRun(root: string): string {
  return join(root, readlinkSync(join(root, 'latest')));
}

describe.skipIf(unsupported !== undefined)(`faultline test --net netns${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  let before: Record<string, string>;
  beforeAll(() => {
    before = rootSnapshot();
  });

  it('runs raft-kv with a namespace per node, partitions at the bridge, and removes everything', async () => {
    const dir = join(results, 'partition');
    const run = await runCli(['test', ...short(), '--nemesis', 'partition', '--seed', '1', '--results-dir', dir]);
    expect(run.code, run.stderr).toBe(0);
    const runDir = latestRun(dir);
    const res = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    expect(res.valid).toBe(true);
    expect(res.net).toBe('netns');
    expect(res.spec.net).toBe('netns');
    expect(res.command).toContain('--net netns');
    expect(res.netDescription).toMatchObject({ kind: 'netns', lab: labOf(run), grudge: {} });
    const addresses = res.netDescription.addresses as Record<string, string>;
    expect(readFileSync(join(runDir, 'nodes', 'n2.log'), 'utf8')).toContain(`peers=${addresses.n2}:7000 clients=${addresses.n2}:7001`);
    expect(res.ops.ok).toBeGreaterThan(20);
    const history = await readHistoryFile(join(runDir, 'history.jsonl'));
    const partitions = history.ops.filter((op) => op.process === 'nemesis' && op.f === 'start-partition' && op.type !== 'invoke');
    expect(partitions.length).toBeGreaterThan(0);

    expectLabGone(labOf(run));
    expect(runProcesses(runDir)).toEqual([]);
    expect(rootSnapshot()).toEqual(before);
  });

  it('stops on SIGINT mid-run: heals, stops the nodes, reports unknown, removes the lab', async () => {
    const { run, runDir } = await interruptMidRun(['test', ...short(60), '--seed', '2'], join(results, 'sigint'), {}, 40, 30_000);
    expect(run.code, run.stderr).toBe(2);
    const res = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    expect(res.interrupted).toBe(true);
    expect(res.valid).toBe('unknown');
    expect(res.net).toBe('netns');
    expectLabGone(labOf(run));
    expect(runProcesses(runDir)).toEqual([]);
    expect(rootSnapshot()).toEqual(before);
  });

  it('runs every nemesis, latency included (per-node fault proxies), valid, leaving nothing behind', async () => {
    const dir = join(results, 'latency');
    const nemeses = 'partition,kill,pause,clock,latency';
    const run = await runCli(['test', ...short(10), '--nemesis', nemeses, '--seed', '3', '--results-dir', dir]);
    expect(run.code, run.stderr).toBe(0);
    const runDir = latestRun(dir);
    const res = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    expect(res.valid).toBe(true);
    expect(res.netDescription.mechanisms.latency).toMatch(/fault proxy/);
    const history = await readHistoryFile(join(runDir, 'history.jsonl'));
    const delays = history.ops.filter((op) => op.process === 'nemesis' && op.f === 'start-latency' && op.type === 'info');
    expect(delays.length).toBeGreaterThan(0);

    expectLabGone(labOf(run));
    expect(runProcesses(runDir)).toEqual([]);
    expect(rootSnapshot()).toEqual(before);
  });
});
