/**
 * `faultline check`: re-check a saved run directory (with its workload's checker) or any
 * history file (faultline JSONL, Jepsen log, Jepsen EDN) with a chosen model.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { CheckResult, Checker } from '../api/checker.js';
import type { TestSpec } from '../api/test-spec.js';
import { linearizable } from '../../checkers/linearizable/index.js';
import { readHistoryFile } from '../history/formats/index.js';
import { ConsoleUi, verdictText } from '../report/console.js';
import { resolveTest } from '../runner/resolve.js';
import { exitCodeFor } from '../runner/results.js';
import { UserError } from '../user-error.js';

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
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { spec: TestSpec }).spec;
  } catch {
    throw new UserError(`${file} is not valid JSON; pass the history file itself with --model`);
  }
}

function checkerFor(args: CheckArgs, runDir: string | undefined): Checker {
  if (runDir && !args.model) return resolveTest(readSavedSpec(runDir)).workload.checker;
  return linearizable({ model: args.model ?? 'cas-register', partitionKeys: args['partition-keys'] });
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
    if (!existsSync(args.history)) throw new UserError(`no such file or directory: ${args.history}`);
    const runDir = statSync(args.history).isDirectory() ? args.history : undefined;
    const file = runDir ? join(runDir, 'history.jsonl') : args.history;
    if (!existsSync(file)) throw new UserError(`${runDir} has no history.jsonl`);
    const checker = checkerFor(args, runDir);
    const history = await readHistoryFile(file);
    let result: CheckResult;
    try {
      result = await checker.check(history.ops, { timeoutMs: args['checker-timeout'] * 1000 });
    } catch (err) {
      result = { valid: 'unknown', summary: `checker failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ file, format: history.format, warnings: history.warnings, checker: checker.name, ...result }, null, 2)}\n`);
    } else {
      const ui = new ConsoleUi(args.verbose === true);
      for (const w of history.warnings) ui.warn(w);
      process.stdout.write(`${checker.name}: ${verdictText(result.valid)}  ${result.summary}\n`);
      if (result.anomaly) process.stdout.write(`${result.anomaly.explanation}\n`);
    }
    process.exitCode = exitCodeFor(result.valid);
  },
};
