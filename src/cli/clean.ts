/**
 * `faultline clean`: remove what runs killed with -9 (or by the OOM killer, or a crash of the
 * machine's session) left on this machine. A run's tethers normally take its nodes down with the
 * harness, and a normal end, Ctrl-C or SIGTERM removes everything; this is for the rest:
 *
 * - processes carrying FAULTLINE_RUN whose FAULTLINE_HARNESS names a harness that is gone;
 * - scratch directories (`<tmpdir>/faultline-*`) whose owner.pid names a harness that is gone;
 * - netns labs whose owner is gone (root only).
 *
 * Why the harness identity decides: a run in progress is never touched, however old it is, and
 * a pid reused by an unrelated process does not keep a dead run's leftovers alive (the identity
 * includes the process start time, see src/hosts/local/process-identity.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { identityAlive } from '../hosts/local/process-identity.js';
import { orphanedRunProcesses, type RunProcess } from '../hosts/local/run-processes.js';
import { findTool } from '../net/netns/exec.js';
import { cleanupLeftoverLabs } from '../net/netns/lab.js';
import { leftoverScratchDirs } from '../runner/run-dir.js';
import { abortableSleep } from '../abortable-sleep.js';

/** How long to wait for killed processes to disappear before removing their directories. */
const KILL_WAIT_MS = 3000;

/** What `faultline clean` did: one line per thing removed, and what it could not do. */
export interface CleanReport {
  removed: string[];
  problems: string[];
}

/** Options of {@link cleanLeftovers}. */
export interface CleanOptions {
  /** Where scratch directories live; the system temp directory by default. */
  tmp?: string;
  /** Remove netns labs too; by default when running as root with `ip` installed. */
  labs?: boolean;
}

/** Remove the leftovers of dead runs: processes first, then their directories, then labs. */
export async function cleanLeftovers(opts: CleanOptions = {}): Promise<CleanReport> {
  const report: CleanReport = { removed: [], problems: [] };
  const killed = killOrphans(orphanedRunProcesses(), report);
  await waitGone(killed);
  for (const { dir, owner } of leftoverScratchDirs(opts.tmp)) {
    try {
      rmSync(dir, { recursive: true, force: true });
      report.removed.push(`removed scratch directory ${dir} (harness ${harnessPid(owner)} is gone)`);
    } catch (err) {
      report.problems.push(`cannot remove ${dir}: ${(err as Error).message}`);
    }
  }
  const labs = opts.labs ?? (process.getuid?.() === 0 && findTool('ip') !== undefined);
  if (labs) {
    try {
      for (const id of await cleanupLeftoverLabs()) report.removed.push(`removed netns lab ${id}`);
    } catch (err) {
      report.problems.push(`cannot remove netns labs: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return report;
}

/** SIGKILL each process (a stopped one dies too); returns the pids that were signalled. */
function killOrphans(procs: readonly RunProcess[], report: CleanReport): number[] {
  const killed: number[] = [];
  for (const proc of procs) {
    // Re-check just before the kill: the harness identity was read a moment ago.
    if (proc.harness === undefined || identityAlive(proc.harness)) continue;
    const what = describe(proc.pid);
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      continue; // Gone meanwhile (its tether took it down).
    }
    killed.push(proc.pid);
    report.removed.push(`killed process ${proc.pid} (${what}) of run ${proc.run} (harness ${harnessPid(proc.harness)} is gone)`);
  }
  return killed;
}

async function waitGone(pids: readonly number[]): Promise<void> {
  const until = Date.now() + KILL_WAIT_MS;
  const never = new AbortController().signal;
  while (pids.some(exists) && Date.now() < until) await abortableSleep(20, never);
}

function exists(pid: number): boolean {
  try {
    // A zombie still answers kill(0); its /proc stat says Z.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** `tether` or `node`, from the command line, for the line printed. */
function describe(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => /tether\.[jt]s$/.test(a)) ? 'tether' : 'node';
  } catch {
    return 'node';
  }
}

function harnessPid(identity: string): string {
  return identity.split(/[@ ]/)[0] ?? identity;
}

interface CleanArgs {
  labs?: boolean;
}

/** The `faultline clean` command. */
export const cleanCommand: CommandModule<object, CleanArgs> = {
  command: 'clean',
  describe: 'Remove what runs killed with -9 left behind: node processes, scratch directories, netns labs',
  builder: (y) => y.option('labs', { type: 'boolean', describe: 'Remove dead netns labs too (default: when root; --no-labs to skip)' }) as never,
  handler: async (args) => {
    const report = await cleanLeftovers(args.labs === undefined ? {} : { labs: args.labs });
    const lines = report.removed.length > 0 ? report.removed : ['nothing to clean'];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const problem of report.problems) process.stderr.write(`faultline: ${problem}\n`);
    if (report.problems.length > 0) process.exitCode = 2;
  },
};
