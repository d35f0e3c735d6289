/**
 * How a Raft core chooses its leader, behind one small interface so that the choice is a system
 * option: Raft's own vote-based election (vote-election.ts) or the bully algorithm
 * (bully-election.ts). Either way replication and commit stay the core's, majority-based, and a
 * leader leads one term: an election ends with a term a majority has promised to (a vote, an
 * acknowledged coordinator), which fences every leader of an older term.
 */
import type { Role } from '../kv/protocol.js';
import type { RaftConfig } from './config.js';
import type { Entry, RaftLog } from './log.js';
import type { ElectionMessage } from './messages.js';
import type { RaftEnv, Send } from './types.js';

export const ELECTIONS = ['raft', 'bully'] as const;
export type ElectionKind = (typeof ELECTIONS)[number];

/** What an election sees of the core it elects for, and the steps it may take on it. */
export interface ElectionHost {
  readonly cfg: RaftConfig;
  readonly env: RaftEnv;
  readonly peers: readonly string[];
  readonly quorum: number;
  readonly log: RaftLog;
  readonly term: number;
  readonly votedFor: string | null;
  readonly role: Role;
  readonly leader: string | null;
  readonly commit: number;
  send: Send;
  /** Follow `leader` (null: none known) in `term`, which must not be lower than the current one. */
  becomeFollower(term: number, leader: string | null): void;
  /** Enter `term` as a candidate that has voted for itself (made durable before anything is sent). */
  becomeCandidate(term: number): void;
  /** Promise this term to `candidate` (made durable before the reply is sent). */
  grantVote(candidate: string): void;
  /**
   * Take a more up-to-date log suffix before leading: drop every entry after `prevIndex` and
   * append `entries` (those up to the commit index, the same in both logs, are kept as they are).
   */
  adoptSuffix(prevIndex: number, entries: readonly Entry[]): void;
  becomeLeader(): void;
  /** Is this node a leader that heard from a majority within `windowMs`? */
  leaderHasContact(windowMs: number): boolean;
}

/** One way of electing the leader; the core feeds it time, its messages and leader contact. */
export interface Election {
  /** Time passed while this node does not lead. */
  tick(now: number): void;
  receive(m: ElectionMessage): void;
  /** An AppendEntries of the current term from `leader` was accepted: the leader is alive. */
  heardLeader(leader: string, now: number): void;
  /** The core now follows (after leading, when `wasLeader`: time the next election from now). */
  followed(wasLeader: boolean, now: number): void;
}
