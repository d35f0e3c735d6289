/**
 * A workload is a partial test (Jepsen's workload map): the operations of each phase and the
 * checkers that judge the history. The client comes from the system under test, which names the
 * workloads it serves.
 */
import type { Checker } from './checker.js';
import type { Generator } from './generator.js';

/**
 * An option a workload declares (as systems declare theirs): offered by `faultline test` as
 * `--<name>`, shown by `faultline list`, validated before the run, stored in the run's spec.
 * The default's type is the option's type: a number, or a string (one of `choices` if given).
 */
export interface WorkloadOption {
  describe: string;
  default: number | string;
  choices?: readonly string[];
  /** Bounds of a numeric option, inclusive. */
  min?: number;
  max?: number;
  /** A numeric option that must be a whole number. */
  integer?: boolean;
}

/** Option values after validation: every declared option, defaults filled in. */
export type WorkloadOptionValues = Readonly<Record<string, number | string>>;

/** What a workload is built from: the run's shape and its own options. */
export interface WorkloadContext {
  /** Keys in use at once, for keyed workloads. */
  keyCount: number;
  /** Operations per key per thread (at the requested rate) before keys are replaced. */
  opsPerKey: number;
  /** Client threads. */
  concurrency: number;
  /** Requested operations per second, over all threads. */
  rate: number;
  nodes: readonly string[];
  options: WorkloadOptionValues;
}

export interface Workload {
  /** Run on every thread before the main phase and before any fault (initial keys, balances). */
  setup?: Generator;
  /** The main phase: with faults, then through the heal and the recovery time. */
  generator: Generator;
  /** Run on every thread after recovery (final reads), Jepsen's final generator. */
  finalGenerator?: Generator;
  /**
   * The checkers, by name, composed as Jepsen's `compose`: each judges the whole history, the
   * run's verdict is their merge (false over unknown over true), and results.json keeps each.
   */
  checkers: Readonly<Record<string, Checker>>;
}

export interface WorkloadDef {
  readonly name: string;
  readonly description: string;
  readonly options?: Readonly<Record<string, WorkloadOption>>;
  build(ctx: WorkloadContext): Workload;
}
