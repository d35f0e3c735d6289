/**
 * `faultline check`: re-check a saved run directory (with its workload's checker) or any
 * history file (faultline JSONL, Jepsen log, Jepsen EDN) with a chosen checker: `linearizable`
 * (the default, with `--model`), `elle` (transactional isolation; `list-append` and
 * `rw-register` force the history's kind) or `bank`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { CheckResult, Checker } from '../api/checker.js';
import type { TestSpec } from '../api/test-spec.js';
import type { ElleOptions } from '../../checkers/elle/index.js';
import { linearizable, MODELS } from '../../checkers/linearizable/index.js';
import { readHistoryFile } from '../history/formats/index.js';
import { ConsoleUi, verdictText } from '../report/console.js';
import type { ResolvedTest } from '../runner/resolve.js';
import { readJsonFile } from '../results/json-file.js';
import { readResultsFile } from '../results/read.js';
import { exitCodeFor, type RunResults } from '../results/schema.js';
import { upgradeSpec } from '../runner/saved-spec.js';
import { lookup } from '../suggest.js';
import { checkAll, type ComposedResult } from '../verdict.js';
import { UserError } from '../user-error.js';
import { maxMemoryOption, parseMemorySize } from './memory-size.js';
import { numberOption } from './number-options.js';

interface CheckArgs {
  history: string;
  checker?: string;
  model?: string;
  'partition-keys': boolean;
  'consistency-models'?: string[];
  anomalies?: string[];
  total?: number;
  accounts?: string[];
  'negative-balances': boolean;
  json: boolean;
  'checker-timeout': number;
  'max-memory'?: string;
  verbose?: boolean;
}

/** A run directory's saved test (test.json, of any size): the spec it ran with and the command that repeats it. */
export function readSavedTest(runDir: string): { spec: TestSpec; command?: string } {
  const file = join(runDir, 'test.json');
  if (!existsSync(file)) throw new UserError(`${runDir} is not a faultline run directory (no test.json); pass a history file instead`);
  let saved: { spec?: unknown; command?: unknown } | null;
  try {
    saved = readJsonFile(file) as typeof saved;
  } catch {
    throw new UserError(`${file} is not valid JSON; pass the history file itself with --model`);
  }
  const spec = saved?.spec;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new UserError(`${file} has no "spec" object; pass the history file itself with --model`);
  }
  return { spec: upgradeSpec(spec), ...(typeof saved?.command === 'string' && { command: saved.command }) };
}

/** The results a run wrote before, if any; a damaged file counts as none (it is rebuilt). */
export function readPrevious(file: string): Partial<RunResults> {
  if (!existsSync(file)) return {};
  try {
    return readResultsFile(file);
  } catch {
    return {};
  }
}

/** Whether a run directory holds a partial run: interrupted, failed, or killed before its results. */
function cutShort(runDir: string): boolean {
  const previous = readPrevious(join(runDir, 'results.json'));
  return previous.startedAt === undefined || previous.interrupted !== false || previous.error !== undefined;
}

/** The plug-ins a saved spec names; a spec edited out of shape is a one-line UserError. */
export async function resolveSaved(runDir: string): Promise<ResolvedTest> {
  const { spec } = readSavedTest(runDir);
  // Loaded here, not at start-up: resolving a test loads every system, workload and nemesis,
  // which checking a history file never needs.
  const [{ loadSavedPlugins }, { resolveTest }] = await Promise.all([import('../plugin-loader.js'), import('../runner/resolve.js')]);
  await loadSavedPlugins(spec.plugins);
  try {
    return resolveTest(spec);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${join(runDir, 'test.json')} does not describe a test faultline can run (${err instanceof Error ? err.message : String(err)}); pass the history file itself with --model`);
  }
}

/** One value of a string option, or a UserError when it was given more than once. */
function once(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UserError(`--${name} was given more than once; give it once`);
  return value;
}

/** A list option: comma-separated, repeatable. */
function list(value: readonly string[] | undefined): string[] | undefined {
  return value?.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * The checkers a history file can be checked with, by name. Each but the default is imported when
 * chosen: elle and bank are large, and most checks are of linearizability.
 */
const CHECKERS: Readonly<Record<string, (args: CheckArgs) => Checker | Promise<Checker>>> = {
  linearizable: (args) => linearizable({ model: lookup('model', MODELS, once('model', args.model) ?? 'cas-register'), partitionKeys: args['partition-keys'] }),
  elle: (args) => elleChecker(args, {}),
  'list-append': (args) => elleChecker(args, { kind: 'list-append' }, 'list-append'),
  'rw-register': (args) => elleChecker(args, { kind: 'rw-register' }, 'rw-register'),
  bank: async (args) => {
    const total = args.total;
    if (total !== undefined && !Number.isFinite(total)) throw new UserError(`--total must be a number, not '${String(total)}'`);
    const accounts = list(args.accounts);
    const { bank } = await import('../../checkers/bank/index.js');
    return bank({ ...(total !== undefined && { total }), ...(accounts && { accounts }), negativeBalances: args['negative-balances'] });
  },
};

async function elleChecker(args: CheckArgs, base: ElleOptions, name?: string): Promise<Checker> {
  const consistencyModels = list(args['consistency-models']);
  const anomalies = list(args.anomalies);
  const { elle } = await import('../../checkers/elle/index.js');
  try {
    return elle({ ...base, ...(consistencyModels && { consistencyModels }), ...(anomalies && { anomalies }) }, name);
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * What checks the history: `--checker` (with `--model` for linearizable) when given, else a run
 * directory's own checkers (its workload's), else the linearizability checker.
 */
async function checkersFor(args: CheckArgs, runDir: string | undefined): Promise<Readonly<Record<string, Checker>>> {
  const name = once('checker', args.checker);
  if (runDir && !args.model && !name) return (await resolveSaved(runDir)).workload.checkers;
  const chosen = name ?? 'linearizable';
  if (args.model !== undefined && chosen !== 'linearizable') throw new UserError(`--model chooses the linearizability model; it does not apply to --checker ${chosen}`);
  return { [chosen]: await lookup('checker', CHECKERS, chosen)(args) };
}

/**
 * The composed result as one: the merged verdict, each non-passing checker's summary (or the
 * only checker's), every anomaly; a single checker's figures and details as they were.
 */
function asOne(composed: ComposedResult): CheckResult {
  const results = Object.entries(composed.checkers);
  const only = results.length === 1 ? (results[0] as [string, CheckResult])[1] : undefined;
  if (only) return { ...only, valid: composed.valid };
  const telling = results.filter(([, r]) => r.valid !== true);
  const summary = (telling.length > 0 ? telling : results).map(([name, r]) => `${name}: ${r.summary}`).join(' ');
  return { valid: composed.valid, summary, anomalies: results.flatMap(([, r]) => r.anomalies ?? []) };
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <history>',
  describe: 'Check a saved run directory or a history file',
  builder: (y) =>
    y
      .positional('history', { type: 'string', demandOption: true, describe: 'Run directory, history.jsonl, Jepsen log or EDN history' })
      .option('checker', { type: 'string', describe: `Checker: ${Object.keys(CHECKERS).join(', ')} (default: the run's workload's, else linearizable)` })
      .option('model', { type: 'string', describe: 'linearizable: sequential model, cas-register or kv' })
      .option('partition-keys', { type: 'boolean', default: true, describe: 'linearizable: check each key on its own (--no-partition-keys: one search over all keys)' })
      .option('consistency-models', { type: 'string', array: true, describe: 'elle: models the history must satisfy (default strict-serializable), e.g. serializable,snapshot-isolation' })
      .option('anomalies', { type: 'string', array: true, describe: 'elle: anomalies that also fail the check, e.g. G1c,G2-item' })
      .option('total', { type: 'number', describe: 'bank: the sum of all balances (default: the sum most reads agree on)' })
      .option('accounts', { type: 'string', array: true, describe: 'bank: the account ids (default: all that appear)' })
      .option('negative-balances', { type: 'boolean', default: false, describe: 'bank: balances may go negative' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' })
      .option('checker-timeout', { type: 'number', default: 120, describe: 'Seconds before giving up (unknown)' })
      .option('max-memory', maxMemoryOption) as never,
  handler: async (args) => {
    const timeoutS = numberOption('checker-timeout', args['checker-timeout']);
    const maxMemoryBytes = args['max-memory'] !== undefined ? parseMemorySize(args['max-memory']) : undefined;
    if (!existsSync(args.history)) throw new UserError(`no such file or directory: ${args.history}`);
    const runDir = statSync(args.history).isDirectory() ? args.history : undefined;
    const file = runDir ? join(runDir, 'history.jsonl') : args.history;
    if (!existsSync(file)) throw new UserError(`${runDir} has no history.jsonl`);
    const checkers = await checkersFor(args, runDir);
    const history = await readHistoryFile(file);
    const opts = { timeoutMs: timeoutS * 1000, ...(maxMemoryBytes !== undefined && { maxMemoryBytes }) };
    // Nothing checked is not "valid": an empty history (or one of nemesis operations only) is unknown.
    const composed = await checkAll(checkers, history.ops, opts, runDir !== undefined && cutShort(runDir));
    if (composed.refusals[0]) throw new UserError(`${file}: ${composed.refusals[0].message}`);
    if (args.json) {
      const names = Object.keys(composed.checkers);
      const out = { file, format: history.format, warnings: history.warnings, checker: names.join('+'), ...asOne(composed), checkers: composed.checkers };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      const ui = new ConsoleUi(args.verbose === true);
      for (const w of history.warnings) ui.warn(w);
      for (const [name, result] of Object.entries(composed.checkers)) {
        process.stdout.write(`${name}: ${verdictText(result.valid)}  ${result.summary}\n`);
        for (const anomaly of result.anomalies ?? []) process.stdout.write(`${anomaly.explanation}\n`);
      }
    }
    process.exitCode = exitCodeFor(composed.valid);
  },
};
