/**
 * The harness can be trusted with its own mess: whatever ends a run (a normal end, a cluster
 * that cannot start, Ctrl-C, SIGTERM, a second Ctrl-C, a node crash, kill -9), no node, tether
 * or scratch directory of the run remains, or `faultline clean` removes it; the history on disk
 * holds every operation recorded before the end; and a checker that runs out of time says
 * unknown, never valid. Runs use memory-kv, the cheapest bundled system.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/api/test-spec.js';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { FIXTURE_MAIN, runCli, startCli, type CliResult } from '../helpers/cli.js';
import { historyLines, latestRun, pairingProblems, runPids, scratchDirsOf, waitFor } from '../fixtures/run-watch.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-robust-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const COMMON = ['--nemesis', 'none', '--concurrency', '4', '--rate', '200', '--recovery-time', '1'];

/** Start `faultline test` (on memory-kv unless `cluster` says otherwise) with its own results directory. */
function start(extra: string[], cluster = 'memory-kv'): Started {
  const results = mkdtempSync(join(root, 'run-'));
  const entry = cluster === 'memory-kv' ? undefined : FIXTURE_MAIN;
  const { child, done } = startCli(['test', '--cluster', cluster, ...COMMON, '--results-dir', results, ...extra], undefined, entry);
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  return { results, pid: child.pid as number, done, kill: (sig) => child.kill(sig), ended: () => (child.exitCode ?? child.signalCode) !== null, stderr: () => stderr };
}

interface Started {
  results: string;
  pid: number;
  done: Promise<CliResult>;
  kill: (sig: NodeJS.Signals) => void;
  ended: () => boolean;
  stderr: () => string;
}

/** The run's directory once it has recorded `lines` history lines; fails at once if the run ended. */
async function running(run: Started, lines: number): Promise<string> {
  let dir: string | undefined;
  await waitFor(() => {
    if (run.ended()) throw new Error(`the run ended early: ${run.stderr()}`);
    return (dir = latestRun(run.results)) !== undefined && historyLines(dir) >= lines;
  }, 45_000, `${lines} history lines`);
  return dir!;
}

/** Nothing of the run is left: no node or tether, no scratch directory. */
async function expectNothingLeft(runDir: string, harnessPid: number): Promise<void> {
  await waitFor(() => runProcesses(runDir).length === 0, 5000, `the processes of ${runDir} to end`);
  expect(scratchDirsOf(harnessPid)).toEqual([]);
}

function results(runDir: string): Record<string, unknown> & { valid: unknown; warnings: string[]; interrupted: boolean } {
  return JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
}

describe.concurrent('teardown leaves nothing behind', () => {
  it('after a normal end', async () => {
    const run = start(['--nodes', '2', '--time-limit', '2']);
    const out = await run.done;
    expect(out.code, out.stderr).toBe(1); // two independent stores: rightly not linearizable
    await expectNothingLeft(latestRun(run.results)!, run.pid);
  });

  it('after a cluster that cannot start', async () => {
    const run = start(['--nodes', '3', '--time-limit', '2'], 'exits-at-once');
    const out = await run.done;
    expect(out.code, out.stderr).toBe(2);
    await expectNothingLeft(latestRun(run.results)!, run.pid);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('after one %s: it stops, still checks and reports', async (sig) => {
    const run = start(['--nodes', '1', '--time-limit', '60']);
    const dir = await running(run, 40);
    const t0 = Date.now();
    run.kill(sig);
    const out = await run.done;
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(out.code, out.stderr).toBe(2);
    const res = results(dir);
    expect(res.interrupted).toBe(true);
    expect(res.valid).toBe('unknown');
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    // Operations in flight were given up as info: every invocation still has its completion.
    expect(pairingProblems((await readHistoryFile(join(dir, 'history.jsonl'))).ops)).toEqual([]);
    await expectNothingLeft(dir, run.pid);
  });

  it('after a second Ctrl-C, which exits a stuck harness at once and still removes the scratch directory', async () => {
    // The fixture's readiness check never returns and holds a timer: the first Ctrl-C abandons the
    // check, tears down and reports, but the process cannot exit by itself.
    const run = start(['--nodes', '2', '--time-limit', '60'], 'stuck-ready');
    // This harness cannot exit by itself: whatever fails below, it must not outlive the test.
    try {
      let dir: string | undefined;
      await waitFor(() => (dir = latestRun(run.results)) !== undefined && runPids(dir).nodes.length === 2, 45_000, 'two nodes');
      run.kill('SIGINT');
      await waitFor(() => existsSync(join(dir!, 'results.json')), 45_000, 'the interrupted run to report');
      expect(results(dir!).interrupted).toBe(true);
      expect(run.ended()).toBe(false);
      const t0 = Date.now();
      run.kill('SIGINT');
      const out = await run.done;
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(out.code, out.stderr).toBe(130);
      expect(out.stderr).toMatch(/forced exit on second SIGINT/);
      await expectNothingLeft(dir!, run.pid);
    } finally {
      if (!run.ended()) run.kill('SIGKILL');
    }
  }, 120_000);

  it('after SIGTERM while a 100-node cluster is starting: it stops within the start deadline, starting no more nodes', async () => {
    // With 100 nodes the fault proxy alone has 9,900 links to set up, then 100 nodes start.
    const run = start(['--nodes', '100', '--time-limit', '30']);
    let dir: string | undefined;
    await waitFor(() => (dir = latestRun(run.results)) !== undefined && run.stderr().includes('starting 100'), 45_000, 'the start');
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const startedBefore = readdirSync(join(dir!, 'nodes')).length;
    run.kill('SIGTERM');
    const out = await run.done;
    expect(out.code, out.stderr).toBe(2);
    expect(Date.now() - t0).toBeLessThan(30_000); // the start's own deadline; it used to finish all 100 first
    // A node's log file is made when its start begins: at most the few already under way were added.
    expect(readdirSync(join(dir!, 'nodes')).length).toBeLessThanOrEqual(startedBefore + 8);
    await expectNothingLeft(dir!, run.pid);
  });

  it('after a node crashes mid-run, which is reported', async () => {
    const run = start(['--nodes', '1', '--time-limit', '4']);
    const dir = await running(run, 40);
    const { nodes } = runPids(dir);
    expect(nodes).toHaveLength(1);
    process.kill(nodes[0]!, 'SIGKILL');
    const out = await run.done;
    expect([0, 1, 2]).toContain(out.code);
    expect(results(dir).warnings.join('\n')).toMatch(/node n1 crashed \(killed by SIGKILL\)/);
    await expectNothingLeft(dir, run.pid);
  });
});

describe('faultline report on a run that is still going', () => {
  it('refuses in one line and leaves the run alone, which then writes its own results', async () => {
    const run = start(['--nodes', '1', '--time-limit', '60']);
    const dir = await running(run, 40);
    for (const path of [dir, join(run.results, 'latest')]) {
      const report = await runCli(['report', path]);
      expect(report.code, report.stderr).toBe(2);
      expect(report.stderr).toMatch(new RegExp(`is a run still in progress \\(faultline pid ${run.pid} is writing it\\)`));
      expect(report.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'results.json'))).toBe(false);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    run.kill('SIGINT');
    const out = await run.done;
    expect(out.code, out.stderr).toBe(2);
    const res = results(dir);
    expect(res.interrupted).toBe(true);
    expect(res.warnings.join('\n')).not.toMatch(/rebuilt from the history alone/);
    await expectNothingLeft(dir, run.pid);
  });
});

describe('after kill -9 of the harness', () => {
  it('check reads every complete line, reports a torn last one, and report rebuilds the results', async () => {
    const run = start(['--nodes', '1', '--time-limit', '60']);
    const dir = await running(run, 60);
    run.kill('SIGKILL');
    await run.done;
    const history = join(dir, 'history.jsonl');
    const complete = historyLines(dir);
    appendFileSync(history, '{"index":999999,"time":12,"type":"inv'); // as if torn mid-write
    const check = await runCli(['check', dir, '--json']);
    expect(check.code, check.stderr).toBe(0);
    const verdict = JSON.parse(check.stdout);
    expect(verdict.valid).toBe(true);
    expect(verdict.warnings).toEqual([expect.stringMatching(new RegExp(`history\\.jsonl:${complete + 1}: ignored the torn last line`))]);
    // Every operation recorded before the kill is there, numbered without a gap.
    const parsed = await readHistoryFile(history);
    expect(parsed.ops.map((op) => op.index)).toEqual(Array.from({ length: complete }, (_, i) => i));
    const report = await runCli(['report', dir]);
    expect(report.code, report.stderr).toBe(2); // rebuilt from a partial run: unknown, never valid
    const res = results(dir);
    expect(res.valid).toBe('unknown');
    expect(res.warnings.join('\n')).toMatch(/rebuilt from the history alone/);
    expect(res.warnings.join('\n')).toMatch(/ignored the torn last line/);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    // The tethers took the node down; only the scratch directory is left, for faultline clean.
    await waitFor(() => runProcesses(dir).length === 0, 5000, 'the tethers to end the node');
    const [scratch] = scratchDirsOf(run.pid);
    expect(scratch).toBeDefined();
    const clean = await runCli(['clean', '--no-labs']);
    expect(clean.stdout).toMatch(new RegExp(`^removed scratch directory ${scratch} \\(harness ${run.pid} is gone\\)$`, 'm'));
    await expectNothingLeft(dir, run.pid);
  });

  it('faultline clean removes what the run left when its tethers died too, and nothing else', async () => {
    const run = start(['--nodes', '2', '--time-limit', '60']);
    const dir = await running(run, 40);
    const { tethers, nodes } = runPids(dir);
    expect(nodes).toHaveLength(2);
    for (const pid of tethers) process.kill(pid, 'SIGKILL');
    run.kill('SIGKILL');
    await run.done;
    const [scratch] = scratchDirsOf(run.pid);
    expect(scratch).toBeDefined();
    expect(runPids(dir).nodes.sort()).toEqual([...nodes].sort()); // orphaned, still running
    const clean = await runCli(['clean', '--no-labs']);
    expect(clean.code, clean.stderr).toBe(0);
    for (const pid of nodes) expect(clean.stdout).toMatch(new RegExp(`^killed process ${pid} \\(node\\) of run ${dir} \\(harness ${run.pid} is gone\\)$`, 'm'));
    expect(clean.stdout).toMatch(new RegExp(`^removed scratch directory ${scratch} \\(harness ${run.pid} is gone\\)$`, 'm'));
    await expectNothingLeft(dir, run.pid);
    const again = await runCli(['clean', '--no-labs']);
    expect(again.stdout).not.toContain(dir);
    expect(again.stdout).not.toContain(scratch);
  });
});

/**
 * A linearizable history too big to check in a few milliseconds: `keys` keys, each with three
 * concurrent writes. Only a checker that honours its deadline (between keys too) says unknown.
 */
function bigHistory(keys: number): string {
  const lines: string[] = [];
  const add = (process: number, type: string, key: number): void => {
    lines.push(JSON.stringify({ index: lines.length, time: lines.length, type, process, f: 'write', key: `k${key}`, value: process }));
  };
  for (let k = 0; k < keys; k++) {
    for (let p = 0; p < 3; p++) add(p, 'invoke', k);
    for (let p = 0; p < 3; p++) add(p, 'ok', k);
  }
  return `${lines.join('\n')}\n`;
}

describe.concurrent('a checker out of time says unknown, never valid', () => {
  const hard = join(root, 'hard.jsonl');
  writeFileSync(hard, bigHistory(8000));

  it('faultline check --checker-timeout', async () => {
    const out = await runCli(['check', hard, '--checker-timeout', '0.01', '--json']);
    expect(out.code, out.stderr).toBe(2);
    const verdict = JSON.parse(out.stdout);
    expect(verdict.valid).toBe('unknown');
    expect(verdict.summary).toMatch(/timed out/);
  });

  it("faultline report with the run's own checker timeout", async () => {
    const dir = join(root, 'hard-run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'history.jsonl'), readFileSync(hard));
    const spec: Partial<TestSpec> = {
      name: 'hard', cluster: 'memory-kv', workload: 'register', nemeses: [], bugs: [], clusterOptions: {}, nodes: ['n1'], concurrency: 3,
      timeLimitS: 1, recoveryS: 0, seed: 1, rate: 1, nemesisIntervalS: 1, opTimeoutMs: 1000, keyCount: 1, opsPerKey: 1, checkerTimeoutS: 0.01,
      resultsRoot: root, hosts: 'local', net: 'proxy', hostOptions: {},
    };
    writeFileSync(join(dir, 'test.json'), JSON.stringify({ spec, command: 'faultline test' }));
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ startedAt: new Date().toISOString(), durationS: 1, interrupted: false, warnings: [] }));
    const out = await runCli(['report', dir]);
    expect(out.code, out.stderr).toBe(2);
    const res = results(dir);
    expect(res.valid).toBe('unknown');
    expect((res.checkers as Record<string, { valid: unknown; summary: string }>).linearizable).toMatchObject({ valid: 'unknown', summary: expect.stringMatching(/timed out/) });
  });
});
