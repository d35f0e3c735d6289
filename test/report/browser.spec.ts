/**
 * report.html of a failing run (a stale read while the old leader was cut off, with message
 * traces and node logs) in a real headless Chromium (Debian's, driven by playwright-core): the
 * timeline, the latency and throughput plots, the fault bands, the highlighted anomaly and the
 * message diagram are drawn; hovering shows an operation; a link in the explanation finds its
 * row; no console error, no network request. Screenshots are kept in test-artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Op } from '../../src/api/op.js';
import { renderReport } from '../../src/report/html.js';
import { RESULTS_VERSION, type RunResults } from '../../src/results/schema.js';
import { ROOT } from '../helpers/cli.js';
import { fixtureSpec, writeFixtureRun } from '../fixtures/report-run.js';

const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
const ARTIFACTS = join(ROOT, 'test-artifacts');

describe.skipIf(!CHROMIUM)('report.html in Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-browser-'));
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (req) => !req.url().startsWith('file:') && requests.push(req.url()));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered]', { timeout: 30_000 });
    return { page, errors, requests };
  }

  it('draws a failing run: timeline, plots, fault bands, the anomaly, messages; hover and links work', async () => {
    const run = await writeFixtureRun(join(dir, 'stale'));
    expect(run.results.valid).toBe(false);
    const { page, errors, requests } = await open(join(dir, 'stale', 'report.html'));

    expect(await page.locator('header .badge.invalid').first().textContent()).toBe('INVALID');
    // The anomaly: its explanation leads with the stale read, and its window is drawn.
    expect(await page.locator('.anomaly .explanation').textContent()).toMatch(/^Stale read: process 2 read \[1\] → 2/);
    expect(await page.locator('.anomaly svg.window .win-op').count()).toBeGreaterThanOrEqual(2);
    // The timeline: drawn, with the fault band and the anomaly's operations outlined.
    const frame = page.locator('#timeline-box .tl-frame');
    expect(await frame.getAttribute('data-bands')).toBe('1');
    expect(Number(await frame.getAttribute('data-outlined'))).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#timeline-box canvas.tl-body').count()).toBe(1);
    // Latency and throughput plots, each a uPlot chart.
    expect(await page.locator('#latency-plot .uplot canvas').count()).toBe(1);
    expect(await page.locator('#throughput-plot .uplot canvas').count()).toBe(1);
    // The message diagram: arrows, and the leader's heartbeats that never arrived.
    expect(await page.locator('svg.lamport g.msg').count()).toBeGreaterThan(10);
    expect(await page.locator('svg.lamport g.msg.lost').count()).toBeGreaterThan(5);
    expect(await page.locator('svg.lamport .cop.hot').count()).toBeGreaterThanOrEqual(1);
    // Node logs with the faults marked, searchable.
    expect(await page.locator('#logs-box .log-fault').count()).toBeGreaterThanOrEqual(2);
    // The anomaly's rows are highlighted in the table.
    expect(await page.locator('#ops-box .op-row.hl').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.locator('#logs-box input[type=search]').fill('stale-read');
    await page.waitForFunction(() => document.querySelectorAll('#logs-box .log-line').length === 1);
    expect(await page.locator('#logs-box .log-line').textContent()).toContain('bug stale-read: serving a read from local state');

    // Hovering an operation on the timeline shows it.
    const body = page.locator('#timeline-box canvas.tl-body');
    await body.scrollIntoViewIfNeeded();
    const box = (await body.boundingBox())!;
    let tip = '';
    for (let x = box.x + 80; x < box.x + box.width - 10 && !tip; x += 6) {
      await page.mouse.move(x, box.y + 7);
      if (await page.locator('.tip').isVisible()) tip = (await page.locator('.tip').textContent()) ?? '';
    }
    expect(tip).toMatch(/^p\d+ (read|write)/);
    expect(tip).toMatch(/history #\d+/);
    await page.locator('#timeline').screenshot({ path: join(ARTIFACTS, 'report-timeline-hover.png') });

    // A link in the explanation finds its operation in the table.
    await page.locator('.anomaly .explanation a[data-op]').first().click();
    await page.waitForSelector('#ops-box .op-row.sel');
    // Zooming to the anomaly narrows the timeline and the plots to it.
    await page.locator('.anomaly .show-timeline').click();
    expect(await frame.getAttribute('aria-label')).toMatch(/timeline from 1\.\d+ s to 1\.\d+ s/);
    await page.locator('#messages').screenshot({ path: join(ARTIFACTS, 'report-messages.png') });

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('draws a dependency cycle as a graph with labelled edges', async () => {
    // Three list-append transactions in a G-single cycle, as an Elle-style checker reports it.
    const ops: Op[] = [];
    const txn = (process: number, t: number, value: unknown, result: unknown): number => {
      ops.push({ index: ops.length, time: t * 1e6, type: 'invoke', process, f: 'txn', value });
      ops.push({ index: ops.length, time: (t + 5) * 1e6, type: 'ok', process, f: 'txn', value: result });
      return ops.length - 1;
    };
    const t1 = txn(0, 0, [['append', 'x', 1], ['r', 'y', null]], [['append', 'x', 1], ['r', 'y', []]]);
    const t2 = txn(1, 2, [['append', 'y', 1], ['r', 'z', null]], [['append', 'y', 1], ['r', 'z', []]]);
    const t3 = txn(2, 4, [['append', 'z', 1], ['r', 'x', null]], [['append', 'z', 1], ['r', 'x', []]]);
    const cycle = [
      { from: t1, to: t2, relation: 'rw', why: 'T1 read y without 1, which T2 appended, so T1 < T2' },
      { from: t2, to: t3, relation: 'rw', why: 'T2 read z without 1, which T3 appended, so T2 < T3' },
      { from: t3, to: t1, relation: 'rw', why: 'T3 read x without 1, which T1 appended, so T3 < T1' },
    ];
    const results: RunResults = {
      version: RESULTS_VERSION, faultline: 'test', name: 'list-append-g2', valid: false, spec: { ...fixtureSpec('list-append-g2'), workload: 'list-append' },
      command: 'faultline test --workload list-append', startedAt: new Date(0).toISOString(), durationS: 1, net: 'proxy', schedule: [],
      checkers: { elle: { valid: false, summary: 'G2 found', anomalies: [{ kind: 'G2', summary: 'a cycle of three anti-dependencies', ops, explanation: 'Let T1 = #1, T2 = #3, T3 = #5. Then T1 < T2 < T3 < T1.', cycle }] } },
      ops: { invoke: 3, ok: 3, fail: 0, info: 0 }, warnings: [], interrupted: false,
    };
    writeFileSync(join(dir, 'cycle.html'), renderReport({ results, ops }));
    const { page, errors, requests } = await open(join(dir, 'cycle.html'));
    expect(await page.locator('.anomaly svg.cycle g.txn').count()).toBe(3);
    expect(await page.locator('.anomaly svg.cycle g.edge text.rel').allTextContents()).toEqual(['rw', 'rw', 'rw']);
    expect(await page.locator('.anomaly svg.cycle g.edge title').first().textContent()).toBe('T1 read y without 1, which T2 appended, so T1 < T2');
    await page.locator('.anomaly svg.cycle g.txn').first().click();
    await page.waitForSelector('#ops-box .op-row.sel');
    await page.locator('#anomalies').screenshot({ path: join(ARTIFACTS, 'report-cycle.png') });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('draws a valid run without an anomaly section and without errors', async () => {
    await writeFixtureRun(join(dir, 'valid'), { stale: false, name: 'fixture-valid' });
    const { page, errors, requests } = await open(join(dir, 'valid', 'report.html'));
    expect(await page.locator('header .badge.valid').first().textContent()).toBe('VALID');
    expect(await page.locator('#anomalies').count()).toBe(0);
    expect(await page.locator('svg.lamport g.msg').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
