/**
 * results.json: the verdict of a run and everything needed to understand and repeat it.
 * Written last and atomically, so a results.json on disk is always complete.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { CheckResult, Validity } from '../api/checker.js';
import type { ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';

export interface OpCounts {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
}

export interface RunResults {
  faultline: string;
  name: string;
  /** The overall verdict: false outranks unknown outranks true. */
  valid: Validity;
  spec: TestSpec;
  /** The command line that repeats this run. */
  command: string;
  startedAt: string;
  durationS: number;
  /** Seconds from the first node start to a ready cluster. */
  clusterStartS?: number;
  net: string;
  /** The Net's own account of itself at the end of the run (`describe()`: addresses, mechanisms, counters). */
  netDescription?: unknown;
  schedule: ScheduleEntry[];
  checkers: Record<string, CheckResult>;
  ops: OpCounts;
  /** Node crashes, history repairs and other things a reader should know. */
  warnings: string[];
  interrupted: boolean;
  /** Set when the harness itself failed; the verdict is then `unknown`. */
  error?: string;
}

/** Exit status for a verdict: 0 valid, 1 invalid, 2 unknown or harness error. */
export function exitCodeFor(valid: Validity): 0 | 1 | 2 {
  if (valid === true) return 0;
  if (valid === false) return 1;
  return 2;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Write a whole file or nothing: a kill midway leaves the old file (or none), never half. */
export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
