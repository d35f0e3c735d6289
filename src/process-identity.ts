/**
 * Who owns what a run leaves on this machine. A run records its harness as `<pid>@<start>`
 * (the pid plus its start time in clock ticks since boot, field 22 of /proc/<pid>/stat), in
 * the scratch directory's owner.pid and in every node's environment (FAULTLINE_HARNESS).
 *
 * Why the start time: pids are reused; a pid alone could name an unrelated live process and
 * keep a dead run's leftovers forever, while pid plus start time names one process only.
 */
import { readFileSync } from 'node:fs';

/** Set in every node's environment to the identity of the harness that started it. */
export const HARNESS_ENV = 'FAULTLINE_HARNESS';

/** The fields of /proc/<pid>/stat from field 3 (the state) on, or undefined when there is no such process. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time of `pid` in clock ticks since boot, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** `<pid>@<start>` for a live process (this one by default). */
export function processIdentity(pid: number = process.pid): string {
  return `${pid}@${processStartTime(pid) ?? ''}`;
}

/**
 * Whether the process an identity names still runs. Accepts a bare pid too (older owner files):
 * then only the pid is checked. Anything unreadable counts as alive, so nothing is removed on a
 * guess. A zombie does not run: it has ended and only waits for its parent (or, once orphaned,
 * an init that may be slow to reap, or never does in a container) to collect its exit status, so
 * a harness killed with -9 together with the test runner that started it owns nothing any more.
 */
export function identityAlive(identity: string): boolean {
  const match = /^(\d+)(?:[@ ](\d*))?$/.exec(identity.trim());
  if (!match) return true;
  const pid = Number(match[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  const stat = statFields(pid);
  if (stat === undefined) return pidExists(pid);
  if (stat[0] === 'Z') return false;
  return !match[2] || match[2] === stat[19];
}

/** Whether a process with this pid exists (EPERM means it does, just not ours). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Send `signal` to `pid`, ignoring a process that is already gone. */
export function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** The pid part of an identity (`<pid>@<start>`), for messages. */
export function harnessPid(identity: string): string {
  return identity.split(/[@ ]/)[0] ?? identity;
}
