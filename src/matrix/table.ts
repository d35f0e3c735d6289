/**
 * The matrix's results: each run's outcome, each row's tally (caught in k of n seeds, time to
 * the first violation, false alarms), and the table as JSON and Markdown.
 *
 * A run counts as caught (bug rows) or as a false alarm (correct rows) exactly when
 * `faultline test` would exit 1 on it: verdict INVALID. The time to the first violation is read
 * from the checkers' anomalies: each anomaly's evidence is complete once its last operation
 * completed, so an anomaly's time is the latest client event among its operations, and a run's
 * is its earliest anomaly's, in seconds of history time (from the workload's start).
 */
import type { Validity } from '../api/checker.js';
import type { RunResults } from '../results/schema.js';
import type { MatrixCase } from './cases.js';

/** How one seed of one row went. */
export interface SeedOutcome {
  seed: number;
  /** The run's verdict, or `error` when it could not run (a spec the system refused, a harness failure). */
  verdict: Validity | 'error';
  /** Seconds from the workload's start to the first violation's evidence, when the verdict is INVALID and a checker named one. */
  firstViolationS?: number;
  /** The kind of the first anomaly (`nonlinearizable`, `read-too-high`, ...). */
  anomaly?: string;
  runDir?: string;
  /** What went wrong, for `error` (and for a run whose harness reported an error). */
  error?: string;
}

/** A row with its tally. */
export interface MatrixRow extends MatrixCase {
  seeds: SeedOutcome[];
  /** Seeds judged INVALID: bugs caught, or false alarms for a correct system. */
  invalid: number;
  unknown: number;
  errors: number;
  /** Median over the INVALID seeds of the time to the first violation, in seconds. */
  medianFirstViolationS: number | null;
}

/** How the matrix was run, for the record. */
export interface MatrixSettings {
  seeds: number[];
  timeLimitS: number;
  recoveryS: number;
  nodes: number;
  concurrency: number;
  faultline: string;
  startedAt: string;
  /** The command that repeats the matrix. */
  command: string;
}

export interface MatrixTable {
  settings: MatrixSettings;
  rows: MatrixRow[];
  /** Correct-system runs judged INVALID, over all rows. */
  falseAlarms: number;
  /** Whether the matrix was cut short (Ctrl-C): rows may hold fewer seeds. */
  interrupted: boolean;
}

/** The outcome of a finished run. */
export function outcomeOf(seed: number, results: RunResults, runDir: string): SeedOutcome {
  const out: SeedOutcome = { seed, verdict: results.valid, runDir };
  if (results.error !== undefined) out.error = results.error;
  if (results.valid !== false) return out;
  let first: { at: number; kind: string } | undefined;
  for (const result of Object.values(results.checkers)) {
    if (result.valid !== false) continue;
    for (const anomaly of result.anomalies ?? []) {
      const times = anomaly.ops.filter((op) => op.process !== 'nemesis').map((op) => op.time);
      if (times.length === 0) continue;
      const at = times.reduce((a, b) => Math.max(a, b));
      if (first === undefined || at < first.at) first = { at, kind: anomaly.kind };
    }
  }
  if (first) {
    out.firstViolationS = Math.round(first.at / 1e7) / 100;
    out.anomaly = first.kind;
  }
  return out;
}

export function tallyRow(c: MatrixCase, seeds: SeedOutcome[]): MatrixRow {
  const times = seeds.flatMap((s) => (s.firstViolationS !== undefined ? [s.firstViolationS] : [])).sort((a, b) => a - b);
  const mid = times.length / 2;
  const median = times.length === 0 ? null : times.length % 2 === 1 ? (times[Math.floor(mid)] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
  return {
    ...c,
    seeds,
    invalid: seeds.filter((s) => s.verdict === false).length,
    unknown: seeds.filter((s) => s.verdict === 'unknown').length,
    errors: seeds.filter((s) => s.verdict === 'error').length,
    medianFirstViolationS: median === null ? null : Math.round(median * 100) / 100,
  };
}

export function matrixTable(settings: MatrixSettings, rows: MatrixRow[], interrupted: boolean): MatrixTable {
  const falseAlarms = rows.filter((r) => r.bug === null).reduce((sum, r) => sum + r.invalid, 0);
  return { settings, rows, falseAlarms, interrupted };
}

/** Exit code of `faultline matrix`: 1 when a correct system was judged INVALID (a false alarm), else 0. */
export function matrixExitCode(table: MatrixTable): 0 | 1 {
  return table.falseAlarms > 0 ? 1 : 0;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const seconds = (s: number | null): string => (s === null ? '–' : `${s.toFixed(1)} s`);

/** Seeds that did not give the row's expected verdict (missed bugs, false alarms), with why when it was not a verdict. */
function exceptions(row: MatrixRow): string {
  const expected = row.bug === null ? true : false;
  return row.seeds
    .filter((s) => s.verdict !== expected)
    .map((s) => {
      if (s.verdict === 'error') return `${s.seed} (error: ${s.error ?? '?'})`;
      // A harness error (a node that could not start) says its first clause: the run's results.json has the rest.
      if (s.verdict === 'unknown') return `${s.seed} (unknown${s.error !== undefined ? `: ${s.error.split(':')[0]}` : ''})`;
      return String(s.seed);
    })
    .join(', ');
}

/** The table in Markdown: a line of settings, the bugs, the correct systems. */
export function renderMarkdown(table: MatrixTable): string {
  const { settings: s, rows } = table;
  const seedText = s.seeds.length > 1 && s.seeds.every((seed, i) => seed === (s.seeds[0] as number) + i) ? `seeds ${s.seeds[0]} to ${s.seeds.at(-1)}` : `seeds ${s.seeds.join(', ')}`;
  const lines = [
    `\`faultline matrix\`: ${s.nodes} nodes, ${s.concurrency} clients, ${s.timeLimitS} s of faults then ${s.recoveryS} s of recovery per run, ${seedText}, ` +
      `run one after another (faultline ${s.faultline}, ${s.startedAt.slice(0, 10)}${table.interrupted ? '; interrupted, rows may be short' : ''}).`,
    '',
    '| system | bug | nemesis | workload | caught | first violation (median) | seeds missed |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows.filter((r) => r.bug !== null)) {
    lines.push(`| ${cell(row.system)} | \`${cell(row.bug as string)}\` | ${cell(row.nemeses.join(',') || 'none')} | ${cell(row.workload)} | ${row.invalid}/${row.seeds.length} | ${seconds(row.medianFirstViolationS)} | ${cell(exceptions(row))} |`);
  }
  const correct = rows.filter((r) => r.bug === null);
  if (correct.length > 0) {
    lines.push('', '| system (no bug) | nemesis | workload | false alarms | seeds not valid |', '| --- | --- | --- | --- | --- |');
    for (const row of correct) {
      lines.push(`| ${cell(row.system)} | ${cell(row.nemeses.join(',') || 'none')} | ${cell(row.workload)} | ${row.invalid}/${row.seeds.length} | ${cell(exceptions(row))} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
