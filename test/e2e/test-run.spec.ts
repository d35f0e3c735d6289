/**
 * faultline test end to end on the embedded default: a short real run against the bundled
 * Raft KV with partitions, then what it leaves behind (results, report, no processes).
 */
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { runCli, startCli } from '../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-e2e-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

/** A small, short run; interrupt tests give a long time limit and stop it early. */
function short(timeLimit = 6): string[] {
  return ['--nodes', '3', '--concurrency', '4', '--time-limit', String(timeLimit), '--recovery-time', '2', '--nemesis-interval', '1.5', '--results-dir', results];
}

function latestRun(): string {
  return join(results, readlinkSync(join(results, 'latest')));
}

/** Start a long run and resolve once its own history has some operations in it. */
async function startRunning(seed: number): Promise<{ child: ReturnType<typeof startCli>['child']; done: ReturnType<typeof startCli>['done']; dir: string }> {
  const before = existsSync(join(results, 'latest')) ? latestRun() : '';
  const { child, done } = startCli(['test', '--seed', String(seed), ...short(60)]);
  await waitFor(() => {
    if (!existsSync(join(results, 'latest')) || latestRun() === before) return false;
    const history = join(latestRun(), 'history.jsonl');
    return existsSync(history) && readFileSync(history, 'utf8').split('\n').length > 40;
  }, 30_000);
  return { child, done, dir: latestRun() };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('faultline test', () => {
  it('runs raft-kv under partitions and finds it linearizable', async () => {
    const run = await runCli(['test', '--cluster', 'raft-kv', '--workload', 'register', '--nemesis', 'partition', '--seed', '1', ...short()]);
    expect(run.stderr).toContain('verdict');
    expect(run.code, run.stderr).toBe(0);
    const dir = latestRun();
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(res.valid).toBe(true);
    expect(res.spec.seed).toBe(1);
    expect(res.ops.ok).toBeGreaterThan(20);
    expect(res.schedule.length).toBeGreaterThan(0);
    for (const f of ['history.jsonl', 'junit.xml', 'report.html', 'nodes/n1.log', 'test.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    const history = await readHistoryFile(join(dir, 'history.jsonl'));
    expect(history.ops.some((op) => op.process === 'nemesis' && op.f === 'start-partition')).toBe(true);
    expect(runProcesses(dir)).toEqual([]);
    const recheck = await runCli(['check', dir]);
    expect(recheck.code).toBe(0);
  });

  it('stops cleanly on SIGINT and still writes a checkable history and a report', async () => {
    const { child, done, dir } = await startRunning(2);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(2);
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(res.interrupted).toBe(true);
    expect(res.valid).toBe('unknown');
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(runProcesses(dir)).toEqual([]);
  });

  it('leaves a checkable history and no nodes when the harness is killed with SIGKILL', async () => {
    const { child, done, dir } = await startRunning(3);
    child.kill('SIGKILL');
    await done;
    await waitFor(() => runProcesses(dir).length === 0, 5000);
    const check = await runCli(['check', dir, '--json']);
    expect(check.code, check.stderr).toBe(0);
    const verdict = JSON.parse(check.stdout);
    expect(verdict.valid).toBe(true);
    const report = await runCli(['report', dir]);
    expect(report.code).toBe(2); // rebuilt from a partial run: unknown, never valid
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    // The nodes' scratch directory outlives a harness killed with -9; faultline clean finds it.
    const clean = await runCli(['clean', '--no-labs']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(new RegExp(`removed scratch directory \\S+ \\(harness ${child.pid} is gone\\)`));
  });
});
