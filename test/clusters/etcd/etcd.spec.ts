/**
 * Real etcd (Debian's etcd-server) under faultline, end to end through the built CLI: what it
 * cannot do is refused before the run in one line, and under partitions, kills and pauses in
 * `--net netns` (root only) its linearizable reads check VALID.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { netnsUnsupported } from '../../net/netns/helpers.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-etcd-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

function etcdMissing(): string | undefined {
  try {
    execFileSync('etcd', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'etcd is not installed (apt-get install etcd-server)';
  }
}
const unsupported = etcdMissing() ?? netnsUnsupported();

function expectOneLine(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

describe('etcd refuses what it cannot do, before the run', () => {
  it('--net proxy: members are named by peer URLs the proxy cannot give', async () => {
    const r = await runCli(['test', '--cluster', 'etcd', '--net', 'proxy', '--results-dir', results]);
    expectOneLine(r, /etcd identifies members by their peer URLs.*use --net netns|run it with --net netns/);
  });

  it('--nemesis clock: a Go binary ignores libfaketime', async () => {
    const r = await runCli(['test', '--cluster', 'etcd', '--net', 'netns', '--nemesis', 'clock', '--results-dir', results]);
    expectOneLine(r, /--nemesis clock cannot run against etcd: etcd is a Go binary, which ignores libfaketime/);
  });

  it('a missing binary', async () => {
    const r = await runCli(['test', '--cluster', 'etcd', '--net', 'netns', '--etcd-bin', '/nonexistent/etcd', '--results-dir', results]);
    expectOneLine(r, /cannot run '\/nonexistent\/etcd': install etcd \(apt-get install etcd-server\) or give its path with --etcd-bin/);
  });
});

describe.skipIf(unsupported !== undefined)(`etcd in --net netns${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  it('is VALID with linearizable reads under partition, kill and pause (5 nodes, 10 clients)', async () => {
    const r = await runCli([
      'test', '--cluster', 'etcd', '--net', 'netns', '--nodes', '5', '--concurrency', '10',
      '--nemesis', 'partition,kill,pause', '--time-limit', '20', '--recovery-time', '5', '--seed', '1', '--results-dir', results,
    ]);
    expect(r.stderr).toMatch(/linearizable: VALID/);
    expect(r.stderr).toMatch(/operations: [\d,]+ \((?!0 ok)[\d,]+ ok/);
    expect(r.code).toBe(0);
  }, 240_000);
});
