/**
 * `--hosts` and `--nodes` on the command line: named nodes end to end, the host backends in
 * `faultline list`, a client that cannot be opened reported, and one-line refusals.
 */
import { mkdtempSync, readFileSync, readlinkSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { FIXTURE_MAIN, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-hosts-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const latest = (root: string): string => join(root, readlinkSync(join(root, 'latest')));
const quick = ['--nemesis', 'none', '--concurrency', '2', '--time-limit', '2', '--recovery-time', '0', '--seed', '1'];

describe('--hosts and --nodes', () => {
  it('runs nodes by name: plans, logs, history and the repeat command use the names', async () => {
    const results = join(dir, 'named');
    const run = await runCli(['test', '--cluster', 'memory-kv', '--nodes', 'solo', ...quick, '--results-dir', results]);
    expect(run.code, run.stderr).toBe(0);
    const runDir = latest(results);
    const saved = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    expect(saved.spec).toMatchObject({ nodes: ['solo'], hosts: 'local', net: 'proxy', hostOptions: {} });
    expect(saved.command).toContain('--nodes solo');
    expect(saved.command).not.toContain('--hosts');
    expect(readFileSync(join(runDir, 'nodes', 'solo.log'), 'utf8')).toMatch(/ solo INFO listening/);
    const { ops } = await readHistoryFile(join(runDir, 'history.jsonl'));
    expect(new Set(ops.filter((o) => o.process !== 'nemesis').map((o) => o.node))).toEqual(new Set(['solo']));
  });

  it('says why a node got no operations when its client cannot be opened, and goes on', async () => {
    const results = join(dir, 'no-client');
    const run = await runCli(['test', '--cluster', 'no-client-n2', '--nodes', '2', ...quick, '--results-dir', results], undefined, FIXTURE_MAIN);
    const warning = 'cannot open a client to n2 at 127.0.0.1:';
    expect(run.stderr + run.stdout).toContain(warning);
    const saved = JSON.parse(readFileSync(join(latest(results), 'results.json'), 'utf8'));
    expect(saved.warnings.filter((w: string) => w.startsWith(warning))).toHaveLength(1);
    expect(saved.warnings.find((w: string) => w.startsWith(warning))).toContain('fixture: n2 refuses clients');
    const { ops } = await readHistoryFile(join(latest(results), 'history.jsonl'));
    const n2 = ops.filter((o) => o.node === 'n2' && o.type !== 'invoke');
    expect(n2.length).toBeGreaterThan(0);
    expect(n2.every((o) => o.type === 'fail' && o.error === 'no-client: fixture: n2 refuses clients')).toBe(true);
    expect(run.code, run.stderr).toBe(0); // n1 alone is one register: linearizable
  });

  it('lists the host backends with their network modes', async () => {
    const run = await runCli(['list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Hosts \(--hosts\)/);
    expect(run.stdout).toMatch(/^ {2}local \(default\) {2}node processes on this machine/m);
    expect(run.stdout).toMatch(/^ {4}--net proxy \(default\)/m);
    expect(run.stdout).toMatch(/^ {4}--net netns/m);
  });

  it.each([
    ['a mistyped backend', ['test', '--hosts', 'lcoal'], /unknown hosts 'lcoal': did you mean 'local'/],
    ['a node named twice', ['test', '--nodes', 'a,b,a'], /--nodes names a twice/],
    ['a node named like the clients', ['test', '--nodes', 'n1,clients'], /'clients' cannot name a node/],
    ['a node name netns cannot use', ['test', '--net', 'netns', '--nodes', 'n1,ctl'], /--net netns: node id 'ctl' cannot name a namespace/],
    ['an option no backend has', ['test', '--hosts-file', 'h.json'], /Unknown argument/],
    ['a backend without a lab', ['lab', 'local', 'up'], /--hosts local has no lab/],
    ['too few nodes to check hosts with', ['check-hosts', '--nodes', '2'], /check-hosts needs at least 3 nodes, not 2/],
  ])('refuses %s in one line', async (_, args, message) => {
    const results = join(dir, 'refused');
    const run = await runCli(args[0] === 'lab' ? args : [...args, '--results-dir', results]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(results)).toBe(false);
  });
});
