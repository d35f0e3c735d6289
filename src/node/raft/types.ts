/** The inputs and outputs of the Raft core (core.ts), shared with its drivers and tests. */
import type { KvResult } from '../kv/protocol.js';
import type { CoreEnv } from '../kv/run-node.js';
import type { DistributiveOmit } from '../transport.js';
import type { Entry, LogWrite } from './log.js';
import type { RaftMessage } from './messages.js';

/** The core's world; its wall clock (skewable) stamps messages and times leases (read-mode lease). */
export type RaftEnv = CoreEnv;

export interface HardState {
  term: number;
  votedFor: string | null;
}

/** What a node finds on disk when it starts. */
export interface Persisted {
  hardState?: HardState;
  entries: Entry[];
}

export interface Outbound {
  to: string;
  msg: RaftMessage;
}

export interface Reply {
  rid: string;
  result: KvResult;
}

/** Persist `hardState` and `log` first; only then send `messages` and `replies`. */
export interface Ready {
  hardState?: HardState;
  log?: LogWrite;
  messages: Outbound[];
  replies: Reply[];
}

/** A message body before the core stamps `from` and `sentAt` on it. */
export type MessageBody = DistributiveOmit<RaftMessage, 'from' | 'sentAt'>;

export type Send = (to: string, body: MessageBody) => void;
