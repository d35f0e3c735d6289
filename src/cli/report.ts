/**
 * `faultline report <run-dir>`: check a saved run again and rebuild its results.json,
 * junit.xml and report.html, e.g. after the harness was killed before it could write them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { ConsoleUi } from '../report/console.js';
import { finishRun } from '../runner/finish-run.js';
import type { RunResults } from '../runner/results.js';
import { identityAlive } from '../process-identity.js';
import { UserError } from '../user-error.js';
import { readSavedSpec, resolveSaved } from './check.js';

interface ReportArgs {
  run: string;
  verbose?: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run>',
  describe: 'Re-check a run directory and rebuild its results and report',
  builder: (y) => y.positional('run', { type: 'string', demandOption: true, describe: 'A run directory under results/' }) as never,
  handler: async (args) => {
    if (!existsSync(args.run) || !statSync(args.run).isDirectory()) throw new UserError(`${args.run} is not a run directory`);
    const spec = readSavedSpec(args.run);
    const saved = JSON.parse(readFileSync(join(args.run, 'test.json'), 'utf8')) as { command?: string; harness?: unknown };
    refuseWhileRunning(args.run, saved.harness);
    const resultsFile = join(args.run, 'results.json');
    const previous = readPrevious(resultsFile);
    const test = resolveSaved(args.run);
    const stat = statSync(join(args.run, 'test.json'));
    const run = await finishRun({
      dirs: {
        root: args.run,
        history: join(args.run, 'history.jsonl'),
        results: resultsFile,
        report: join(args.run, 'report.html'),
        junit: join(args.run, 'junit.xml'),
      },
      spec,
      command: saved.command ?? '',
      checker: test.workload.checker,
      startedAt: previous.startedAt ? new Date(previous.startedAt) : stat.mtime,
      durationS: previous.durationS ?? 0,
      ...(previous.clusterStartS !== undefined && { clusterStartS: previous.clusterStartS }),
      net: previous.net ?? spec.net,
      schedule: previous.schedule ?? test.schedule,
      warnings: previous.warnings ?? (previous.startedAt ? [] : ['rebuilt from the history alone: the run ended before writing its results']),
      interrupted: previous.interrupted ?? true,
      ...(previous.error !== undefined && { error: previous.error }),
      ui: new ConsoleUi(args.verbose === true),
    });
    process.exitCode = run.exitCode;
  },
};

/**
 * A run whose harness still runs is still going: its history is still being written and its
 * results are not yet due, so rebuilding them now would overwrite the run with a partial verdict.
 * The harness is named in test.json (`<pid>@<start>`), written before the run starts anything.
 */
function refuseWhileRunning(runDir: string, harness: unknown): void {
  const owner = typeof harness === 'string' && /^\d+@\d+$/.test(harness) && identityAlive(harness) ? harness : undefined;
  if (owner === undefined) return;
  const pid = owner.split('@')[0];
  throw new UserError(`${runDir} is a run still going (faultline pid ${pid}): let it finish, or stop it (Ctrl-C, or kill ${pid}), then run faultline report`);
}

/** The results a run wrote before, if any; a damaged file counts as none (it is rebuilt). */
function readPrevious(file: string): Partial<RunResults> {
  if (!existsSync(file)) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Partial<RunResults>) : {};
  } catch {
    return {};
  }
}
