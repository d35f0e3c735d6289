/**
 * What a txn-2pc node's log holds, and the outbox (src/node/txn/outbox.ts) its core hands
 * records, messages and replies to: a client's `ok` goes out only after the commit decision is
 * on disk.
 */
import { Outbox as TxnOutbox, type Batch as TxnBatch } from '../../src/node/txn/outbox.js';
import type { ParticipantRec } from '../../src/node/txn/shard-store.js';
import type { PeerMsg } from './protocol.js';

/** A durable record of a node's log. */
export type Rec =
  /** The node started; transaction ids carry the incarnation, so none is ever reused. */
  | { r: 'boot'; incarnation: number }
  /** Participant: prepared, committed, aborted (src/node/txn/shard-store.ts). */
  | ParticipantRec
  /** Coordinator: decided to commit `txn` (aborts are presumed: no record means abort). */
  | { r: 'decision'; txn: string };

export type Batch = TxnBatch<Rec, PeerMsg>;
export class Outbox extends TxnOutbox<Rec, PeerMsg> {}
