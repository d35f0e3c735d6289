/** results.json of any version reads back; what is not results is refused in one line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResults, readResultsFile, ResultsError } from '../../src/results/read.js';
import { RESULTS_VERSION } from '../../src/results/schema.js';
import { fixtureSpec } from '../fixtures/report-run.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** results.json as faultline 0.1.0 wrote it, before the schema had a version. */
const V1 = {
  faultline: '0.1.0',
  name: 'raft-kv-register-partition',
  valid: false,
  spec: fixtureSpec('raft-kv-register-partition'),
  command: 'faultline test --seed 7',
  startedAt: '2026-11-20T10:00:00.000Z',
  durationS: 35.2,
  net: 'proxy',
  schedule: [{ atMs: 3000, f: 'start-partition', value: { shape: 'isolate-one', grudge: { n1: ['n2'] } } }],
  checkers: { linearizable: { valid: false, summary: 'not linearizable' } },
  ops: { invoke: 10, ok: 8, fail: 1, info: 1 },
  warnings: [],
  interrupted: false,
};

describe('reading results.json', () => {
  it('reads a file written before versions as version 1, as it was', () => {
    const r = parseResults(JSON.parse(JSON.stringify(V1)));
    expect(r.version).toBe(1);
    expect(r.timeOrigin).toBeUndefined();
    expect(r).toMatchObject({ valid: false, durationS: 35.2, schedule: V1.schedule, ops: V1.ops });
  });

  it('fills what an older or partial file lacks', () => {
    const r = parseResults({ spec: V1.spec, valid: 'unknown' });
    expect(r).toMatchObject({ version: 1, name: 'raft-kv-register-partition', warnings: [], schedule: [], checkers: {}, interrupted: false, net: 'proxy' });
    expect(parseResults({ ...V1, version: RESULTS_VERSION }).version).toBe(RESULTS_VERSION);
  });

  it('refuses what is not results, saying why', () => {
    expect(() => parseResults([])).toThrow(/not a JSON object/);
    expect(() => parseResults({ valid: true })).toThrow(/no "spec"/);
    expect(() => parseResults({ spec: {}, valid: 'yes' })).toThrow(/no verdict/);
    writeFileSync(join(dir, 'bad.json'), '{"spec":');
    expect(() => readResultsFile(join(dir, 'bad.json'))).toThrow(ResultsError);
    expect(() => readResultsFile(join(dir, 'missing.json'))).toThrow(/cannot read .*ENOENT/);
  });
});
