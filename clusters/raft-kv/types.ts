/** The inputs and outputs of the Raft core (raft.ts), shared with its driver and tests. */
import type { Entry, LogWrite } from './log.js';
import type { RaftMessage } from './messages.js';
import type { KvResult } from './protocol.js';

export interface RaftEnv {
  /** Monotonic milliseconds, for timers. */
  mono(): number;
  /** This node's wall clock (Clock.now(), skewable): message stamps, and leases (read-mode lease). */
  wall(): number;
  /** Uniform in [0, 1). */
  random(): number;
  log(level: 'debug' | 'info' | 'warn', message: string, fields?: Record<string, unknown>): void;
}

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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A message body before the core stamps `from` and `sentAt` on it. */
export type MessageBody = DistributiveOmit<RaftMessage, 'from' | 'sentAt'>;

export type Send = (to: string, body: MessageBody) => void;
