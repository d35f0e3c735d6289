/**
 * faultline test with the set workload end to end, on memory-kv with one node (linearizable, so
 * no element may be lost) through the set client over its register: VALID, with the final reads
 * through the node holding every acknowledged element. One short run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-set-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

describe('the set workload', () => {
  it('is valid on a linearizable register: every acknowledged add is in the final reads', async () => {
    const r = await runCli(['test', '--cluster', 'memory-kv', '--nodes', '1', '--workload', 'set', '--nemesis', 'pause', '--concurrency', '4', '--time-limit', '4', '--recovery-time', '1', '--seed', '1', '--results-dir', results]);
    expect(r.stderr).toMatch(/set: VALID {2}\d+ acknowledged elements all read, \d+ of unknown outcome recovered, none lost or unexpected/);
    expect(r.code, r.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(results, 'latest', 'results.json'), 'utf8')) as { checkers: { set: { stats: Record<string, number> } } };
    expect(saved.checkers.set.stats['final-reads']).toBe(4 * 3);
    expect(saved.checkers.set.stats.ok).toBeGreaterThan(10);
  }, 120_000);
});
