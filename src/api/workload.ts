/**
 * A workload is a partial test (Jepsen's workload map): what operations to run and how to
 * check them. The client comes from the system under test, which names the workloads it serves.
 */
import type { Checker } from './checker.js';
import type { Generator } from './generator.js';

export interface WorkloadOptions {
  /** Number of keys in use at once, for keyed workloads. */
  keyCount: number;
  /** Operations per key before a thread moves on to fresh keys. */
  opsPerKey: number;
}

export interface Workload {
  generator: Generator;
  checker: Checker;
}

export interface WorkloadDef {
  readonly name: string;
  readonly description: string;
  build(opts: WorkloadOptions): Workload;
}
