/**
 * A real run's results, end to end: raft-kv nodes record their messages into the run directory,
 * results.json carries its version and time origin, history and schedule share one time base,
 * the report embeds the message diagram's data, `--junit` writes a copy, and a results
 * directory written by an older faultline is rebuilt by `faultline report`, but not one whose
 * harness is still writing it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_ELEMENT_ID } from '../../src/report/client-bundle.js';
import type { ReportData } from '../../src/report/client/types.js';
import { processIdentity } from '../../src/process-identity.js';
import { RESULTS_VERSION } from '../../src/results/schema.js';
import { runCli } from '../helpers/cli.js';
import { writeFixtureRun } from '../fixtures/report-run.js';
import { latestRun } from '../fixtures/run-watch.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-report-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function embedded(file: string): ReportData {
  const html = readFileSync(file, 'utf8');
  return JSON.parse(new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">(.*?)</script>`, 's').exec(html)![1]!) as ReportData;
}

describe('results of a real run', () => {
  it('traces messages, keeps one time base, and writes --junit', { timeout: 120_000 }, async () => {
    const results = join(root, 'results');
    const junit = join(root, 'ci.xml');
    const args = ['test', '--cluster', 'raft-kv', '--nodes', '3', '--concurrency', '3', '--time-limit', '4', '--recovery-time', '1'];
    const run = await runCli([...args, '--nemesis', 'partition', '--nemesis-interval', '1', '--seed', '3', '--results-dir', results, '--junit', junit]);
    expect([0, 1], run.stderr).toContain(run.code);
    expect(run.stderr).toMatch(/schedule \(\d+ fault operations; seconds from the workload's start, as in the history and the report\):/);
    const dir = latestRun(results)!;
    const saved = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(saved.version).toBe(RESULTS_VERSION);
    expect(saved.timeOrigin).toMatchObject({ wallMs: expect.any(Number), monoNs: expect.any(Number) });
    expect(readFileSync(junit, 'utf8')).toBe(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    expect(existsSync(join(dir, 'harness.pid')), 'the run is written: no harness at work').toBe(false);

    // One time base: each scheduled fault is recorded within moments of its planned time.
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const faults = history.filter((op) => op.process === 'nemesis' && op.type === 'invoke' && op.f !== 'heal');
    expect(faults.length).toBeGreaterThan(0);
    faults.forEach((op, k) => {
      const lag = op.time / 1e6 - saved.schedule[k].atMs;
      expect(lag, `${op.f} at ${op.time / 1e6} ms, planned at ${saved.schedule[k].atMs} ms`).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(1000);
    });
    expect(history[0].time).toBeGreaterThanOrEqual(0);

    // Every node wrote its message trace into the run directory, and the report carries them.
    for (const node of ['n1', 'n2', 'n3']) {
      const lines = readFileSync(join(dir, 'nodes', `${node}.messages.jsonl`), 'utf8').trim().split('\n');
      expect(JSON.parse(lines[0]!)).toMatchObject({ node, clock: { monoNs: expect.any(Number) } });
      expect(lines.length).toBeGreaterThan(20);
    }
    const data = embedded(join(dir, 'report.html'));
    expect(data.messages!.nodes).toEqual(['n1', 'n2', 'n3']);
    const received = data.messages!.recv.filter((t) => t !== null).length;
    expect(received).toBeGreaterThan(20);
    // Messages lie inside the run: sent after the cluster started, before the end of the history.
    const sent = data.messages!.sent.filter((t): t is number => t !== null);
    expect(sent.every((t) => t > -60_000 && t < data.end + 5_000)).toBe(true);
    expect(data.messages!.types).toEqual(expect.arrayContaining(['append', 'append-reply']));
    expect(data.logs.map((l) => l.node)).toEqual(['n1', 'n2', 'n3']);
    expect(data.logs[0]!.times.some((t) => t !== null)).toBe(true);
  });

  it('rebuilds a results directory written before results had a version', { timeout: 120_000 }, async () => {
    const dir = join(root, 'old');
    await writeFixtureRun(dir);
    const current = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    delete current.version;
    delete current.timeOrigin;
    writeFileSync(join(dir, 'results.json'), JSON.stringify(current));
    const run = await runCli(['report', dir, '--junit', join(root, 'old.xml')]);
    expect(run.code, run.stderr).toBe(1);
    const rebuilt = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(rebuilt.version).toBe(RESULTS_VERSION);
    expect(rebuilt.startedAt).toBe(current.startedAt);
    expect(readFileSync(join(root, 'old.xml'), 'utf8')).toContain('<failure message="stale read on key 1');
    const data = embedded(join(dir, 'report.html'));
    expect(data.messages!.notes[0]).toMatch(/not placed in time: results.json has no timeOrigin/);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });

  it('refuses to rebuild a run whose harness is still writing it, not one whose harness is gone', { timeout: 120_000 }, async () => {
    const dir = join(root, 'live');
    await writeFixtureRun(dir);
    const before = readFileSync(join(dir, 'results.json'), 'utf8');
    // This process stands for the live harness; the same pid with another start time is a reused pid.
    writeFileSync(join(dir, 'harness.pid'), `${processIdentity()}\n`);
    const live = await runCli(['report', dir]);
    expect(live.code, live.stderr).toBe(2);
    expect(live.stderr).toMatch(new RegExp(`still in progress \\(faultline pid ${process.pid} is writing it\\)`));
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe(before);
    writeFileSync(join(dir, 'harness.pid'), `${process.pid}@1\n`);
    const dead = await runCli(['report', dir]);
    expect(dead.code, dead.stderr).toBe(1);
  });
});
