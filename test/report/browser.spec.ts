/**
 * report.html of a failing run (a stale read while the old leader was cut off, with message
 * traces and node logs) in a real headless Chromium (Debian's, driven by playwright-core): the
 * timeline, the latency and throughput plots, the fault bands, the highlighted anomaly and the
 * message diagram are drawn; hovering shows an operation; a link in the explanation finds its
 * row; no console error, no network request. Screenshots are kept in test-artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { writeFixtureRun } from '../fixtures/report-run.js';

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
    // Node logs with the faults marked.
    expect(await page.locator('#logs-box .log-fault').count()).toBeGreaterThanOrEqual(2);
    // The anomaly's rows are highlighted in the table.
    expect(await page.locator('#ops-box .op-row.hl').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });

    // Hovering an operation on the timeline shows it.
    const body = page.locator('#timeline-box canvas.tl-body');
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
