/**
 * `faultline check`: re-check a saved run directory (with its workload's checker) or any
 * history file (faultline JSONL, Jepsen log, Jepsen EDN) with a chosen model.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { CheckResult, Checker } from '../api/checker.js';
import type { TestSpec } from '../api/test-spec.js';
import { linearizable, MODELS } from '../../checkers/linearizable/index.js';
import { readHistoryFile } from '../history/formats/index.js';
import { ConsoleUi, verdictText } from '../report/console.js';
import { lookup } from '../registry.js';
import { resolveTest } from '../runner/resolve.js';
import { exitCodeFor } from '../runner/results.js';
import { upgradeSpec } from '../runner/saved-spec.js';
import { UserError } from '../user-error.js';
import { numberOption } from './number-options.js';

interface CheckArgs {
  history: string;
  model?: string;
  'partition-keys': boolean;
  json: boolean;
  'checker-timeout': number;
  verbose?: boolean;
}

/** A run directory's saved test: the spec it ran with. */
export function readSavedSpec(runDir: string): TestSpec {
  const file = join(runDir, 'test.json');
  if (!existsSync(file)) throw new UserError(`${runDir} is not a faultline run directory (no test.json); pass a history file instead`);
  let spec: unknown;
  try {
    spec = (JSON.parse(readFileSync(file, 'utf8')) as { spec?: unknown } | null)?.spec;
  } catch {
    throw new UserError(`${file} is not valid JSON; pass the history file itself with --model`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new UserError(`${file} has no "spec" object; pass the history file itself with --model`);
  }
  return upgradeSpec(spec);
}

/** The plug-ins a saved spec names; a spec edited out of shape is a one-line UserError. */
export function resolveSaved(runDir: string): ReturnType<typeof resolveTest> {
  try {
    return resolveTest(readSavedSpec(runDir));
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${join(runDir, 'test.json')} does not describe a test faultline can run (${err instanceof Error ? err.message : String(err)}); pass the history file itself with --model`);
  }
}

function checkerFor(args: CheckArgs, runDir: string | undefined): Checker {
  if (runDir && !args.model) return resolveSaved(runDir).workload.checker;
  const model = args.model ?? 'cas-register';
  if (typeof model !== 'string') throw new UserError('--model was given more than once; give it once');
  return linearizable({ model: lookup('model', MODELS, model), partitionKeys: args['partition-keys'] });
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <history>',
  describe: 'Check a saved run directory or a history file',
  builder: (y) =>
    y
      .positional('history', { type: 'string', demandOption: true, describe: 'Run directory, history.jsonl, Jepsen log or EDN history' })
      .option('model', { type: 'string', describe: 'Sequential model for a history file: cas-register or kv' })
      .option('partition-keys', { type: 'boolean', default: true, describe: 'Check each key on its own (--no-partition-keys: one search over all keys)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' })
      .option('checker-timeout', { type: 'number', default: 120, describe: 'Seconds before giving up (unknown)' }) as never,
  handler: async (args) => {
    const timeoutS = numberOption('checker-timeout', args['checker-timeout']);
    if (!existsSync(args.history)) throw new UserError(`no such file or directory: ${args.history}`);
    const runDir = statSync(args.history).isDirectory() ? args.history : undefined;
    const file = runDir ? join(runDir, 'history.jsonl') : args.history;
    if (!existsSync(file)) throw new UserError(`${runDir} has no history.jsonl`);
    const checker = checkerFor(args, runDir);
    const history = await readHistoryFile(file);
    let result: CheckResult;
    try {
      // Nothing checked is not "valid": an empty history (or one of nemesis operations only) is unknown.
      result = history.ops.some((op) => op.process !== 'nemesis')
        ? await checker.check(history.ops, { timeoutMs: timeoutS * 1000 })
        : { valid: 'unknown', summary: 'The history holds no client operations: nothing was checked.' };
    } catch (err) {
      // A history the checker cannot judge (an op its model cannot interpret, a completion never invoked) is bad input.
      if (err instanceof UserError) throw new UserError(`${file}: ${err.message}`);
      result = { valid: 'unknown', summary: `checker failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ file, format: history.format, warnings: history.warnings, checker: checker.name, ...result }, null, 2)}\n`);
    } else {
      const ui = new ConsoleUi(args.verbose === true);
      for (const w of history.warnings) ui.warn(w);
      process.stdout.write(`${checker.name}: ${verdictText(result.valid)}  ${result.summary}\n`);
      for (const anomaly of result.anomalies ?? []) process.stdout.write(`${anomaly.explanation}\n`);
    }
    process.exitCode = exitCodeFor(result.valid);
  },
};
