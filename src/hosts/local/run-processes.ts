/**
 * Finds the processes a run started on this machine, by the FAULTLINE_RUN variable every node
 * and tether carries in its environment (Linux /proc). Used to prove a run left nothing behind
 * and by `faultline clean` to end what a killed run left.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { RUN_ENV } from './local-cluster.js';

/** Pids of live processes whose FAULTLINE_RUN is `runDir` (any run when omitted), with their run. */
export function runProcesses(runDir?: string): { pid: number; run: string }[] {
  const found: { pid: number; run: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    const pair = environ.split('\0').find((kv) => kv.startsWith(`${RUN_ENV}=`));
    if (!pair) continue;
    const run = pair.slice(RUN_ENV.length + 1);
    if (runDir === undefined || run === runDir) found.push({ pid: Number(entry), run });
  }
  return found;
}
