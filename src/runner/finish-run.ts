/**
 * The end of every run, and of `faultline report`: read the history back from disk (what is
 * checked is exactly what was recorded), check it, and write results.json, junit.xml and
 * report.html. A harness error or an interrupt can only make the verdict `unknown` or leave
 * it `false`; it never yields `true`.
 */
import { rmSync } from 'node:fs';
import type { CheckResult, Checker } from '../api/checker.js';
import type { ScheduleEntry } from '../api/nemesis.js';
import type { Op } from '../api/op.js';
import type { TestSpec } from '../api/test-spec.js';
import { readHistoryFile } from '../history/formats/index.js';
import { renderJunit } from '../report/junit.js';
import { renderReport } from '../report/html.js';
import { escapeXml } from '../report/escape.js';
import { VERSION } from '../version.js';
import { exitCodeFor, writeJsonAtomic, writeTextAtomic, type OpCounts, type RunResults } from './results.js';
import type { RunDirs } from './run-dir.js';
import type { RunUi } from './ui.js';

export interface FinishInput {
  dirs: Pick<RunDirs, 'root' | 'history' | 'results' | 'report' | 'junit'>;
  spec: TestSpec;
  command: string;
  checker: Checker;
  startedAt: Date;
  durationS: number;
  clusterStartS?: number;
  net: string;
  netDescription?: unknown;
  schedule: ScheduleEntry[];
  warnings: string[];
  interrupted: boolean;
  error?: string;
  ui: RunUi;
  /** Ctrl-C during the check: the checker stops and says unknown. */
  signal?: AbortSignal;
}

export interface FinishedRun {
  results: RunResults;
  exitCode: 0 | 1 | 2;
  runDir: string;
}

export async function finishRun(input: FinishInput): Promise<FinishedRun> {
  const { dirs, spec, ui } = input;
  ui.phase('checking');
  const history = await readHistoryFile(dirs.history);
  const warnings = [...input.warnings, ...history.warnings];
  const ops = countOps(history.ops);
  // A history in which no client operation took effect (none, or all failed) proves nothing.
  const result: CheckResult =
    ops.ok + ops.info === 0
      ? { valid: 'unknown', summary: ops.invoke === 0 ? 'The history holds no client operations: nothing was checked.' : `No client operation took effect (all ${ops.fail} failed): nothing was checked.` }
      : await runChecker(input.checker, history.ops, spec.checkerTimeoutS * 1000, input.signal);
  const interrupted = input.interrupted || input.signal?.aborted === true;
  let valid = result.valid;
  if ((input.error !== undefined || interrupted) && valid === true) valid = 'unknown';
  const results: RunResults = {
    faultline: VERSION,
    name: spec.name,
    valid,
    spec,
    command: input.command,
    startedAt: input.startedAt.toISOString(),
    durationS: Math.round(input.durationS * 10) / 10,
    ...(input.clusterStartS !== undefined && { clusterStartS: Math.round(input.clusterStartS * 100) / 100 }),
    net: input.net,
    ...(input.netDescription !== undefined && { netDescription: input.netDescription }),
    schedule: input.schedule,
    checkers: { [input.checker.name]: result },
    ops,
    warnings,
    interrupted,
    ...(input.error !== undefined && { error: input.error }),
  };
  // Everything is rendered before anything is written, and the JUnit file of an earlier finish
  // goes first: whatever fails here, no junit.xml is left that disagrees with the run.
  rmSync(dirs.junit, { force: true });
  let report: string;
  try {
    report = renderReport(results, history.ops);
  } catch (err) {
    // The verdict stands without its drawing; the page and the warnings say what went wrong.
    const why = `report.html could not be drawn (${err instanceof Error ? err.message : String(err)}); results.json and history.jsonl hold the run`;
    warnings.push(why);
    report = `<!doctype html><meta charset="utf-8"><title>faultline ${escapeXml(spec.name)}</title><p>${escapeXml(why)}</p>\n`;
  }
  const junit = renderJunit(results);
  // results.json last: once it exists, the run's report and JUnit file are complete too.
  writeTextAtomic(dirs.report, report);
  writeTextAtomic(dirs.junit, junit);
  writeJsonAtomic(dirs.results, results);
  ui.summary(results, dirs.root);
  return { results, exitCode: exitCodeFor(valid), runDir: dirs.root };
}

async function runChecker(checker: Checker, ops: readonly Op[], timeoutMs: number, signal?: AbortSignal): Promise<CheckResult> {
  try {
    return await checker.check(ops, { timeoutMs, ...(signal && { signal }) });
  } catch (err) {
    return { valid: 'unknown', summary: `the ${checker.name} checker failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function countOps(ops: readonly Op[]): OpCounts {
  const counts: OpCounts = { invoke: 0, ok: 0, fail: 0, info: 0 };
  for (const op of ops) if (op.process !== 'nemesis') counts[op.type]++;
  return counts;
}
