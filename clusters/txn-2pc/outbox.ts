/**
 * What a txn-2pc node's protocol core hands to its process: records to make durable, then
 * messages to peers and replies to clients, which go out only once the records before them are
 * on disk (a vote only after its prepare record, a client's `ok` only after the commit decision).
 * The core never does I/O itself, so tests drive it with a simulated network and disk.
 */
import type { KvResult } from '../../src/node/kv/protocol.js';
import type { Key, Model, PeerMsg, VoteMsg } from './protocol.js';

/** A durable record of a node's log. */
export type Rec =
  /** The node started; transaction ids carry the incarnation, so none is ever reused. */
  | { r: 'boot'; incarnation: number }
  /**
   * Participant: prepared `txn` for `coord`, holding locks on `reads` (shared) and `writes`
   * (exclusive: appends, or register values set, as `model` says); `results` is what its reads
   * returned, sent again if the prepare is repeated.
   */
  | { r: 'prepared'; txn: string; coord: string; model: Model; reads: Key[]; writes: [Key, Key][]; results: VoteMsg['reads'] }
  /** Participant: applied a prepared transaction's writes and released its locks. */
  | { r: 'committed'; txn: string }
  /** Participant: dropped a prepared transaction and released its locks. */
  | { r: 'aborted'; txn: string }
  /** Coordinator: decided to commit `txn` (aborts are presumed: no record means abort). */
  | { r: 'decision'; txn: string };

export interface Batch {
  records: Rec[];
  messages: { to: string; msg: PeerMsg }[];
  replies: { rid: string; result: KvResult }[];
}

export class Outbox {
  private batch: Batch = { records: [], messages: [], replies: [] };

  record(rec: Rec): void {
    this.batch.records.push(rec);
  }

  send(to: string, msg: PeerMsg): void {
    this.batch.messages.push({ to, msg });
  }

  reply(rid: string, result: KvResult): void {
    this.batch.replies.push({ rid, result });
  }

  /** Everything since the last call, or undefined when there is nothing. */
  take(): Batch | undefined {
    const b = this.batch;
    if (b.records.length + b.messages.length + b.replies.length === 0) return undefined;
    this.batch = { records: [], messages: [], replies: [] };
    return b;
  }
}
