/**
 * Timings and knobs of the raft-kv core. The defaults elect a 5-node loopback cluster well
 * under 2 s and bring a healed cluster back within about one election timeout.
 */
import { bugSet, type Bugs } from './bugs.js';

export const READ_MODES = ['read-index', 'log', 'lease'] as const;
export type ReadMode = (typeof READ_MODES)[number];

export interface RaftConfig {
  id: string;
  nodes: readonly string[];
  /** Election timeout is drawn uniformly from [electionMinMs, electionMaxMs). */
  electionMinMs: number;
  electionMaxMs: number;
  heartbeatMs: number;
  /** A leader that has not heard from a majority for this long steps down (check-quorum). */
  checkQuorumMs: number;
  /** A client request not answered within this long gets `info: timeout`. */
  requestTimeoutMs: number;
  /** Lease length as a fraction of electionMinMs (read-mode lease). */
  leaseRatio: number;
  /**
   * Read-mode lease only: messages whose sender's clock differs from this node's by more than
   * this are dropped (clock-guard.ts), since leases need bounded clock offset.
   */
  maxClockOffsetMs: number;
  /** Most entries in one AppendEntries. */
  maxBatch: number;
  /** Most entries sent to one follower beyond what it has acknowledged. */
  maxInflight: number;
  readMode: ReadMode;
  bugs: Bugs;
}

export const DEFAULT_TIMINGS = {
  electionMinMs: 300,
  electionMaxMs: 600,
  heartbeatMs: 75,
  checkQuorumMs: 1200,
  requestTimeoutMs: 1000,
  leaseRatio: 0.9,
  maxClockOffsetMs: 500,
  maxBatch: 512,
  maxInflight: 8192,
} as const;

export function makeConfig(
  id: string,
  nodes: readonly string[],
  opts: { readMode?: string; bugs?: readonly string[] } & Partial<typeof DEFAULT_TIMINGS> = {},
): RaftConfig {
  const readMode = (opts.readMode ?? 'read-index') as ReadMode;
  if (!READ_MODES.includes(readMode)) {
    throw new Error(`unknown read-mode "${opts.readMode}" (one of ${READ_MODES.join(', ')})`);
  }
  const { readMode: _r, bugs, ...timings } = opts;
  return { id, nodes, ...DEFAULT_TIMINGS, ...timings, readMode, bugs: bugSet(bugs ?? []) };
}
