/**
 * The terminal side of a run: a header with the schedule, a progress line while it runs (a
 * rewritten line on a terminal, a line every few seconds otherwise), and a coloured summary.
 */
import chalk from 'chalk';
import type { Validity } from '../api/checker.js';
import type { ScheduleEntry } from '../api/nemesis.js';
import type { Op } from '../api/op.js';
import type { TestSpec } from '../api/test-spec.js';
import type { Journal } from '../history/journal.js';
import type { RunResults } from '../results/schema.js';
import type { RunUi } from '../runner/ui.js';
import { describeFault, plural, scheduleLines } from './fault-text.js';

const PLAIN_PROGRESS_EVERY_S = 5;

export function verdictText(valid: Validity): string {
  if (valid === true) return chalk.green.bold('VALID');
  if (valid === false) return chalk.red.bold('INVALID');
  return chalk.yellow.bold('UNKNOWN');
}

export class ConsoleUi implements RunUi {
  private timer: NodeJS.Timeout | undefined;
  private readonly out = process.stderr;

  constructor(private readonly verbose: boolean) {}

  header(spec: TestSpec, runDir: string, schedule: readonly ScheduleEntry[]): void {
    const faults = spec.nemeses.length > 0 ? spec.nemeses.join(', ') : 'none';
    const bugs = spec.bugs.length > 0 ? chalk.magenta(` bugs: ${spec.bugs.join(', ')}`) : '';
    this.line(
      `${chalk.bold('faultline')} ${spec.cluster} × ${spec.workload}, nemesis: ${faults}, ${plural(spec.nodes.length, 'node')}, ` +
        `${plural(spec.concurrency, 'client')}, ${spec.timeLimitS}+${spec.recoveryS} s, seed ${spec.seed}${bugs}`,
    );
    this.line(chalk.dim(`results: ${runDir}`));
    if (schedule.length > 0) {
      this.line(chalk.dim(`schedule (${plural(schedule.length, 'fault operation')}; seconds from the workload's start, as in the history and the report):`));
      for (const line of scheduleLines(schedule)) this.line(chalk.dim(`  ${line}`));
    }
  }

  phase(text: string): void {
    this.clearProgress();
    this.line(chalk.cyan(`» ${text}`));
  }

  warn(text: string): void {
    this.clearProgress();
    this.line(chalk.yellow(`! ${text}`));
  }

  debug(err: unknown): void {
    if (this.verbose) this.line(chalk.dim(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  }

  startProgress(journal: Journal, totalS: number): void {
    const counts = { ok: 0, fail: 0, info: 0 };
    let fault = '';
    journal.onRecord((op: Op) => {
      if (op.process === 'nemesis') {
        if (op.type === 'info') fault = op.f === 'heal' || op.f.startsWith('stop') ? '' : describeFault(op.f, op.value);
      } else if (op.type !== 'invoke') counts[op.type]++;
    });
    const started = Date.now();
    const tty = this.out.isTTY === true;
    let lastPlain = 0;
    this.timer = setInterval(() => {
      const elapsed = (Date.now() - started) / 1000;
      const text =
        `[${elapsed.toFixed(0).padStart(3)}s/${totalS}s] ops ${counts.ok + counts.fail + counts.info} ` +
        `${chalk.green(`ok ${counts.ok}`)} ${chalk.red(`fail ${counts.fail}`)} ${chalk.yellow(`info ${counts.info}`)}` +
        (fault ? chalk.magenta(`  fault: ${fault}`) : '');
      if (tty) this.out.write(`\r\x1b[2K${text}`);
      else if (elapsed - lastPlain >= PLAIN_PROGRESS_EVERY_S) {
        lastPlain = elapsed;
        this.line(text);
      }
    }, 250);
    this.timer.unref();
  }

  stopProgress(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clearProgress();
  }

  summary(results: RunResults, runDir: string): void {
    this.clearProgress();
    const { ops } = results;
    this.line('');
    this.line(`${chalk.bold('operations')}: ${ops.invoke.toLocaleString('en')} (${chalk.green(`${ops.ok} ok`)}, ${chalk.red(`${ops.fail} fail`)}, ${chalk.yellow(`${ops.info} info`)})`);
    for (const w of results.warnings) this.line(chalk.yellow(`! ${w}`));
    if (results.error) this.line(chalk.red(`harness error: ${results.error}`));
    if (results.interrupted) this.line(chalk.yellow('interrupted: the history is partial'));
    for (const [name, result] of Object.entries(results.checkers)) {
      this.line(`${chalk.bold(name)}: ${verdictText(result.valid)}  ${result.summary}`);
      for (const anomaly of result.anomalies ?? []) {
        this.line(chalk.red(`  ${anomaly.kind}: ${anomaly.summary}`));
        for (const text of anomaly.explanation.split('\n')) this.line(`  ${text}`);
      }
    }
    this.line(`${chalk.bold('verdict')}: ${verdictText(results.valid)}`);
    this.line(chalk.dim(`report: ${runDir}/report.html`));
  }

  private clearProgress(): void {
    if (this.timer && this.out.isTTY) this.out.write('\r\x1b[2K');
  }

  private line(text: string): void {
    this.out.write(`${text}\n`);
  }
}
