import { describe, expect, it, vi } from 'vitest';
import type { ScheduleEntry } from '../../src/api/nemesis.js';
import type { Op } from '../../src/api/op.js';
import { ConsoleUi, MAX_SCHEDULE_LINES } from '../../src/report/console.js';
import type { RunResults } from '../../src/runner/results.js';
import { renderReport } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import { faultBands } from '../../src/report/timeline-svg.js';
import { testSpec } from '../helpers/spec.js';

const ops: Op[] = [
  { index: 0, time: 1e6, type: 'invoke', process: 0, f: 'write', key: '1', value: 3 },
  { index: 1, time: 2e6, type: 'ok', process: 0, f: 'write', key: '1', value: 3 },
  { index: 2, time: 3e6, type: 'invoke', process: 'nemesis', f: 'start-partition', value: null },
  { index: 3, time: 3.5e6, type: 'info', process: 'nemesis', f: 'start-partition', value: { text: 'n1 | n2,n3' } },
  { index: 4, time: 4e6, type: 'invoke', process: 1, f: 'read', key: '1', value: null },
  { index: 5, time: 5e6, type: 'ok', process: 1, f: 'read', key: '1', value: 0 },
  { index: 6, time: 6e6, type: 'invoke', process: 'nemesis', f: 'stop-partition', value: null },
  { index: 7, time: 6.5e6, type: 'info', process: 'nemesis', f: 'stop-partition', value: null },
  { index: 8, time: 7e6, type: 'invoke', process: 2, f: 'cas', key: '1', value: [3, 4] },
];

function results(valid: RunResults['valid']): RunResults {
  return {
    faultline: '0.0.0',
    name: 'raft-kv-register-<partition>',
    valid,
    spec: {
      name: 'x', cluster: 'raft-kv', workload: 'register', nemeses: ['partition'], bugs: ['stale-read'], clusterOptions: {},
      nodes: ['n1', 'n2', 'n3'], concurrency: 3, timeLimitS: 1, recoveryS: 0, seed: 1, rate: 10, nemesisIntervalS: 1, opTimeoutMs: 100,
      keyCount: 1, opsPerKey: 10, checkerTimeoutS: 1, resultsRoot: 'results', hosts: 'local', net: 'proxy', hostOptions: {},
    },
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
          anomalies: [{ kind: 'nonlinearizable', summary: 'a stale read on key 1', key: '1', ops: ops.filter((o) => o.index < 2 || (o.index >= 4 && o.index <= 5)), explanation: 'read by process 1 returned 0 after write 3 <completed>' }],
        }),
      },
    },
    ops: { invoke: 3, ok: 2, fail: 0, info: 0 },
    warnings: ['node n2 crashed'],
    interrupted: false,
  };
}

describe('report.html', () => {
  it('shows the verdict, the anomaly with its operations, fault bands, and escapes text', () => {
    const html = renderReport(results(false), ops);
    expect(html).toContain('<span class="badge invalid">INVALID</span>');
    expect(html).toContain('read by process 1 returned 0 after write 3 &#60;completed&#62;');
    expect(html).toContain('raft-kv-register-&#60;partition&#62;');
    expect(html).toMatch(/<tr class="ok hl" id="op-5">/);
    expect(html).toContain('start-partition n1 | n2,n3');
    expect(html).toContain('node n2 crashed');
    expect(html).toContain('faultline test --seed 1');
  });

  it('is self-contained: no external scripts, styles, images or fonts', () => {
    const html = renderReport(results(true), ops);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|url\(|@import/i);
    expect(html).toContain('<span class="badge valid">VALID</span>');
  });
});

describe('faultBands', () => {
  it('opens a band at start-x and closes it at stop-x or heal', () => {
    const bands = faultBands(ops, 9e6);
    expect(bands).toEqual([{ startNs: 3.5e6, endNs: 6.5e6, label: 'start-partition n1 | n2,n3' }]);
    const healed = faultBands([ops[3] as Op, { index: 9, time: 8e6, type: 'info', process: 'nemesis', f: 'heal', value: null }], 9e6);
    expect(healed[0]?.endNs).toBe(8e6);
  });
});

describe('junit.xml', () => {
  it('has one failing test case per invalid checker with the anomaly', () => {
    const xml = renderJunit(results(false));
    expect(xml).toContain('tests="1" failures="1" errors="0"');
    expect(xml).toContain('<failure message="key 1 is not linearizable">');
  });

  it('reports unknown as an error and valid as a pass', () => {
    expect(renderJunit(results('unknown'))).toContain('errors="1"');
    expect(renderJunit(results(true))).toContain('failures="0" errors="0"');
  });
});

describe('the console header', () => {
  it('lists a short schedule in full and summarises a long one in a few lines', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const entries = (n: number): ScheduleEntry[] => Array.from({ length: n }, (_, i) => ({ atMs: i * 10, f: i % 2 ? 'stop-kill' : 'start-kill', value: { target: 'one', nodes: ['n1'] } }));
      const ui = new ConsoleUi(false);
      ui.header(testSpec(), '/tmp/run', entries(MAX_SCHEDULE_LINES));
      expect(written.filter((l) => l.includes('kill'))).toHaveLength(MAX_SCHEDULE_LINES);
      written.length = 0;
      ui.header(testSpec(), '/tmp/run', entries(1_000_000));
      expect(written.length).toBeLessThanOrEqual(MAX_SCHEDULE_LINES + 3);
      expect(written.at(-1)).toContain(`… ${1_000_000 - MAX_SCHEDULE_LINES + 1} more, until 10000.0 s: see /tmp/run/schedule.json`);
    } finally {
      spy.mockRestore();
    }
  });
});
