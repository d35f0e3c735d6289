/**
 * The end of every run, and of `faultline report`: read the history back from disk (what is
 * checked is exactly what was recorded), check it, and write report.html, results.json and
 * junit.xml. A harness error or an interrupt can only make the verdict `unknown` or leave
 * it `false`; it never yields `true`.
 *
 * Why this order: CI reads junit.xml, so a passing one may only exist once everything else is
 * written. Until then the run's junit.xml says the run did not finish (written first, see
 * {@link markUnfinished}); a report that cannot be drawn is a harness error, never a crash that
 * leaves the old file behind; results.json, written after the report, marks both complete.
 */
import type { Checker } from '../api/checker.js';
import type { Op } from '../api/op.js';
import type { TestSpec } from '../api/test-spec.js';
import { readHistoryFile } from '../history/formats/index.js';
import { renderJunit, renderUnfinishedJunit } from '../report/junit.js';
import { renderReport } from '../report/html.js';
import { loadRunFiles } from '../results/run-files.js';
import { exitCodeFor, RESULTS_VERSION, type OpCounts, type RunResults } from '../results/schema.js';
import { writeJsonAtomic, writeTextAtomic } from '../results/write.js';
import { VERSION } from '../version.js';
import { checkAll } from '../verdict.js';
import type { RunDirs } from './run-dir.js';
import type { RunUi } from './ui.js';

/** What a run knew by its end; the fields it shares with results.json mean what they mean there. */
export interface FinishInput
  extends Pick<RunResults, 'spec' | 'command' | 'clusterStartS' | 'timeOrigin' | 'net' | 'netDescription' | 'schedule' | 'warnings' | 'interrupted' | 'error'> {
  dirs: Pick<RunDirs, 'root' | 'history' | 'results' | 'report' | 'junit'>;
  /** The workload's checkers by name; each result is kept, the verdict is their merge. */
  checkers: Readonly<Record<string, Checker>>;
  startedAt: Date;
  durationS: number;
  ui: RunUi;
  /** Ctrl-C during the check: the checker stops and says unknown. */
  signal?: AbortSignal;
  /** Another place to write the JUnit file (`--junit PATH`), besides the run's own. */
  junitCopy?: string;
}

export interface FinishedRun {
  results: RunResults;
  exitCode: 0 | 1 | 2;
  runDir: string;
}

export async function finishRun(input: FinishInput): Promise<FinishedRun> {
  const { dirs, spec, ui } = input;
  const junitFiles = [dirs.junit, ...(input.junitCopy !== undefined ? [input.junitCopy] : [])];
  markUnfinished(junitFiles, spec, input.startedAt);
  ui.phase('checking');
  const history = await readHistoryFile(dirs.history);
  const warnings = [...input.warnings, ...history.warnings];
  const ops = countOps(history.ops);
  // A run cut short (interrupted, or the harness failed) has a partial history.
  const partial = input.interrupted || input.error !== undefined;
  const checked = await checkAll(input.checkers, history.ops, { timeoutMs: spec.checkerTimeoutS * 1000, ...(spec.checkerMaxMemoryBytes !== undefined && { maxMemoryBytes: spec.checkerMaxMemoryBytes }), ...(input.signal && { signal: input.signal }) }, partial);
  const interrupted = input.interrupted || input.signal?.aborted === true;
  const results: RunResults = {
    version: RESULTS_VERSION,
    faultline: VERSION,
    name: spec.name,
    valid: checked.valid,
    spec,
    command: input.command,
    startedAt: input.startedAt.toISOString(),
    durationS: Math.round(input.durationS * 10) / 10,
    ...(input.clusterStartS !== undefined && { clusterStartS: Math.round(input.clusterStartS * 100) / 100 }),
    ...(input.timeOrigin !== undefined && { timeOrigin: input.timeOrigin }),
    net: input.net,
    ...(input.netDescription !== undefined && { netDescription: input.netDescription }),
    schedule: input.schedule,
    checkers: checked.checkers,
    ops,
    warnings,
    interrupted,
    ...(input.error !== undefined && { error: input.error }),
  };
  try {
    writeTextAtomic(dirs.report, renderReport({ results: settle(results), ops: history.ops, ...loadRunFiles(dirs.root, results) }));
  } catch (err) {
    ui.debug(err);
    const why = `report.html could not be written: ${err instanceof Error ? err.message : String(err)}`;
    results.error = results.error === undefined ? why : `${results.error}; ${why}`;
  }
  settle(results);
  writeJsonAtomic(dirs.results, results);
  const junit = renderJunit(results);
  for (const file of junitFiles) writeTextAtomic(file, junit);
  ui.summary(results, dirs.root);
  return { results, exitCode: exitCodeFor(results.valid), runDir: dirs.root };
}

/** The verdict given the harness's own troubles: an error or an interrupt turns `true` into `unknown`. */
function settle(results: RunResults): RunResults {
  if ((results.error !== undefined || results.interrupted) && results.valid === true) results.valid = 'unknown';
  return results;
}

/**
 * Replace `files` with a JUnit file that fails, saying the run has not finished: whatever stops
 * the harness from here on (a crash, kill -9) leaves CI a failing test, never a passing one.
 */
export function markUnfinished(files: readonly string[], spec: TestSpec, startedAt: Date): void {
  const junit = renderUnfinishedJunit(spec, startedAt);
  for (const file of files) writeTextAtomic(file, junit);
}

function countOps(ops: readonly Op[]): OpCounts {
  const counts: OpCounts = { invoke: 0, ok: 0, fail: 0, info: 0 };
  for (const op of ops) if (op.process !== 'nemesis') counts[op.type]++;
  return counts;
}
