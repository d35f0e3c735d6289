/**
 * faultline matrix end to end, with --quick on one cheap system and its one bug: a memory-kv
 * fixture (test/fixtures/fixture-cli.ts) whose bug acknowledges writes it never sends, caught in
 * every seed, and which is linearizable on one node without it. Two short runs.
 */
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatrixTable } from '../../src/matrix/table.js';
import { FIXTURE_MAIN, runCli } from '../helpers/cli.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-matrix-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

describe('faultline matrix --quick', () => {
  it('runs the bug and the correct system, prints and writes the table, exits 0 without false alarms', async () => {
    const args = ['matrix', '--systems', 'forgetful-kv', '--quick', '--seeds', '1', '--time-limit', '3', '--recovery-time', '1', '--nodes', '1', '--concurrency', '4', '--results-dir', results];
    const r = await runCli(args, undefined, FIXTURE_MAIN);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[1\/2\] forgetful-kv --bug ack-without-write --nemesis pause --seed 1: INVALID \(nonlinearizable at \d+\.\d s\)/);
    expect(r.stderr).toMatch(/\[2\/2\] forgetful-kv \(no bug\) --nemesis pause --seed 1: VALID/);
    expect(r.stdout).toMatch(/^\| forgetful-kv \| `ack-without-write` \| pause \| register \| 1\/1 \| \d+\.\d s \|  \|$/m);
    expect(r.stdout).toMatch(/^\| forgetful-kv \| pause \| register \| 0\/1 \|  \|$/m);

    const [dir] = readdirSync(results).filter((d) => d.startsWith('matrix-'));
    const table = JSON.parse(readFileSync(join(results, dir as string, 'matrix.json'), 'utf8')) as MatrixTable;
    expect(readFileSync(join(results, dir as string, 'matrix.md'), 'utf8')).toBe(r.stdout);
    expect(table.falseAlarms).toBe(0);
    expect(table.settings).toMatchObject({ seeds: [1], timeLimitS: 3, recoveryS: 1, nodes: 1, concurrency: 4 });
    expect(table.rows.map((row) => [row.bug, row.nemeses, row.invalid, row.seeds.length])).toEqual([
      ['ack-without-write', ['pause'], 1, 1],
      [null, ['pause'], 0, 1],
    ]);
    const caught = table.rows[0]!.seeds[0]!;
    expect(caught.firstViolationS).toBeGreaterThan(0);
    expect(caught.firstViolationS).toBeLessThan(3 + 1 + 10);
    // Each run is a whole faultline test run directory.
    expect(JSON.parse(readFileSync(join(caught.runDir!, 'results.json'), 'utf8'))).toMatchObject({ valid: false, spec: { bugs: ['ack-without-write'], seed: 1 } });
  }, 120_000);
});
