/**
 * faultline shrink end to end, with real runs: a failing `--nemesis random` run, its shrink
 * (attempts in `<run>/shrink/`), and a replay of the shrunk schedule with the printed command.
 * The system is memory-kv on 3 nodes, which is not linearizable with or without faults, so the
 * outcome is certain: the empty schedule fails. (raft-kv's `stale-read` under an isolated
 * primary failed in about 6 of 7 runs here: too flaky for a test that needs a failure.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readScheduleFile } from '../../src/runner/schedule-file.js';
import { runCli } from '../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-e2e-shrink-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const RUN = ['--cluster', 'memory-kv', '--nodes', '3', '--concurrency', '6', '--recovery-time', '1', '--results-dir', results];

describe('faultline shrink', () => {
  it('shrinks a failed random run to the empty schedule and prints a command that replays it', async () => {
    const original = await runCli(['test', ...RUN, '--nemesis', 'random', '--time-limit', '5', '--seed', '2']);
    expect(original.code, original.stderr).toBe(1);
    const runDir = join(results, readlinkSync(join(results, 'latest')));
    expect(readScheduleFile(join(runDir, 'schedule.json')).nemeses).not.toContain('random');

    const shrink = await runCli(['shrink', runDir, '--max-runs', '3']);
    expect(shrink.code, shrink.stderr).toBe(0);
    expect(shrink.stderr).toMatch(/attempt 1 \(faults\): 0 faults, 5 s main phase/);
    const file = join(runDir, 'shrunk-schedule.json');
    expect(readScheduleFile(file)).toEqual({ nemeses: [], entries: [] });
    const attempts = readdirSync(join(runDir, 'shrink')).filter((d) => d.includes('attempt-'));
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.length).toBeLessThanOrEqual(3);
    for (const a of attempts) expect(existsSync(join(runDir, 'shrink', a, 'results.json')), a).toBe(true);

    const command = /^replay: faultline (test .*)$/m.exec(shrink.stdout)?.[1];
    expect(command).toContain(`--schedule ${file}`);
    const replay = await runCli([...command!.split(' '), '--recovery-time', '1', '--results-dir', results]);
    expect(replay.code, replay.stderr).toBe(1);
    const replayed = JSON.parse(readFileSync(join(results, 'latest', 'results.json'), 'utf8'));
    expect(replayed.schedule).toEqual([]);
  }, 90_000);
});
