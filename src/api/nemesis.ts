/**
 * A nemesis injects faults (Jepsen's Nemesis protocol). Its schedule is data: a list of timed
 * fault operations made up front from the seed, so a run can be replayed and shrunk.
 */
import type { Cluster } from './cluster.js';
import type { Net } from './net.js';
import type { Rng } from '../gen/rng.js';

export interface FaultOp {
  f: string;
  value?: unknown;
}

export interface ScheduleEntry extends FaultOp {
  /** Milliseconds after the start of the main phase (the workload's start, history time 0). */
  atMs: number;
}

export interface NemesisContext {
  cluster: Cluster;
  net: Net;
  signal: AbortSignal;
}

export interface Nemesis {
  /** The `f`s this nemesis handles, so composed nemeses can route operations. */
  readonly fs: readonly string[];
  /**
   * Perform one fault operation; the result is recorded as the completion's value. It says what
   * was done in `text` (the one line the terminal, the report and JUnit show) and names the
   * nodes actually hit, e.g. the node that was the primary when the fault ran.
   */
  invoke(op: FaultOp, ctx: NemesisContext): Promise<unknown>;
  /** Undo every fault this nemesis has in force. Safe to call at any time, repeatedly. */
  heal(ctx: NemesisContext): Promise<void>;
}

export interface ScheduleOptions {
  nodes: readonly string[];
  /** Length of the main phase in milliseconds. */
  durationMs: number;
  /** Mean time between fault operations in milliseconds. */
  intervalMs: number;
  rng: Rng;
}

/**
 * What a nemesis may need from its surroundings: `primary` (the system can name its primary),
 * `clock` (node clocks can be skewed), `latency` (links can be delayed). A host backend says which
 * it cannot provide on this machine (HostBackend.lacks), so such a run is refused before it starts.
 */
export type Requirement = 'primary' | 'clock' | 'latency';

export interface NemesisDef {
  readonly name: string;
  readonly description: string;
  /**
   * Capabilities this nemesis needs (checked before the run starts): `primary` and `clock` from
   * the cluster, `latency` (delaying links) from the network mode.
   */
  readonly requires?: readonly Requirement[];
  build(): Nemesis;
  schedule(opts: ScheduleOptions): ScheduleEntry[];
  /**
   * Refuse an operation of this nemesis that could not be performed on a cluster of `nodes` (a
   * node that does not exist, a value of the wrong shape) by throwing an Error that says what is
   * wrong. It makes the checks `invoke` makes, so a schedule written or edited by hand fails
   * before the run starts instead of failing silently in the middle of it.
   */
  validate?(op: FaultOp, nodes: readonly string[]): void;
  /**
   * The value of one `start-<name>` drawn from `rng` (the nemesis's own choice of shape, victims
   * or size), or `undefined` when no fault fits `nodes`. Offered by nemeses whose faults are a
   * `start-<name>` / `stop-<name>` pair; generated schedules (`--nemesis random`) use it.
   */
  drawStart?(nodes: readonly string[], rng: Rng): unknown;
}
