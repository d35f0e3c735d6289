import type { ScheduleEntry } from './nemesis.js';

/**
 * A test is plain data, assembled by name from the registry (Jepsen's test map, typed).
 * The CLI builds one from its flags and validates it once; results.json stores it verbatim,
 * so a run can be repeated from its results alone.
 */

export interface TestSpec {
  /** Run name, used in the results directory name. */
  name: string;
  /** System under test (a folder under clusters/). */
  cluster: string;
  workload: string;
  /**
   * The workload's own options (`--readers 0.3`, see `WorkloadDef.options`). A run stores every
   * option the workload declares, defaults filled in, so `check`, `report` and `shrink` rebuild
   * the same workload. Absent: all defaults.
   */
  workloadOptions?: Record<string, number | string>;
  /** Nemeses in force together; empty for a fault-free run; `['random']` for a generated schedule (src/gen/schedule-arbitrary.ts). */
  nemeses: string[];
  /** Known bugs of the system to switch on. */
  bugs: string[];
  /** System options, e.g. `{ 'read-mode': 'lease' }`. */
  clusterOptions: Record<string, string>;
  /**
   * Node names, in order (`--nodes 5` gives n1..n5, the default; `--nodes a,b,c` names them; a
   * host backend with an inventory may supply them).
   */
  nodes: string[];
  /** Concurrent client threads. Default 10. */
  concurrency: number;
  /** Length of the main phase (workload + faults) in seconds. Default 30. */
  timeLimitS: number;
  /** Fault-free phase after the final heal, in seconds, with the workload still running. Default 5. */
  recoveryS: number;
  /** Seed of every random choice: operation mix per thread and fault schedule. */
  seed: number;
  /** Target rate of client operations per second, over all threads. Default 100. */
  rate: number;
  /** Mean seconds between fault operations. Default 3. */
  nemesisIntervalS: number;
  /** Client operation timeout in milliseconds; a timed-out operation is recorded as `info`. */
  opTimeoutMs: number;
  /** Keys in use at once (keyed workloads). Default 3. */
  keyCount: number;
  /** Operations per key per thread, at the requested rate, before keys are replaced. Default 30. */
  opsPerKey: number;
  /** Give up checking after this many seconds (verdict `unknown`). Default 120. */
  checkerTimeoutS: number;
  /** Memory the checker may use, in bytes (`--max-memory`); default: the checker's own. */
  checkerMaxMemoryBytes?: number;
  /** Directory that holds run directories. Default `results`. */
  resultsRoot: string;
  /** A fault schedule to replay instead of one generated from the seed (`--schedule`). */
  schedule?: ScheduleEntry[];
  /** Where nodes run: a host backend's name (src/registry.ts); `local` by default. */
  hosts: string;
  /**
   * Network control mechanism, one of the host backend's modes; for `local`: `proxy` (the fault
   * proxy on 127.0.0.1, no privileges; the default) or `netns` (a network namespace and address
   * per node, partitions as nft rules at a bridge; root only).
   */
  net: string;
  /** Options of the host backend, e.g. `{ 'hosts-file': 'hosts.json' }` (none for `local`). */
  hostOptions: Record<string, string>;
  /**
   * The plug-in modules the run loaded (`--plugin`, `--cluster <path>`), as absolute paths of
   * their entry files, so `check`, `report` and `shrink` load them again. Absent when none.
   */
  plugins?: string[];
}
