/**
 * `faultline matrix`: faultline's bug-finding power, measured. Every chosen system runs with each
 * known bug under the nemeses that bug declares, and without bugs under all of them, over a set of
 * seeds; each run is an ordinary `faultline test` (the same options, defaults and run path, in
 * this process, one after another: runs in parallel would compete for the cores and make timing
 * bugs come and go). The table (caught in k of n seeds, time to the first violation, false
 * alarms of correct systems) is printed and written as matrix.json and matrix.md beside the runs,
 * after every run, so an interrupted matrix keeps what it measured.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import { matrixCases, type MatrixCase } from '../matrix/cases.js';
import { matrixExitCode, matrixTable, outcomeOf, renderMarkdown, tallyRow, type MatrixSettings, type MatrixTable, type SeedOutcome } from '../matrix/table.js';
import { systems } from '../registry.js';
import { ConsoleUi, verdictText } from '../report/console.js';
import { writeJsonAtomic, writeTextAtomic } from '../results/write.js';
import { stamp } from '../runner/run-dir.js';
import { runTest } from '../runner/run-test.js';
import { silentUi } from '../runner/ui.js';
import { UserError } from '../user-error.js';
import { VERSION } from '../version.js';
import { onInterrupt } from './interrupt.js';
import { numberOption } from './number-options.js';
import { repeatCommand, testSpecFor } from './test.js';

/** What `--quick` means: few seeds, short runs (for CI). */
export const QUICK = { seeds: 2, timeLimitS: 8, recoveryS: 2 } as const;
const DEFAULTS = { seeds: 5, timeLimitS: 20, recoveryS: 5, nodes: 5, concurrency: 8 } as const;

interface MatrixArgs {
  systems?: string;
  bugs?: string;
  correct: boolean;
  seeds?: string;
  'time-limit'?: number;
  'recovery-time'?: number;
  quick: boolean;
  nodes: number;
  concurrency: number;
  'results-dir': string;
  plugin?: string[];
  verbose?: boolean;
}

/** `--seeds 5` is seeds 1 to 5; `--seeds 3,8,13` those seeds. */
export function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const whole = (p: string): number => {
    const n = Number(p);
    if (p === '' || !Number.isSafeInteger(n) || n < 0) throw new UserError(`--seeds takes a count (5: seeds 1 to 5) or seeds separated by commas (3,8,13), not '${text}'`);
    return n;
  };
  if (parts.length === 1) {
    const count = whole(parts[0] as string);
    if (count === 0) throw new UserError('--seeds 0 runs nothing: give a count of at least 1');
    return Array.from({ length: count }, (_, i) => i + 1);
  }
  const seeds = parts.map(whole);
  if (new Set(seeds).size !== seeds.length) throw new UserError(`--seeds ${text} names a seed twice`);
  return seeds;
}

/** `--nodes`: a whole number of nodes, 1 or more (each run names them n1..nN). */
function nodeCount(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > 1000) throw new UserError(`--nodes must be a whole number from 1 to 1000, not '${value}'`);
  return value;
}

const names = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter((v) => v !== ''));

/** The `faultline test` arguments of one run of the matrix. */
function testArgs(c: MatrixCase, seed: number, s: MatrixSettings, resultsDir: string, plugins: readonly string[]): string[] {
  return [
    ...plugins.flatMap((p) => ['--plugin', p]),
    ...['--cluster', c.system, '--workload', c.workload, '--nemesis', c.nemeses.join(',') || 'none'],
    ...(c.bug !== null ? ['--bug', c.bug] : []),
    ...['--nodes', String(s.nodes), '--concurrency', String(s.concurrency), '--time-limit', String(s.timeLimitS), '--recovery-time', String(s.recoveryS)],
    ...['--seed', String(seed), '--results-dir', resultsDir],
  ];
}

const label = (c: MatrixCase): string => `${c.system} ${c.bug !== null ? `--bug ${c.bug}` : '(no bug)'} --nemesis ${c.nemeses.join(',') || 'none'}`;

export interface MatrixRun {
  table: MatrixTable;
  dir: string;
}

/** Run the matrix of `cases` and write its table into a fresh directory under `resultsRoot`. */
export async function runMatrix(cases: readonly MatrixCase[], settings: MatrixSettings, resultsRoot: string, opts: { plugins: readonly string[]; signal: AbortSignal; verbose: boolean; log: (line: string) => void }): Promise<MatrixRun> {
  const dir = join(resolve(resultsRoot), `matrix-${stamp(new Date(settings.startedAt))}`);
  mkdirSync(dir, { recursive: true });
  const outcomes: SeedOutcome[][] = cases.map(() => []);
  const write = (): MatrixTable => {
    const table = matrixTable(settings, cases.map((c, i) => tallyRow(c, outcomes[i] as SeedOutcome[])), opts.signal.aborted);
    writeJsonAtomic(join(dir, 'matrix.json'), table);
    writeTextAtomic(join(dir, 'matrix.md'), renderMarkdown(table));
    return table;
  };
  const total = cases.length * settings.seeds.length;
  let done = 0;
  for (const [i, c] of cases.entries()) {
    for (const seed of settings.seeds) {
      if (opts.signal.aborted) break;
      done++;
      const outcome = await runOne(c, seed, settings, dir, opts);
      (outcomes[i] as SeedOutcome[]).push(outcome);
      const verdict = outcome.verdict === 'error' ? chalk.yellow.bold('ERROR') : verdictText(outcome.verdict);
      const when = outcome.firstViolationS !== undefined ? ` (${outcome.anomaly} at ${outcome.firstViolationS.toFixed(1)} s)` : '';
      const why = outcome.verdict === 'error' ? `: ${outcome.error}` : '';
      opts.log(`[${done}/${total}] ${label(c)} --seed ${seed}: ${verdict}${when}${why}${outcome.runDir ? chalk.dim(`  ${outcome.runDir}`) : ''}`);
      write();
      // A test the system refuses is refused for every seed alike.
      if (outcome.verdict === 'error' && outcome.runDir === undefined) break;
    }
  }
  return { table: write(), dir };
}

async function runOne(c: MatrixCase, seed: number, settings: MatrixSettings, dir: string, opts: { plugins: readonly string[]; signal: AbortSignal; verbose: boolean }): Promise<SeedOutcome> {
  let spec;
  try {
    spec = await testSpecFor(testArgs(c, seed, settings, dir, opts.plugins));
  } catch (err) {
    return { seed, verdict: 'error', error: err instanceof Error ? err.message : String(err) };
  }
  try {
    const ui = opts.verbose ? new ConsoleUi(true) : silentUi;
    const run = await runTest({ spec, command: (runDir) => repeatCommand(spec, runDir), ui, interrupt: opts.signal });
    return outcomeOf(seed, run.results, run.runDir);
  } catch (err) {
    // resolveRun refuses what the system cannot run (etcd without --net netns, a nemesis it lacks) before anything starts.
    return { seed, verdict: 'error', error: err instanceof Error ? err.message : String(err) };
  }
}

/** The command line that repeats a matrix. */
function matrixCommand(args: MatrixArgs, s: MatrixSettings): string {
  const parts = ['faultline matrix', ...(args.plugin ?? []).map((p) => `--plugin ${p}`)];
  if (args.systems !== undefined) parts.push(`--systems ${args.systems}`);
  if (args.bugs !== undefined) parts.push(`--bugs ${args.bugs}`);
  if (!args.correct) parts.push('--no-correct');
  parts.push(`--seeds ${s.seeds.join(',')}`, `--time-limit ${s.timeLimitS}`, `--recovery-time ${s.recoveryS}`, `--nodes ${s.nodes}`, `--concurrency ${s.concurrency}`);
  return parts.join(' ');
}

export const matrixCliCommand: CommandModule<object, MatrixArgs> = {
  command: 'matrix',
  describe: 'Measure bug-finding power: every system × known bug × the nemesis it declares × seeds, and every correct system under those nemeses',
  builder: (y) =>
    y
      .option('systems', { type: 'string', describe: 'Systems, comma-separated (default: every system with known bugs; faultline list)' })
      .option('bugs', { type: 'string', describe: 'Only these known bugs, comma-separated (default: every bug of the chosen systems)' })
      .option('correct', { type: 'boolean', default: true, describe: 'Also run each chosen system without bugs, under the nemeses of its bugs (--no-correct: bugs only)' })
      .option('seeds', { type: 'string', describe: `Seeds: a count (5 is seeds 1 to 5) or a list (3,8,13) (default ${DEFAULTS.seeds}; ${QUICK.seeds} with --quick)` })
      .option('time-limit', { type: 'number', describe: `Seconds of faults per run (default ${DEFAULTS.timeLimitS}; ${QUICK.timeLimitS} with --quick)` })
      .option('recovery-time', { type: 'number', describe: `Seconds of fault-free workload after the heal (default ${DEFAULTS.recoveryS}; ${QUICK.recoveryS} with --quick)` })
      .option('quick', { type: 'boolean', default: false, describe: 'Few seeds and short runs, for CI' })
      .option('nodes', { type: 'number', default: DEFAULTS.nodes, describe: 'Nodes per cluster' })
      .option('concurrency', { type: 'number', default: DEFAULTS.concurrency, describe: 'Client threads per run' })
      .option('results-dir', { type: 'string', default: 'results', describe: 'Where the matrix directory (runs, matrix.json, matrix.md) goes' })
      .epilogue(
        'Each run is a faultline test with those options (all else default), run one after another. The table (caught in k of n seeds, ' +
          'median time to the first violation, false alarms) is printed as Markdown and written as matrix.json and matrix.md in ' +
          '<results-dir>/matrix-<time>/, beside the runs. Exit code: 1 when a correct system was judged INVALID (a false alarm), ' +
          '0 otherwise (bugs that were missed do not fail it; read the table); 2 for bad input.',
      ) as never,
  handler: async (args) => {
    const quick = args.quick;
    const settings: MatrixSettings = {
      seeds: parseSeeds(args.seeds ?? String(quick ? QUICK.seeds : DEFAULTS.seeds)),
      timeLimitS: numberOption('time-limit', args['time-limit'] ?? (quick ? QUICK.timeLimitS : DEFAULTS.timeLimitS)),
      recoveryS: numberOption('recovery-time', args['recovery-time'] ?? (quick ? QUICK.recoveryS : DEFAULTS.recoveryS)),
      nodes: nodeCount(args.nodes),
      concurrency: numberOption('concurrency', args.concurrency),
      faultline: VERSION,
      startedAt: new Date().toISOString(),
      command: '',
    };
    settings.command = matrixCommand(args, settings);
    const systemsGiven = names(args.systems);
    const bugsGiven = names(args.bugs);
    const cases = matrixCases(systems, { ...(systemsGiven && { systems: systemsGiven }), ...(bugsGiven && { bugs: bugsGiven }), correct: args.correct });
    if (cases.length === 0) throw new UserError('nothing to run: the chosen systems have no known bugs and --no-correct leaves out the correct systems');
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    log(`faultline matrix: ${cases.length} tests × ${settings.seeds.length} seeds, ${settings.timeLimitS} s each, one after another`);
    const interrupt = onInterrupt(() => process.stderr.write(chalk.yellow('\n! interrupted: finishing this run, then writing the table so far\n')));
    try {
      const { table, dir } = await runMatrix(cases, settings, args['results-dir'], { plugins: args.plugin ?? [], signal: interrupt.signal, verbose: args.verbose === true, log });
      process.stdout.write(renderMarkdown(table));
      log(`wrote ${join(dir, 'matrix.md')} and matrix.json`);
      if (table.falseAlarms > 0) log(chalk.red(`${table.falseAlarms} false alarm${table.falseAlarms === 1 ? '' : 's'}: a correct system was judged INVALID`));
      process.exitCode = matrixExitCode(table);
    } finally {
      interrupt.dispose();
    }
  },
};
