/**
 * The end of a run: the verdict of a run in which no client operation took effect (unknown,
 * never valid); a run of a huge schedule is reported in full; and whatever fails while the
 * results are written, no junit.xml is left that disagrees with the run.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checker } from '../../src/api/checker.js';
import type { ScheduleEntry } from '../../src/api/nemesis.js';
import { finishRun, type FinishInput } from '../../src/runner/finish-run.js';
import { silentUi } from '../../src/runner/ui.js';
import { testSpec } from '../helpers/spec.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-finish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A checker that would call anything valid. */
const lenient: Checker = { name: 'lenient', check: async () => ({ valid: true, summary: 'fine' }) };

describe('finishing a run', () => {
  it('says unknown when every client operation failed, as when no client could be opened', async () => {
    const op = { process: 0, f: 'write', key: '1', value: 1, node: 'n1' };
    const lines = [
      { ...op, index: 0, time: 1, type: 'invoke' },
      { ...op, index: 1, time: 2, type: 'fail', error: 'no-client: connect ECONNREFUSED 127.0.0.1:1' },
    ];
    const run = await finishRun(finishing(join(dir, 'no-client'), lines));
    expect(run.results.valid).toBe('unknown');
    expect(run.exitCode).toBe(2);
    expect(run.results.checkers.lenient?.summary).toBe('No client operation took effect (all 1 failed): nothing was checked.');
  });
});

/** finishRun's input for a run directory `root` whose history has `lines`. */
function finishing(root: string, lines: object[], schedule: ScheduleEntry[] = []): FinishInput {
  mkdirSync(root, { recursive: true });
  const history = join(root, 'history.jsonl');
  writeFileSync(history, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return {
    dirs: { root, history, results: join(root, 'results.json'), report: join(root, 'report.html'), junit: join(root, 'junit.xml') },
    spec: testSpec(),
    command: 'faultline test',
    checker: lenient,
    startedAt: new Date(0),
    durationS: 1,
    net: 'proxy',
    schedule,
    warnings: [],
    interrupted: false,
    ui: silentUi,
  };
}

const clientOps = [
  { index: 0, time: 1, type: 'invoke', process: 0, f: 'write', key: '1', value: 1 },
  { index: 1, time: 2, type: 'ok', process: 0, f: 'write', key: '1', value: 1 },
];

describe('a run of a huge schedule', () => {
  it('writes its results, JUnit file and report (no spread of a long array overflows the stack)', async () => {
    // Far past the ~120,000 arguments a spread can pass on Node's default stack.
    const n = 300_000;
    const schedule: ScheduleEntry[] = [];
    const lines: object[] = [...clientOps];
    for (let i = 0; i < n; i++) {
      const f = i % 2 === 0 ? 'start-partition' : 'stop-partition';
      schedule.push({ atMs: i, f, ...(i % 2 === 0 && { value: { shape: 'random-halves' } }) });
      lines.push({ index: lines.length, time: 3 + i, type: 'info', process: 'nemesis', f, value: null });
    }
    const run = await finishRun(finishing(join(dir, 'huge'), lines, schedule));
    expect(run.results.valid).toBe(true);
    expect(run.results.warnings).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'huge', 'results.json'), 'utf8')).schedule).toHaveLength(n);
    const report = readFileSync(join(dir, 'huge', 'report.html'), 'utf8');
    expect(report).toContain(`${n / 2} fault intervals: too many to shade here`);
    expect(report).toContain(`First 5000 of ${n} fault operations`);
    expect(report.length).toBeLessThan(5_000_000);
  }, 120_000);
});

describe('writing the results', () => {
  it('leaves no junit.xml when the results cannot all be written, not even a passing one from before', async () => {
    const root = join(dir, 'unwritable');
    const input = finishing(root, clientOps);
    writeFileSync(input.dirs.junit, '<testsuites tests="1" failures="0"></testsuites>');
    mkdirSync(join(input.dirs.report, 'in-the-way'), { recursive: true }); // report.html cannot be written
    await expect(finishRun(input)).rejects.toThrow();
    expect(existsSync(input.dirs.junit)).toBe(false);
    expect(existsSync(input.dirs.results)).toBe(false);
  });
});
