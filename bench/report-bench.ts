/**
 * The cost of report.html for a long run: time to write it (src/report/html.ts's
 * `renderReport`) for a 100 000-operation history with faults, the size of the page, and the
 * time Chromium takes to open it and draw everything (timeline, plots, message diagram, table),
 * read from the page itself (`data-rendered` on <body>: milliseconds since navigation start).
 *
 * Why measured: every run ends by writing the report, so its time is part of a run's tail, and
 * a report people cannot open quickly is not read; the goal is under 5 s in Chromium. The
 * browser figure needs Debian's chromium (/usr/lib/chromium/chromium) and is left out without it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Op } from '../src/api/op.js';
import type { TestSpec } from '../src/api/test-spec.js';
import { RESULTS_VERSION, type RunResults } from '../src/results/schema.js';
import { renderReport } from '../src/report/html.js';
import { linearizable } from '../checkers/linearizable/index.js';
import { runCaseInChild } from './child.js';
import type { FigureValue, Reporter } from './format.js';
import { round, verdictName } from './format.js';
import { generateRegisterHistory } from './generated.js';

/** What to render. */
export interface ReportInput {
  ops: number;
  processes: number;
  seed: number;
}

/** The spec a 20-client memory-kv run would have; only shown in the report's header. */
function specFor(input: ReportInput): TestSpec {
  return {
    name: 'bench-report',
    cluster: 'memory-kv',
    workload: 'register',
    nemeses: [],
    bugs: [],
    clusterOptions: {},
    nodes: ['n1'],
    concurrency: input.processes,
    timeLimitS: 10,
    recoveryS: 0,
    seed: input.seed,
    rate: 1_000_000,
    nemesisIntervalS: 3,
    opTimeoutMs: 2000,
    keyCount: 10,
    opsPerKey: 200,
    checkerTimeoutS: 120,
    resultsRoot: 'results',
    hosts: 'local',
    net: 'proxy',
    hostOptions: {},
  };
}

/** Partitions over the history's span, one every tenth of it, recorded as the nemesis records them. */
function withFaults(history: Op[]): Op[] {
  const end = history.reduce((max, op) => Math.max(max, op.time), 0);
  const out = [...history];
  for (let k = 1; k < 10; k += 2) {
    const at = (end * k) / 10;
    for (const [time, f] of [[at, 'start-partition'], [at + end / 20, 'stop-partition']] as const) {
      out.push({ index: out.length, time, type: 'invoke', process: 'nemesis', f, value: null });
      out.push({ index: out.length, time: time + 1e6, type: 'info', process: 'nemesis', f, value: { text: f === 'start-partition' ? 'partition random-halves: n1,n2 | n3,n4,n5' : 'heal the partition' } });
    }
  }
  return out;
}

/** Milliseconds from navigation start until the page's script has drawn everything, in Chromium. */
async function browserRenderMs(html: string): Promise<number | undefined> {
  const executablePath = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
  if (!executablePath) return undefined;
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-report-'));
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    writeFileSync(join(dir, 'report.html'), html);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`file://${join(dir, 'report.html')}`);
    await page.waitForSelector('body[data-rendered]', { timeout: 120_000 });
    return Number(await page.getAttribute('body', 'data-rendered'));
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Generate and check a history, then time `renderReport` on it and Chromium on the page; run in a child by case-main. */
export async function reportCase(input: ReportInput): Promise<Record<string, FigureValue>> {
  const ops = withFaults(generateRegisterHistory({ ops: input.ops, processes: input.processes, keys: 10, seed: input.seed }));
  const checked = await linearizable({ model: 'cas-register' }).check(ops, {});
  const counts = { invoke: 0, ok: 0, fail: 0, info: 0 };
  for (const op of ops) if (op.process !== 'nemesis') counts[op.type]++;
  const results: RunResults = {
    version: RESULTS_VERSION,
    faultline: 'bench',
    name: 'bench-report',
    valid: checked.valid,
    spec: specFor(input),
    command: 'npm run bench',
    startedAt: new Date(0).toISOString(),
    durationS: 10,
    net: 'proxy',
    schedule: [],
    checkers: { linearizable: checked },
    ops: counts,
    warnings: [],
    interrupted: false,
  };
  const t0 = performance.now();
  const html = renderReport({ results, ops });
  const ms = performance.now() - t0;
  const browserMs = await browserRenderMs(html);
  return { ms: round(ms, 1), sizeMib: round(Buffer.byteLength(html) / 2 ** 20, 2), ...(browserMs !== undefined && { browserMs: Math.round(browserMs) }), verdict: verdictName(checked.valid) };
}

/** Render the report for `input` in a child and report it as a `report` figure. */
export async function benchReport(input: ReportInput, reporter: Reporter): Promise<void> {
  const name = `report.html, ${input.ops.toLocaleString('en')} ops × ${input.processes} procs`;
  try {
    const { ms, sizeMib, browserMs, peakRssMib } = await runCaseInChild('report', input, 600_000);
    reporter.figure('report', name, { ops: input.ops, ms, sizeMib, ...(browserMs !== undefined && { chromiumMs: browserMs }), peakRssMib });
  } catch (err) {
    reporter.figure('report', name, { ops: input.ops, error: (err as Error).message });
  }
}
