/**
 * `faultline report <run-dir>`: check a saved run again and rebuild its results.json,
 * junit.xml and report.html, e.g. after the harness was killed before it could write them, or
 * to redraw a run written by an older faultline.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { ConsoleUi } from '../report/console.js';
import { finishRun } from '../runner/finish-run.js';
import { runningHarness } from '../runner/run-dir.js';
import { UserError } from '../user-error.js';
import { readPrevious, readSavedTest, resolveSaved } from './check.js';
import { junitFile } from './test.js';

interface ReportArgs {
  run: string;
  junit?: string;
  verbose?: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run>',
  describe: 'Re-check a run directory and rebuild its results and report',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'A run directory under results/' })
      .option('junit', { type: 'string', describe: 'Also write the JUnit XML verdict to this file' }) as never,
  handler: async (args) => {
    if (!existsSync(args.run) || !statSync(args.run).isDirectory()) throw new UserError(`${args.run} is not a run directory`);
    const harness = runningHarness(args.run);
    if (harness !== undefined) {
      throw new UserError(`${args.run} is a run still in progress (faultline pid ${harness} is writing it): wait for it to end, or stop it with Ctrl-C, then run faultline report again`);
    }
    const junitCopy = junitFile(args.junit);
    const saved = readSavedTest(args.run);
    const spec = saved.spec;
    const resultsFile = join(args.run, 'results.json');
    const previous = readPrevious(resultsFile);
    const test = await resolveSaved(args.run);
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
      checkers: test.workload.checkers,
      startedAt: previous.startedAt ? new Date(previous.startedAt) : stat.mtime,
      durationS: previous.durationS ?? 0,
      ...(previous.clusterStartS !== undefined && { clusterStartS: previous.clusterStartS }),
      ...(previous.timeOrigin !== undefined && { timeOrigin: previous.timeOrigin }),
      net: previous.net ?? spec.net,
      ...(previous.netDescription !== undefined && { netDescription: previous.netDescription }),
      schedule: previous.schedule ?? test.schedule,
      warnings: previous.warnings ?? ['rebuilt from the history alone: the run ended before writing its results'],
      interrupted: previous.interrupted ?? true,
      ...(previous.error !== undefined && { error: previous.error }),
      ui: new ConsoleUi(args.verbose === true),
      ...(junitCopy !== undefined && { junitCopy }),
    });
    process.exitCode = run.exitCode;
  },
};
