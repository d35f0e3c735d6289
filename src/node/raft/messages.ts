/**
 * Messages between the nodes of a Raft cluster. Every RPC reply is a message of its own, sent on the
 * responder's outbound link (see src/node/transport.ts), so requests and replies may be lost
 * independently.
 */
import type { Entry } from './log.js';

/** What every message carries; the core stamps `from` and `sentAt` on the bodies it sends. */
interface MessageBase {
  from: string;
  term: number;
  /** The sender's wall clock when it sent the message (`Clock.now()`), for clock-guard.ts. */
  sentAt: number;
}

/**
 * RequestVote. With `pre` it is a pre-vote (Raft thesis §9.6): "would you vote for me in
 * `term`?", which changes no state on either side, so a node cut off from the cluster does not
 * inflate its term and depose a healthy leader when it comes back.
 */
export interface VoteRequest extends MessageBase {
  type: 'vote';
  lastIndex: number;
  lastTerm: number;
  pre?: boolean;
}

/** The answer to a (pre-)vote. A granted pre-vote carries the term asked about. */
export interface VoteReply extends MessageBase {
  type: 'vote-reply';
  granted: boolean;
  pre?: boolean;
}

/** AppendEntries, also the heartbeat. `seq` numbers the leader's rounds for read-index/leases. */
export interface AppendRequest extends MessageBase {
  type: 'append';
  prevIndex: number;
  prevTerm: number;
  entries: Entry[];
  commit: number;
  seq: number;
}

/**
 * The answer to an AppendEntries. On success `match` is the last index known to agree with the
 * leader. On a log mismatch `conflictIndex`/`conflictTerm` let the leader skip a whole term at
 * once: conflictTerm is the follower's term at prevIndex (absent when its log is too short) and
 * conflictIndex the first index of that term (or the follower's lastIndex + 1).
 */
export interface AppendReply extends MessageBase {
  type: 'append-reply';
  success: boolean;
  match: number;
  seq: number;
  conflictIndex?: number;
  conflictTerm?: number;
}

/**
 * The bully election (bully-election.ts): `election` goes to every higher-ranked node ("are you
 * alive?"), which replies `answer` and takes the election over; a node no higher one answers
 * sends `coordinator` with the term it means to lead, and leads once a majority acknowledged it.
 */
export interface BullyElect extends MessageBase {
  type: 'election';
}

export interface BullyAnswer extends MessageBase {
  type: 'answer';
}

/** "I lead `term`": with the coordinator's commit index and the end of its log. */
export interface Coordinator extends MessageBase {
  type: 'coordinator';
  commit: number;
  lastIndex: number;
  lastTerm: number;
}

/**
 * The answer to a coordinator: granted (the sender promised the term), or refused with the
 * sender's term and whether it knows a live node that outranks the coordinator. A granting node
 * whose log is more up to date than the coordinator's sends its entries after the coordinator's
 * commit index (`entries`, from `prevIndex` + 1), so the new leader starts from the most up-to-date
 * log of a majority.
 */
export interface CoordinatorAck extends MessageBase {
  type: 'coordinator-ack';
  granted: boolean;
  outranked: boolean;
  lastIndex: number;
  lastTerm: number;
  prevIndex?: number;
  entries?: Entry[];
}

/** The messages of leader election, which the core hands to its election (election.ts). */
export type ElectionMessage = VoteRequest | VoteReply | BullyElect | BullyAnswer | Coordinator | CoordinatorAck;

export type RaftMessage = ElectionMessage | AppendRequest | AppendReply;

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A light shape check for messages read off the network. */
export function isRaftMessage(x: unknown): x is RaftMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.from !== 'string' || !isNat(m.term) || typeof m.sentAt !== 'number' || !Number.isFinite(m.sentAt)) return false;
  switch (m.type) {
    case 'vote':
      return isNat(m.lastIndex) && isNat(m.lastTerm);
    case 'vote-reply':
      return typeof m.granted === 'boolean';
    case 'append':
      return isNat(m.prevIndex) && isNat(m.prevTerm) && Array.isArray(m.entries) && isNat(m.commit) && isNat(m.seq);
    case 'append-reply':
      return typeof m.success === 'boolean' && isNat(m.match) && isNat(m.seq);
    case 'election':
    case 'answer':
      return true;
    case 'coordinator':
      return isNat(m.commit) && isNat(m.lastIndex) && isNat(m.lastTerm);
    case 'coordinator-ack':
      return typeof m.granted === 'boolean' && typeof m.outranked === 'boolean' && isNat(m.lastIndex) && isNat(m.lastTerm) && (m.entries === undefined || (Array.isArray(m.entries) && isNat(m.prevIndex)));
    default:
      return false;
  }
}
