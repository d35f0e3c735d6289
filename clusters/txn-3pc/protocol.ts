/**
 * What txn-3pc nodes say: to clients, the transactional nodes' requests, and to each other the
 * prepare (can-commit) / vote / decide (do-commit, abort) messages, both shared with txn-2pc
 * (src/node/txn/protocol.ts); this file adds three-phase commit's middle phase, pre-commit and
 * its acknowledgement, and what a node's log holds.
 */
import type { Outbox as TxnOutbox } from '../../src/node/txn/outbox.js';
import { isTxnPeerMsg, type CommonMsg } from '../../src/node/txn/protocol.js';
import type { ParticipantRec } from '../../src/node/txn/shard-store.js';

/** Coordinator → participant: every participant voted yes; the outcome will be commit. */
export interface PrecommitMsg {
  type: 'precommit';
  txn: string;
}

/** Participant → coordinator: pre-committed (durably). */
export interface AckMsg {
  type: 'ack';
  txn: string;
}

export type PeerMsg = CommonMsg | PrecommitMsg | AckMsg;
export type Envelope<M extends PeerMsg = PeerMsg> = M & { from: string };

const TYPES: readonly PeerMsg['type'][] = ['prepare', 'vote', 'precommit', 'ack', 'decide'];

/** A shape check for peer messages read off the network. */
export const isPeerMsg = (x: unknown): x is Envelope => isTxnPeerMsg(x, TYPES);

/** A durable record of a node's log. */
export type Rec =
  /** The node started; transaction ids carry the incarnation, so none is ever reused. */
  | { r: 'boot'; incarnation: number }
  /** Participant: prepared (uncertain), committed, aborted (src/node/txn/shard-store.ts). */
  | ParticipantRec
  /** Participant: pre-committed `txn`; after a restart it waits for do-commit, then commits on its own. */
  | { r: 'precommitted'; txn: string }
  /** Coordinator: every participant voted yes, so `txn` commits; pre-commit goes out once this is durable. */
  | { r: 'precommit'; txn: string; participants: string[] };

export type Outbox = TxnOutbox<Rec, PeerMsg>;
