/**
 * report.html and junit.xml as text: self-contained, escaped, carrying the data the page script
 * draws; fault bands and what each anomaly operation needs; JUnit that never passes a run that
 * failed, did not finish, or whose report could not be written; and a schedule of a million
 * entries that neither floods the terminal nor breaks the report.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linearizable } from '../../checkers/linearizable/index.js';
import type { Op } from '../../src/api/op.js';
import { DATA_ELEMENT_ID } from '../../src/report/client-bundle.js';
import type { ReportData } from '../../src/report/client/types.js';
import { renderReport } from '../../src/report/html.js';
import { renderJunit, renderUnfinishedJunit } from '../../src/report/junit.js';
import { buildReportData, explanationHtml, faultBands, MAX_BANDS, MAX_REPORT_OPS, mergeBands, stepOf } from '../../src/report/report-data.js';
import { RESULTS_VERSION, type RunResults } from '../../src/results/schema.js';
import { finishRun } from '../../src/runner/finish-run.js';
import { fixtureSpec } from '../fixtures/report-run.js';
import { finishInput, type FinishInput } from '../helpers/finish.js';

const ops: Op[] = [
  { index: 0, time: 1e6, type: 'invoke', process: 0, f: 'write', key: '1', value: 3 },
  { index: 1, time: 2e6, type: 'ok', process: 0, f: 'write', key: '1', value: 3 },
  { index: 2, time: 3e6, type: 'invoke', process: 'nemesis', f: 'start-partition', value: null },
  { index: 3, time: 3.5e6, type: 'info', process: 'nemesis', f: 'start-partition', value: { text: 'partition random-halves: n1 | n2,n3' } },
  { index: 4, time: 4e6, type: 'invoke', process: 1, f: 'read', key: '1', value: null },
  { index: 5, time: 5e6, type: 'ok', process: 1, f: 'read', key: '1', value: '</script><b>' },
  { index: 6, time: 6e6, type: 'invoke', process: 'nemesis', f: 'stop-partition', value: null },
  { index: 7, time: 6.5e6, type: 'info', process: 'nemesis', f: 'stop-partition', value: null },
  { index: 8, time: 7e6, type: 'invoke', process: 2, f: 'cas', key: '1', value: [3, 4] },
];

function results(valid: RunResults['valid']): RunResults {
  return {
    version: RESULTS_VERSION,
    faultline: '0.0.0',
    name: 'raft-kv-register-<partition>',
    valid,
    spec: fixtureSpec('x'),
    command: 'faultline test --seed 1',
    startedAt: '2026-11-23T00:00:00.000Z',
    durationS: 1,
    net: 'proxy',
    schedule: [],
    checkers: {
      linearizable: {
        valid,
        summary: 'key 1 is not linearizable',
        ...(valid === false && {
          anomalies: [{ kind: 'nonlinearizable', summary: 'stale read on key 1: process 1 read 0', key: '1', ops: ops.filter((o) => o.index < 2 || (o.index >= 4 && o.index <= 5)), explanation: 'read by process 1 [ops #4..#5] returned 0 after write 3 <completed>' }],
        }),
      },
    },
    ops: { invoke: 3, ok: 2, fail: 0, info: 0 },
    warnings: ['node n2 crashed'],
    interrupted: false,
  };
}

/** The data embedded in a rendered report. */
function embedded(html: string): ReportData {
  const m = new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">(.*?)</script>`, 's').exec(html);
  return JSON.parse(m![1]!) as ReportData;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('report.html', () => {
  it('shows the verdict, the anomaly and its links, escapes text, and embeds the data', () => {
    const html = renderReport({ results: results(false), ops });
    expect(html).toContain('<span class="badge invalid">INVALID</span>');
    expect(html).toContain('raft-kv-register-&#60;partition&#62;');
    expect(html).toContain('returned 0 after write 3 &#60;completed&#62;');
    expect(html).toContain('<a href="#op-4" data-op="4">#4</a>..<a href="#op-5" data-op="5">#5</a>');
    expect(html).toContain('node n2 crashed');
    expect(html).toContain('faultline test --seed 1');
    expect(html).toContain('partition random-halves: n1 | n2,n3');
    // A value that looks like markup cannot end the data element early.
    expect(html.match(/<\/script>/g)?.length).toBe(3);
    const data = embedded(html);
    expect(data.ops.idx).toEqual([0, 4, 8]);
    expect(data.ops.type).toEqual([0, 0, 3]);
    expect(data.strings[data.ops.result[1]!]).toBe('"</script><b>"');
    expect(data.anomalies[0]!.rows).toEqual([0, 1]);
    expect(data.anomalies[0]!.steps.map((s) => [s.label, s.needs, s.makes])).toEqual([
      ['write 3', undefined, '3'],
      ['read → "</script><b>"', '"</script><b>"', undefined],
    ]);
    expect(data.bands).toEqual([{ start: 3.5, end: 6.5, kind: 'partition', label: 'partition random-halves: n1 | n2,n3' }]);
  });

  it('is self-contained: no external scripts, styles, images or fonts', () => {
    const html = renderReport({ results: results(true), ops });
    // (`url(#id)` only names an element of the page itself, an SVG gradient or marker.)
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|url\((?!#)|@import/i);
    expect(html).toContain('<span class="badge valid">VALID</span>');
    expect(html).not.toContain('id="anomalies"');
  });
});

describe('report data', () => {
  it('opens a band at start-x and closes it at stop-x or heal', () => {
    const bands = faultBands(ops, 9e6);
    expect(bands.map(({ startNs, endNs, label }) => ({ startNs, endNs, label }))).toEqual([{ startNs: 3.5e6, endNs: 6.5e6, label: 'partition random-halves: n1 | n2,n3' }]);
    const healed = faultBands([ops[3] as Op, { index: 9, time: 8e6, type: 'info', process: 'nemesis', f: 'heal', value: ['partition'] }], 9e6);
    expect(healed[0]?.endNs).toBe(8e6);
  });

  it('merges nearby bands of one nemesis when there are too many to draw', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ start: i * 10, end: i * 10 + 5, kind: i % 2 ? 'kill' : 'partition', label: 'x' }));
    const merged = mergeBands(many);
    expect(merged.length).toBeLessThanOrEqual(MAX_BANDS);
    expect(merged.length).toBeGreaterThan(1);
    expect(merged.every((b) => /^[\d,]+ (kill|partition) faults$|^(kill|partition)$/.test(b.label))).toBe(true);
    expect(mergeBands(many.slice(0, 3))).toEqual(many.slice(0, 3));
  });

  it('carries at most MAX_REPORT_OPS operations, those around the anomaly, and says so', () => {
    const history: Op[] = [];
    for (let i = 0; history.length < 2 * (MAX_REPORT_OPS + 10_000); i++) {
      history.push({ index: history.length, time: i * 1e3, type: 'invoke', process: i % 7, f: 'read', key: '1', value: null });
      history.push({ index: history.length, time: i * 1e3 + 500, type: 'ok', process: i % 7, f: 'read', key: '1', value: 1 });
    }
    const late = history.slice(-2);
    const r = results(false);
    r.checkers.linearizable!.anomalies![0]!.ops = late;
    const data = buildReportData(r, history, { logs: [] });
    expect(data.ops.idx).toHaveLength(MAX_REPORT_OPS);
    expect(data.clipped).toEqual({ from: 10_000, to: MAX_REPORT_OPS + 10_000, total: MAX_REPORT_OPS + 10_000 });
    expect(data.anomalies[0]!.rows).toEqual([MAX_REPORT_OPS - 1]);
  });

  it('says what each operation needs from the register and leaves in it', () => {
    expect(stepOf('read', null, 2, 'ok')).toEqual({ label: 'read → 2', needs: '2' });
    expect(stepOf('read', null, undefined, 'info')).toEqual({ label: 'read (no answer)' });
    expect(stepOf('write', 4, 4, 'info')).toEqual({ label: 'write 4', makes: '4' });
    expect(stepOf('cas', [1, 2], [1, 2], 'ok')).toEqual({ label: 'cas 1 → 2', needs: '1', makes: '2' });
    expect(stepOf('cas', [1, 2], [1, 2], 'fail')).toEqual({ label: 'cas [1,2] failed: no effect' });
    expect(stepOf('append', 'x', ['x'], 'ok')).toEqual({ label: 'append "x" → ["x"]' });
    expect(explanationHtml('A [ops #12..∞] <b>')).toBe('A [ops <a href="#op-12" data-op="12">#12</a>..∞] &#60;b&#62;');
  });
});

describe('junit.xml', () => {
  it('has one failing test case per invalid checker, its message the anomaly summary', () => {
    const xml = renderJunit(results(false));
    expect(xml).toContain('<testsuites tests="1" failures="1" errors="0">');
    expect(xml).toContain('<failure message="stale read on key 1: process 1 read 0" type="nonlinearizable">');
    expect(xml).toContain('repeat: faultline test --seed 1');
  });

  it('reports unknown, a harness error and an interrupt as errors, and only a clean valid run as a pass', () => {
    expect(renderJunit(results('unknown'))).toContain('errors="1"');
    expect(renderJunit(results(true))).toContain('tests="1" failures="0" errors="0"');
    const broken = renderJunit({ ...results(true), error: 'report.html could not be written: boom' });
    expect(broken).toContain('failures="0" errors="1"');
    expect(broken).toContain('<error message="harness error: report.html could not be written: boom" type="harness">');
    expect(renderJunit({ ...results(true), interrupted: true })).toContain('errors="1"');
    expect(renderUnfinishedJunit({ name: 'x' }, new Date(0))).toMatch(/errors="1"[\s\S]*the run has not finished/);
  });
});

describe('finishRun', () => {
  async function finish(dir: string, history: readonly Op[], extra: Partial<FinishInput> = {}) {
    writeFileSync(join(dir, 'history.jsonl'), history.map((op) => JSON.stringify(op)).join('\n') + '\n');
    return finishRun(finishInput(dir, linearizable({ model: 'cas-register' }), { spec: fixtureSpec('finish'), ...extra }));
  }

  it('leaves a failing junit.xml, never a passing one, when the report cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-finish-'));
    dirs.push(dir);
    const copy = join(dir, 'copy.xml');
    const run = await finish(dir, ops.slice(0, 2), { dirs: { root: dir, history: join(dir, 'history.jsonl'), results: join(dir, 'results.json'), report: join(dir, 'no-such-dir', 'report.html'), junit: join(dir, 'junit.xml') }, junitCopy: copy });
    expect(run.results.valid).toBe('unknown');
    expect(run.exitCode).toBe(2);
    expect(run.results.error).toMatch(/^report.html could not be written/);
    for (const file of [join(dir, 'junit.xml'), copy]) expect(readFileSync(file, 'utf8')).toMatch(/errors="1"[\s\S]*report.html could not be written/);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).error).toMatch(/report.html/);
  });

  it('reports a run with 300 000 fault operations: bands merged, nothing spread onto the stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-finish-'));
    dirs.push(dir);
    const history: Op[] = [...ops.slice(0, 2)];
    // More than a call's arguments can hold (about 120 000): any `f(...array)` would overflow the stack.
    for (let i = 0; history.length < 300_000; i++) {
      const f = i % 2 === 0 ? 'start-kill' : 'stop-kill';
      history.push({ index: history.length, time: 3e6 + i * 1e4, type: 'invoke', process: 'nemesis', f, value: i % 2 === 0 ? { target: 'one', nodes: ['n1'] } : null });
      history.push({ index: history.length, time: 3e6 + i * 1e4 + 5e3, type: 'info', process: 'nemesis', f, value: i % 2 === 0 ? { target: 'one', nodes: ['n1'], text: 'kill n1 (one)' } : { nodes: ['n1'], text: 'restart n1' } });
    }
    const schedule = Array.from({ length: 300_000 }, (_, i) => ({ atMs: i, f: i % 2 ? 'stop-kill' : 'start-kill', ...(i % 2 ? {} : { value: { target: 'one', nodes: ['n1'] } }) }));
    const run = await finish(dir, history, { schedule });
    expect(run.results.error).toBeUndefined();
    expect(run.results.valid).toBe(true);
    const data = embedded(readFileSync(join(dir, 'report.html'), 'utf8'));
    expect(data.bands.length).toBeLessThanOrEqual(MAX_BANDS);
    expect(data.bandsMerged).toBe(true);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('failures="0" errors="0"');
  }, 120_000);
});
