/**
 * Whatever signals reach the harness, and whenever (while it starts, while nodes start, during a
 * kill-all restart, in the teardown, while it checks), it leaves nothing that `faultline clean`
 * cannot find: no node or tether outlives it (the tethers end them), and every scratch
 * directory left behind names its dead owner. Scenarios are drawn by fast-check; the first ones
 * are the reported case, two SIGINTs 1 ms apart during a kill-all restart.
 *
 * The harness gets a TMPDIR of its own, so its scratch directories are told apart from other
 * runs' on this machine; the checks use clean's own finders rather than clean itself, which
 * would also end the leftovers of other people's dead runs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { leftoverScratchDirs } from '../../src/runner/run-dir.js';
import { startCli } from '../helpers/cli.js';
import { historyLines, latestRun, runPids, waitFor } from '../fixtures/run-watch.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-signals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NODES = ['n1', 'n2', 'n3'];
/** Kill every node and start them again, over and over: restarts are always in flight. */
const restarts = join(root, 'kill-all.json');
writeFileSync(
  restarts,
  JSON.stringify({
    nemeses: ['kill'],
    entries: Array.from({ length: 70 }, (_, i) => [
      { atMs: 200 + i * 400, f: 'start-kill', value: { target: 'all', nodes: NODES } },
      { atMs: 400 + i * 400, f: 'stop-kill' },
    ]).flat(),
  }),
);

type Moment = 'at once' | 'run directory made' | 'nodes starting' | 'kill-all restart' | 'teardown' | 'checking';
type Signals = readonly (NodeJS.Signals | number)[];

interface Scenario {
  moment: Moment;
  /** Signals to send, with pauses (ms) between them. */
  signals: Signals;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function play({ moment, signals }: Scenario): Promise<void> {
  const tmp = mkdtempSync(join(root, 'tmp-'));
  const results = mkdtempSync(join(root, 'results-'));
  const args = ['test', '--cluster', 'memory-kv', '--nodes', '3', '--concurrency', '3', '--rate', '100', '--time-limit', '30', '--recovery-time', '0', '--schedule', restarts, '--results-dir', results];
  const { child, done } = startCli(args, undefined, undefined, { TMPDIR: tmp });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const ended = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const dir = (): string | undefined => latestRun(results);
  const until = async (cond: () => boolean, what: string): Promise<void> => waitFor(() => ended() || cond(), 60_000, what);
  const send = async (sequence: Signals): Promise<void> => {
    for (const step of sequence) {
      if (typeof step === 'number') await sleep(step);
      else if (!ended()) child.kill(step);
    }
  };

  if (moment === 'run directory made') await until(() => dir() !== undefined, 'the run directory');
  if (moment === 'nodes starting') await until(() => dir() !== undefined && runPids(dir()!).tethers.length > 0, 'a tether');
  if (moment === 'kill-all restart') {
    // Once a stop-kill is recorded, watch the harness's children closely: the moment new tethers
    // appear, every node is being started again and the tethers are still booting.
    await until(() => dir() !== undefined && restarting(dir()!), 'a kill-all restart');
    const before = new Set(children(child.pid!));
    const t0 = Date.now();
    while (!ended() && Date.now() - t0 < 10_000 && children(child.pid!).every((pid) => before.has(pid))) await sleep(1);
  }
  if (moment === 'teardown' || moment === 'checking') {
    await until(() => dir() !== undefined && historyLines(dir()!) >= 20, 'the run');
    child.kill('SIGINT');
    await until(() => stderr.includes(moment === 'teardown' ? 'tearing down' : 'checking'), moment);
  }
  await send(signals);
  const out = await done;
  const runDir = dir();
  const what = `${moment} ${signals.join(' ')}: exit ${out.code}\n${out.stderr}`;

  // No node or tether outlives the harness: the tethers end them.
  try {
    if (runDir) await waitFor(() => runProcesses(runDir).length === 0, 15_000, `the processes of ${runDir} to end (${what})`);
  } finally {
    for (const { pid } of runDir ? runProcesses(runDir) : []) process.kill(pid, 'SIGKILL'); // this test's own leftovers
  }
  // Every scratch directory left names its owner, which is gone: faultline clean removes it.
  const left = readdirSync(tmp).map((name) => join(tmp, name));
  expect(left.sort(), what).toEqual(leftoverScratchDirs(tmp).map((l) => l.dir).sort());
  // Only a forced end (SIGKILL, or a second signal cut short) may leave one at all.
  if (!signals.includes('SIGKILL') && signals.filter((s) => typeof s === 'string').length === 1) expect(left, what).toEqual([]);
}

/** The pids of a process's children (Linux). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Whether the run's history shows a stop-kill invoked and not yet done: every node is being started. */
function restarting(runDir: string): boolean {
  const file = join(runDir, 'history.jsonl');
  if (!existsSync(file)) return false;
  return (readFileSync(file, 'utf8').match(/"f":"stop-kill"/g)?.length ?? 0) % 2 === 1;
}

describe('signals at any moment leave nothing faultline clean cannot find', () => {
  it.each([1, 2, 3])('two SIGINTs 1 ms apart during a kill-all restart (try %i)', async () => {
    await play({ moment: 'kill-all restart', signals: ['SIGINT', 1, 'SIGINT'] });
  }, 120_000);

  it('any signals at any moment', async () => {
    const moment = fc.constantFrom<Moment>('at once', 'run directory made', 'nodes starting', 'kill-all restart', 'teardown', 'checking');
    const signals = fc.constantFrom<Signals>(['SIGINT'], ['SIGTERM'], ['SIGINT', 1, 'SIGINT'], ['SIGTERM', 0, 'SIGTERM'], ['SIGINT', 30, 'SIGTERM'], ['SIGKILL'], ['SIGINT', 1, 'SIGKILL']);
    await fc.assert(
      fc.asyncProperty(moment, signals, fc.integer({ min: 0, max: 40 }), async (m, s, delay) => play({ moment: m, signals: [delay, ...s] })),
      { numRuns: 8, seed: 7 },
    );
  }, 600_000);
});
