/**
 * What txn-2pc nodes say: to clients, the transactional nodes' requests, and to each other the
 * prepare / vote / decide messages, both shared with txn-3pc (src/node/txn/protocol.ts); this
 * file adds two-phase commit's own message, a participant's query, and what its disk holds
 * (./outbox.ts).
 */
import { isTxnPeerMsg, type CommonMsg } from '../../src/node/txn/protocol.js';

export type { DecideMsg, Key, Model, Mop, PrepareMsg, ReadOp, ShardOp, TxnRequest, VoteMsg } from '../../src/node/txn/protocol.js';
export { parseTxnRequest } from '../../src/node/txn/protocol.js';

/** Participant → coordinator: a transaction it prepared has been in doubt for a while. */
export interface QueryMsg {
  type: 'query';
  txn: string;
}

export type PeerMsg = CommonMsg | QueryMsg;
export type Envelope<M extends PeerMsg = PeerMsg> = M & { from: string };

const TYPES: readonly PeerMsg['type'][] = ['prepare', 'vote', 'decide', 'query'];

/** A shape check for peer messages read off the network. */
export const isPeerMsg = (x: unknown): x is Envelope => isTxnPeerMsg(x, TYPES);
