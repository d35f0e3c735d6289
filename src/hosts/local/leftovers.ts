/**
 * `faultline clean` for the embedded default: node and tether processes of runs whose harness is
 * gone. A run's tethers normally take its nodes down with the harness; this is for the rest (a
 * tether killed too, by the OOM killer or a `kill -9` of the whole process group).
 *
 * Why the harness identity decides: a run in progress is never touched, however old it is, and a
 * pid reused by an unrelated process does not keep a dead run's leftovers alive (the identity
 * includes the process start time, see src/process-identity.ts).
 */
import { readFileSync } from 'node:fs';
import type { CleanReport, HostCleaner } from '../../api/host.js';
import { abortableSleep } from '../../abortable-sleep.js';
import { harnessPid, identityAlive } from '../../process-identity.js';
import { orphanedRunProcesses, type RunProcess } from './run-processes.js';

/** How long to wait for killed processes to disappear, so their directories can go next. */
const KILL_WAIT_MS = 3000;

export const localProcessCleaner: HostCleaner = {
  name: 'local processes',
  unavailable: () => undefined,
  async clean() {
    const report: CleanReport = { removed: [], problems: [] };
    await waitGone(killOrphans(orphanedRunProcesses(), report));
    return report;
  },
};

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
