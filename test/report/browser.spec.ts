/**
 * report.html in a real headless Chromium (Debian's, driven by playwright-core): it renders the
 * verdict, the anomaly, the timeline with fault bands, loads nothing from the network and logs
 * no console error. A screenshot is kept in test-artifacts/ for people to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Op } from '../../src/api/op.js';
import type { RunResults } from '../../src/runner/results.js';
import { renderReport } from '../../src/report/html.js';
import { ROOT } from '../helpers/cli.js';

const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));

/** A history with partitions, a stale read and an unknown write, like a real stale-read run. */
function history(): Op[] {
  const ops: Op[] = [];
  const add = (op: Omit<Op, 'index'>): void => void ops.push({ index: ops.length, ...op });
  for (let i = 0; i < 40; i++) {
    const t = i * 50e6;
    add({ time: t, type: 'invoke', process: i % 4, f: 'write', key: '1', value: i % 5 });
    add({ time: t + 10e6, type: i % 9 === 0 ? 'info' : 'ok', process: i % 4, f: 'write', key: '1', value: i % 5 });
    if (i === 10) add({ time: t + 20e6, type: 'info', process: 'nemesis', f: 'start-partition', value: { text: 'n1 | n2,n3' } });
    if (i === 25) add({ time: t + 20e6, type: 'info', process: 'nemesis', f: 'stop-partition', value: null });
  }
  add({ time: 2.1e9, type: 'invoke', process: 9, f: 'read', key: '1', value: null });
  add({ time: 2.11e9, type: 'ok', process: 9, f: 'read', key: '1', value: 0 });
  return ops;
}

describe.skipIf(!CHROMIUM)('report.html in Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-browser-'));
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the verdict, anomaly, timeline and fault bands without errors or requests', async () => {
    const ops = history();
    const stale = ops.slice(-2);
    const results: RunResults = {
      faultline: '0.1.0', name: 'raft-kv-register-partition-bug-stale-read', valid: false,
      spec: {
        name: 'x', cluster: 'raft-kv', workload: 'register', nemeses: ['partition'], bugs: ['stale-read'], clusterOptions: {},
        nodes: ['n1', 'n2', 'n3'], concurrency: 4, timeLimitS: 2, recoveryS: 0, seed: 7, rate: 100, nemesisIntervalS: 1, opTimeoutMs: 1000,
        keyCount: 1, opsPerKey: 10, checkerTimeoutS: 10, resultsRoot: 'results', hosts: 'local', net: 'proxy', hostOptions: {},
      },
      command: 'faultline test --seed 7 --bug stale-read', startedAt: new Date(0).toISOString(), durationS: 2.2, net: 'proxy', schedule: [],
      checkers: { linearizable: { valid: false, summary: 'key 1 is not linearizable', anomalies: [{ kind: 'nonlinearizable', summary: 'a stale read on key 1', key: '1', ops: stale, explanation: 'read by process 9 returned 0; the register held 4' }] } },
      ops: { invoke: 41, ok: 37, fail: 0, info: 4 }, warnings: [], interrupted: false,
    };
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReport(results, ops));
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (req) => !req.url().startsWith('file:') && requests.push(req.url()));
    await page.goto(`file://${file}`);
    expect(await page.locator('header .badge.invalid').textContent()).toBe('INVALID');
    expect(await page.locator('.anomaly pre').textContent()).toContain('returned 0');
    expect(await page.locator('#timeline svg.timeline rect').count()).toBeGreaterThan(40);
    expect(await page.locator('#timeline svg.timeline rect[fill="#b48ce0"]').count()).toBe(1);
    expect(await page.locator('.anomaly svg rect[stroke="#000"]').count()).toBe(1);
    expect(await page.locator('#operations tr.hl').count()).toBe(2);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'report.png'), fullPage: false });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });
});
