/**
 * The harness under load: 200 concurrent clients against memory-kv (one node, so the verdict
 * must be valid, and the system answers at once, so the harness is what is measured). Every
 * invocation gets exactly one completion, the harness's memory stays flat while it runs (it
 * streams the history to disk), and it keeps the requested rate or says it could not.
 *
 * CI runs 20 s; set FAULTLINE_SOAK_S for a longer soak (e.g. FAULTLINE_SOAK_S=600).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { startCli } from '../helpers/cli.js';
import { latestRun, pairingProblems, rssMiB, scratchDirsOf, waitFor } from '../fixtures/run-watch.js';

const SECONDS = Number(process.env.FAULTLINE_SOAK_S ?? 20);
const CLIENTS = 200;
const RATE = 2000;
const SAMPLE_MS = 250;

const results = mkdtempSync(join(tmpdir(), 'faultline-load-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('load', () => {
  it(`${CLIENTS} clients for ${SECONDS} s: nothing lost, flat memory, the rate kept or the shortfall said`, { timeout: (SECONDS + 40) * 1000 }, async () => {
    const args = ['test', '--cluster', 'memory-kv', '--nodes', '1', '--nemesis', 'none', '--concurrency', String(CLIENTS), '--rate', String(RATE)];
    args.push('--time-limit', String(SECONDS), '--recovery-time', '0', '--key-count', String(CLIENTS), '--results-dir', results, '--seed', '11');
    const { child, done } = startCli(args);
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    // RSS of the harness while the workload runs (from "» running" to "» tearing down").
    const samples: number[] = [];
    await waitFor(() => stderr.includes('» running') || child.exitCode !== null, 30_000, 'the run to start');
    while (!stderr.includes('» tearing down') && child.exitCode === null) {
      const rss = rssMiB(child.pid as number);
      if (rss !== undefined) samples.push(rss);
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    const dir = latestRun(results)!;

    // Nothing lost: every invocation has exactly one completion, and the counts agree.
    const { ops } = await readHistoryFile(join(dir, 'history.jsonl'));
    expect(pairingProblems(ops).slice(0, 5)).toEqual([]);
    const saved = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(saved.valid).toBe(true);
    expect(saved.ops.invoke).toBe(saved.ops.ok + saved.ops.fail + saved.ops.info);
    expect(saved.ops.invoke).toBeGreaterThan(SECONDS * 100);

    // Flat memory: the last third of the run holds no more than the first third, loosely.
    expect(samples.length).toBeGreaterThan(SECONDS * 2);
    const third = Math.floor(samples.length / 3);
    const first = mean(samples.slice(0, third));
    const last = mean(samples.slice(-third));
    expect(last, `RSS first third ${first.toFixed(0)} MiB, last third ${last.toFixed(0)} MiB`).toBeLessThan(first * 1.5 + 50);

    // The rate: kept within 10 %, or the run says it was not.
    const invokes = ops.filter((op) => op.type === 'invoke' && op.process !== 'nemesis');
    const spanS = (invokes.at(-1)!.time - invokes[0]!.time) / 1e9;
    const achieved = invokes.length / spanS;
    const shortfall = saved.warnings.find((w: string) => w.startsWith(`requested ${RATE} ops/s, achieved`));
    if (achieved < 0.85 * RATE) expect(shortfall, `achieved ${achieved.toFixed(0)} ops/s`).toBeDefined();
    if (shortfall) expect(run.stderr).toContain(shortfall);
    if (achieved > 0.95 * RATE) expect(shortfall).toBeUndefined();

    // And nothing left behind.
    await waitFor(() => runProcesses(dir).length === 0, 5000, 'no processes');
    expect(scratchDirsOf(child.pid as number)).toEqual([]);
  });

  it('says so, in results.json and on the terminal, when it cannot keep the rate', async () => {
    const own = mkdtempSync(join(results, 'slow-'));
    const args = ['test', '--cluster', 'memory-kv', '--nodes', '1', '--nemesis', 'none', '--concurrency', '2', '--rate', '100000'];
    const run = await startCli([...args, '--time-limit', '3', '--recovery-time', '0', '--results-dir', own]).done;
    expect(run.code, run.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(latestRun(own)!, 'results.json'), 'utf8'));
    const [warning] = saved.warnings.filter((w: string) => w.startsWith('requested 100000 ops/s, achieved'));
    // Two clients against a store that answers at once: too few clients, unless the harness or the machine was the limit.
    expect(warning).toMatch(/^requested 100000 ops\/s, achieved [\d.]+: (too few clients|the harness was the bottleneck|the machine's CPUs were saturated)/);
    expect(run.stderr).toContain(`! ${warning}`);
  });
});
