/**
 * The cost of report.html for a long run: time to render it (src/report/html.ts's
 * `renderReport`) for a 100 000-operation history, and the size of the page.
 *
 * Why measured: every run ends by writing the report, so its time is part of a run's tail and
 * its size decides whether people can open it; the timeline SVG grows with the history while the
 * operations table is capped, and this shows what that adds up to.
 */
import type { TestSpec } from '../src/api/test-spec.js';
import type { RunResults } from '../src/runner/results.js';
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

/** Generate and check a history, then time `renderReport` on it; run in a child by case-main. */
export async function reportCase(input: ReportInput): Promise<Record<string, FigureValue>> {
  const ops = generateRegisterHistory({ ops: input.ops, processes: input.processes, keys: 10, seed: input.seed });
  const checked = await linearizable({ model: 'cas-register' }).check(ops, {});
  const counts = { invoke: 0, ok: 0, fail: 0, info: 0 };
  for (const op of ops) counts[op.type]++;
  const results: RunResults = {
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
  const html = renderReport(results, ops);
  const ms = performance.now() - t0;
  return { ms: round(ms, 1), sizeMib: round(Buffer.byteLength(html) / 2 ** 20, 2), verdict: verdictName(checked.valid) };
}

/** Render the report for `input` in a child and report it as a `report` figure. */
export async function benchReport(input: ReportInput, reporter: Reporter): Promise<void> {
  const name = `report.html, ${input.ops.toLocaleString('en')} ops × ${input.processes} procs`;
  try {
    const { ms, sizeMib, peakRssMib } = await runCaseInChild('report', input, 600_000);
    reporter.figure('report', name, { ops: input.ops, ms, sizeMib, peakRssMib });
  } catch (err) {
    reporter.figure('report', name, { ops: input.ops, error: (err as Error).message });
  }
}
