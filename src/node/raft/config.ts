/**
 * Timings and knobs of the shared Raft core. The defaults elect a 5-node loopback cluster well
 * under 2 s and bring a healed cluster back within about one election timeout.
 */

import { ELECTIONS, type ElectionKind } from './election.js';

export const READ_MODES = ['read-index', 'log', 'lease'] as const;
export type ReadMode = (typeof READ_MODES)[number];

/**
 * The known bugs that live in the replication core itself; a system on the core declares the
 * ones it offers (with their descriptions) in its own bugs.ts and switches them on here.
 */
export type RaftBugName = 'stale-read' | 'no-fsync-vote' | 'commit-without-majority' | 'no-log-recovery' | 'bully-no-term';

/** What the core asks of a system's bug set: only whether a core bug is on. */
export interface RaftBugs {
  has(name: RaftBugName): boolean;
}

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
  /** How the leader is elected: Raft's votes (vote-election.ts) or the bully algorithm (bully-election.ts). */
  election: ElectionKind;
  bugs: RaftBugs;
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

export type RaftOptions = { readMode?: string; election?: string } & Partial<typeof DEFAULT_TIMINGS>;

/** A checked configuration; `bugs` is the system's bug set, already checked. */
export function makeRaftConfig(id: string, nodes: readonly string[], bugs: RaftBugs, opts: RaftOptions = {}): RaftConfig {
  const readMode = (opts.readMode ?? 'read-index') as ReadMode;
  if (!READ_MODES.includes(readMode)) {
    throw new Error(`unknown read-mode "${opts.readMode}" (one of ${READ_MODES.join(', ')})`);
  }
  const election = (opts.election ?? 'raft') as ElectionKind;
  if (!ELECTIONS.includes(election)) {
    throw new Error(`unknown election "${opts.election}" (one of ${ELECTIONS.join(', ')})`);
  }
  // Lease reads rely on leader stickiness, which only Raft's vote-based election keeps.
  if (election === 'bully' && readMode === 'lease') throw new Error('read-mode lease needs the raft election, not bully');
  const { readMode: _r, election: _e, ...timings } = opts;
  return { id, nodes, ...DEFAULT_TIMINGS, ...timings, readMode, election, bugs };
}
