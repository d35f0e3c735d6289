/**
 * results.json: the verdict of a run and everything needed to understand and repeat it. The
 * schema lives here, apart from the runner that writes it, so that the report, the JUnit file,
 * `faultline serve` and `faultline report` can all be rebuilt from a run's files alone.
 *
 * Versions (`version`; files written before versions existed have none and read as 1):
 * - 1: history times counted from the harness's start, schedule times from the workload's.
 * - 2: one time base: history, schedule and report count from the workload's start, and
 *      `timeOrigin` ties that instant to wall-clock and monotonic time (for node logs and
 *      message traces); `rate` says what limited the rate of operations, when anything did.
 */
import type { CheckResult, Validity } from '../api/checker.js';
import type { ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import type { ClockReading } from '../node/time-base.js';

/** The version this faultline writes. */
export const RESULTS_VERSION = 2;

export interface OpCounts {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
}

/** The instant history time 0 stands for, on the clocks other files are stamped with. */
export type TimeOrigin = ClockReading;

export interface RunResults {
  /** Schema version, {@link RESULTS_VERSION} when written by this faultline. */
  version: number;
  /** The faultline version that wrote the file. */
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
  /** History time 0 (the workload's start) on the wall and monotonic clocks; absent before version 2. */
  timeOrigin?: TimeOrigin;
  net: string;
  /** The Net's own account of itself at the end of the run (`describe()`: addresses, mechanisms, counters). */
  netDescription?: unknown;
  /** Fault operations as planned; `atMs` counts from the workload's start (history time 0). */
  schedule: ScheduleEntry[];
  checkers: Record<string, CheckResult>;
  ops: OpCounts;
  /** Node crashes, history repairs, a rate that could not be kept, and other things a reader should know. */
  warnings: string[];
  interrupted: boolean;
  /** Set when the harness itself failed; the verdict is then `unknown` (or stays `false`). */
  error?: string;
}

/** Exit status for a verdict: 0 valid, 1 invalid, 2 unknown or harness error. */
export function exitCodeFor(valid: Validity): 0 | 1 | 2 {
  if (valid === true) return 0;
  if (valid === false) return 1;
  return 2;
}
