/**
 * Finds the processes a run started on this machine, by the FAULTLINE_RUN variable every node
 * and tether carries in its environment (Linux /proc). Used to prove a run left nothing behind
 * and by `faultline clean` to end what a killed run left: a process whose FAULTLINE_HARNESS
 * names a harness that no longer runs is a leftover.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { RUN_ENV } from './local-cluster.js';
import { HARNESS_ENV, identityAlive } from '../../process-identity.js';

/** A process started for a run. */
export interface RunProcess {
  pid: number;
  /** Its FAULTLINE_RUN: the run's results directory. */
  run: string;
  /** Its FAULTLINE_HARNESS (`<pid>@<start>`), when the harness recorded one. */
  harness?: string;
}

/** Live processes whose FAULTLINE_RUN is `runDir` (any run when omitted), with their run. */
export function runProcesses(runDir?: string): RunProcess[] {
  const found: RunProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    const vars = environ.split('\0');
    const value = (name: string): string | undefined => vars.find((kv) => kv.startsWith(`${name}=`))?.slice(name.length + 1);
    const run = value(RUN_ENV);
    if (run === undefined || (runDir !== undefined && run !== runDir)) continue;
    const harness = value(HARNESS_ENV);
    found.push({ pid: Number(entry), run, ...(harness !== undefined && { harness }) });
  }
  return found;
}

/**
 * Processes of runs whose harness is dead. A process without a recorded harness is never
 * listed: there is no proof its run is over.
 */
export function orphanedRunProcesses(): RunProcess[] {
  return runProcesses().filter((p) => p.harness !== undefined && p.pid !== process.pid && !identityAlive(p.harness));
}
