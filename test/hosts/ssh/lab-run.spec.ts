/**
 * `--hosts ssh` against a lab of real sshd hosts (`faultline lab ssh up`), through the built CLI
 * as a user runs it: a run of a bundled system with every kind of fault, one line and exit 2 for
 * hosts that cannot be logged in to, nothing left on the hosts after Ctrl-C, and `faultline clean
 * --hosts-file` removing what a harness killed with -9 left there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliResult } from '../../helpers/cli.js';
import { labHostsFile, remoteLeftovers, sshLabUnsupported, sshLabUp } from '../ssh-lab.js';

const why = sshLabUnsupported();
const FILE = labHostsFile('runs');

describe.skipIf(why !== undefined)(`--hosts ssh against an ssh lab${why ? ` (skipped: ${why})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof sshLabUp>> | undefined;
  let dir: string;
  let results: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-ssh-runs-'));
    results = join(dir, 'results');
    lab = await sshLabUp(FILE);
  });

  afterAll(async () => {
    const left = await lab?.down();
    rmSync(dir, { recursive: true, force: true });
    expect(left).toEqual([]);
  });

  const run = (args: string[]): Promise<CliResult> => runCli(['test', '--hosts', 'ssh', '--hosts-file', FILE, '--cluster', 'raft-kv', '--results-dir', results, ...args]);

  it('runs raft-kv on the hosts with partitions, kills, pauses and clock skew: valid, logs fetched, nothing left', async () => {
    const done = await run(['--nodes', '5', '--concurrency', '6', '--time-limit', '8', '--nemesis', 'partition,kill,pause,clock', '--nemesis-interval', '1']);
    expect(done.code, done.stderr + done.stdout).toBe(0);
    const runDir = /report: (.*)\/report\.html/.exec(done.stdout + done.stderr)?.[1] as string;
    const summary = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { net?: { kind?: string } };
    expect(JSON.stringify(summary)).toContain('"kind":"ssh"');
    for (const node of ['n1', 'n5']) expect(readFileSync(join(runDir, 'nodes', `${node}.log`), 'utf8').length).toBeGreaterThan(0);
    expect(remoteLeftovers(FILE)).toEqual([]);
  });

  /** A copy of the lab's hosts file changed by `edit`. */
  function variant(name: string, edit: (hosts: Record<string, unknown> & { hosts: Record<string, unknown>[] }) => void): string {
    const hosts = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown> & { hosts: Record<string, unknown>[] };
    edit(hosts);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(hosts));
    return path;
  }

  function keygen(name: string): string {
    const path = join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
    return path;
  }

  it.each([
    ['an unreachable host', () => variant('closed-port', (h) => (h.hosts[2] = { ...h.hosts[2], port: 2222 })), /^host n3 \(root@[\d.]+:2222\) is unreachable: ECONNREFUSED/],
    ['a refused key', () => variant('other-key', (h) => (h.defaults = { user: 'root', key: keygen('other_key') })), /^host n1 \(root@[\d.]+:22\) refused the key .*other_key/],
    [
      'a changed host key',
      () => {
        const known = join(dir, 'known_hosts');
        const [type, key] = readFileSync(`${keygen('other_host')}.pub`, 'utf8').split(/\s+/);
        const original = readFileSync(JSON.parse(readFileSync(FILE, 'utf8')).knownHosts as string, 'utf8').split('\n');
        writeFileSync(known, original.map((line, i) => (i === 1 ? `${line.split(' ')[0]} ${type} ${key}` : line)).join('\n'));
        return variant('changed-key', (h) => (h.knownHosts = known));
      },
      /^host n2 \(root@[\d.]+:22\): its host key has changed \(now SHA256:\S+\), not the one in .*known_hosts; refusing to connect/,
    ],
  ])('refuses %s in one line, exit 2, before a results directory exists', async (_, make, message) => {
    const file = make();
    const done = await runCli(['test', '--hosts', 'ssh', '--hosts-file', file, '--cluster', 'raft-kv', '--time-limit', '5', '--results-dir', join(dir, 'refused')]);
    expect(done.code).toBe(2);
    const errors = done.stderr.split('\n').filter((l) => l.startsWith('faultline: ') && !/ssh lab [0-9a-f]{6}: hosts on/.test(l));
    expect(errors).toHaveLength(1);
    expect((errors[0] as string).slice('faultline: '.length)).toMatch(message);
    expect(done.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'refused'))).toBe(false);
  });

  /** Start a run and resolve once its workload runs, with the child to signal. */
  async function running(args: string[]): Promise<ReturnType<typeof startCli>> {
    const started = startCli(['test', '--hosts', 'ssh', '--hosts-file', FILE, '--cluster', 'raft-kv', '--results-dir', results, ...args]);
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const look = (b: Buffer): void => {
        seen += b.toString();
        if (seen.includes('» running')) resolve();
      };
      started.child.stdout?.on('data', look);
      started.child.stderr?.on('data', look);
      void started.done.then((r) => reject(new Error(`the run ended before its workload ran (${r.code}): ${seen}`)));
    });
    return started;
  }

  it('removes everything from the hosts after Ctrl-C', async () => {
    const started = await running(['--time-limit', '60', '--nemesis', 'partition,kill', '--nemesis-interval', '1']);
    // Let faults happen: rules and killed nodes on the hosts.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    started.child.kill('SIGINT');
    const done = await started.done;
    expect(done.code, done.stderr).toBe(2);
    expect(done.stdout + done.stderr).toContain('interrupted');
    expect(remoteLeftovers(FILE)).toEqual([]);
  });

  it('faultline clean --hosts-file removes what a harness killed with -9 left on the hosts', async () => {
    // One partition from 0.5 s to the end, so its rules are on the hosts when the harness dies.
    const isolated = { n1: ['n2', 'n3', 'n4', 'n5'], n2: ['n1'], n3: ['n1'], n4: ['n1'], n5: ['n1'] };
    const schedule = join(dir, 'schedule.json');
    writeFileSync(
      schedule,
      JSON.stringify({
        nemeses: ['partition'],
        entries: [
          { atMs: 500, f: 'start-partition', value: { shape: 'isolate-one', grudge: isolated } },
          { atMs: 59_000, f: 'stop-partition' },
        ],
      }),
    );
    const started = await running(['--time-limit', '60', '--schedule', schedule]);
    const until = Date.now() + 30_000;
    while (!remoteLeftovers(FILE).some((l) => l.includes('table inet faultline-')) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    // The run itself is the child the CLI re-executed inside the lab's control namespace: kill both.
    const parent = started.child.pid as number;
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).map(Number);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    process.kill(parent, 'SIGKILL');
    await started.done;
    const left = remoteLeftovers(FILE);
    expect(left.some((l) => l.includes('run directory')), left.join('\n')).toBe(true);
    expect(left.some((l) => l.includes('table inet faultline-')), left.join('\n')).toBe(true);
    const clean = await runCli(['clean', '--hosts-file', FILE, '--no-labs']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/host n1: removed run [0-9a-f]{8}/);
    expect(remoteLeftovers(FILE)).toEqual([]);
  });
});
