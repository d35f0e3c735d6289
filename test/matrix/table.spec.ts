/** The matrix's tally and its renderings, from made-up run results. */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/api/op.js';
import { BEGIN_MARK, END_MARK, mergeMatrices, rewriteMatrixSection } from '../../src/matrix/readme.js';
import { matrixExitCode, matrixTable, outcomeOf, renderMarkdown, tallyRow, type MatrixSettings, type SeedOutcome } from '../../src/matrix/table.js';
import type { RunResults } from '../../src/results/schema.js';

const op = (index: number, timeS: number, type: Op['type'], process: Op['process'] = 0): Op => ({ index, time: timeS * 1e9, type, process, f: 'read', value: null });

const results = (valid: RunResults['valid'], anomalies: Op[][] = []): RunResults =>
  ({
    valid,
    checkers: {
      stats: { valid: true, summary: '' },
      linearizable: { valid, summary: '', anomalies: anomalies.map((ops, i) => ({ kind: i === 0 ? 'nonlinearizable' : 'other', summary: '', ops, explanation: '' })) },
    },
  }) as unknown as RunResults;

const settings: MatrixSettings = { seeds: [1, 2, 3], timeLimitS: 20, recoveryS: 5, nodes: 5, concurrency: 8, faultline: '0.1.0', startedAt: '2026-11-30T22:00:00.000Z', command: 'faultline matrix' };

describe('outcomeOf', () => {
  it('times the first violation by the anomaly whose evidence completes first, ignoring nemesis operations', () => {
    const late = [op(1, 2, 'invoke'), op(9, 9.5, 'ok')];
    const early = [op(2, 3, 'invoke'), op(4, 4.25, 'ok'), op(5, 8, 'info', 'nemesis')];
    const out = outcomeOf(7, results(false, [late, early]), '/r');
    expect(out).toEqual({ seed: 7, verdict: false, runDir: '/r', firstViolationS: 4.25, anomaly: 'other' });
  });

  it('leaves the time out of a valid run and of a violation no checker explained', () => {
    expect(outcomeOf(1, results(true), '/r')).toEqual({ seed: 1, verdict: true, runDir: '/r' });
    expect(outcomeOf(1, results(false), '/r')).toEqual({ seed: 1, verdict: false, runDir: '/r' });
  });
});

describe('the table', () => {
  const bug = { system: 's', bug: 'b', nemeses: ['kill', 'partition'], workload: 'register' };
  const correct = { system: 's', bug: null, nemeses: ['kill', 'partition'], workload: 'register' };
  const seeds: SeedOutcome[] = [
    { seed: 1, verdict: false, firstViolationS: 4 },
    { seed: 2, verdict: true },
    { seed: 3, verdict: false, firstViolationS: 10 },
  ];

  it('counts caught seeds, unknowns and errors, with the median time to the first violation', () => {
    const row = tallyRow(bug, [...seeds, { seed: 4, verdict: 'unknown' }, { seed: 5, verdict: 'error', error: 'refused' }]);
    expect(row).toMatchObject({ invalid: 2, unknown: 1, errors: 1, medianFirstViolationS: 7 });
    expect(tallyRow(bug, [seeds[1]!]).medianFirstViolationS).toBeNull();
  });

  it('exits 1 only for a false alarm: a correct system judged INVALID', () => {
    const missed = matrixTable(settings, [tallyRow(bug, [seeds[1]!]), tallyRow(correct, [seeds[1]!])], false);
    expect([missed.falseAlarms, matrixExitCode(missed)]).toEqual([0, 0]);
    const alarm = matrixTable(settings, [tallyRow(bug, seeds), tallyRow(correct, [seeds[0]!])], false);
    expect([alarm.falseAlarms, matrixExitCode(alarm)]).toEqual([1, 1]);
  });

  it('renders a settings line, a row per bug with the seeds missed, and a row per correct system', () => {
    const table = matrixTable(settings, [tallyRow(bug, seeds), tallyRow(correct, [seeds[1]!, { seed: 2, verdict: 'unknown' }, { seed: 3, verdict: 'error', error: 'a | b' }])], false);
    const md = renderMarkdown(table);
    expect(md).toContain('5 nodes, 8 clients, 20 s of faults then 5 s of recovery per run, seeds 1 to 3');
    expect(md).toContain('| s | `b` | kill,partition | register | 2/3 | 7.0 s | 2 |');
    expect(md).toContain('| s | kill,partition | register | 0/3 | 2 (unknown), 3 (error: a \\| b) |');
  });

  it('rewrites the README section between the markers and nothing else', () => {
    const table = matrixTable(settings, [tallyRow(bug, seeds)], false);
    const readme = `# x\n\nbefore\n${BEGIN_MARK}\nold table\n${END_MARK}\nafter\n`;
    const out = rewriteMatrixSection(readme, table);
    expect(out).toBe(`# x\n\nbefore\n${BEGIN_MARK}\n${renderMarkdown(table)}${END_MARK}\nafter\n`);
    expect(rewriteMatrixSection(out, table)).toBe(out);
    expect(() => rewriteMatrixSection('# no markers\n', table)).toThrow(/no section between/);
  });
});

describe('publishing a matrix of some systems', () => {
  const row = (system: string, bug: string | null, verdict: boolean) => tallyRow({ system, bug, nemeses: ['kill'], workload: 'register' }, [{ seed: 1, verdict }]);
  const published = matrixTable(settings, [row('a', 'x', true), row('a', null, true), row('b', 'y', false), row('b', null, true)], false);

  it("replaces only the measured systems' rows, in place, and adds new systems last", () => {
    const fresh = matrixTable({ ...settings, startedAt: '2026-12-01T02:00:00.000Z' }, [row('a', 'x', false), row('c', 'z', false), row('a', null, false)], false);
    const { table, merged } = mergeMatrices(published, fresh, []);
    expect(merged).toBe(true);
    expect(table.rows.map((r) => `${r.system}/${r.bug ?? '-'}/${r.invalid}`)).toEqual(['a/x/1', 'a/-/1', 'b/y/1', 'b/-/0', 'c/z/1']);
    expect(table.falseAlarms).toBe(1);
    expect(table.settings.startedAt).toBe(settings.startedAt);
  });

  it('replaces one bug of a system and keeps its other rows; a bug new to a system takes its declared place', () => {
    const fresh = matrixTable(settings, [row('b', 'y', true), row('a', 'w', false)], false);
    const declared = [{ system: 'a', bug: 'x' }, { system: 'a', bug: 'w' }, { system: 'a', bug: null }, { system: 'b', bug: 'y' }, { system: 'b', bug: null }];
    const { table, merged } = mergeMatrices(published, fresh, declared);
    expect(merged).toBe(true);
    expect(table.rows.map((r) => `${r.system}/${r.bug ?? '-'}/${r.invalid}`)).toEqual(['a/x/0', 'a/w/1', 'a/-/0', 'b/y/0', 'b/-/0']);
  });

  it('puts the rows in the order given (the order the matrix runs them), rows it does not name last', () => {
    const fresh = matrixTable(settings, [row('c', 'z', false), row('a', 'w', false)], false);
    const order = [
      { system: 'c', bug: 'z' },
      { system: 'a', bug: 'x' },
      { system: 'a', bug: 'w' },
      { system: 'a', bug: null },
    ];
    const { table } = mergeMatrices(published, fresh, order);
    expect(table.rows.map((r) => `${r.system}/${r.bug ?? '-'}`)).toEqual(['c/z', 'a/x', 'a/w', 'a/-', 'b/y', 'b/-']);
  });

  it('replaces the whole table when the matrices were run differently, or when it had none', () => {
    const other = matrixTable({ ...settings, seeds: [1, 2, 3, 4, 5] }, [row('a', 'x', false)], false);
    expect(mergeMatrices(published, other, [])).toEqual({ table: other, merged: false });
    expect(mergeMatrices(undefined, published, [])).toEqual({ table: published, merged: false });
  });
});
