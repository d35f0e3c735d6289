/**
 * What a transactional node's protocol core hands to its process: records to make durable, then
 * messages to peers and replies to clients, which go out only once the records before them are
 * on disk (a vote only after its prepare record, a client's `ok` only after what decides it).
 * The core never does I/O itself, so tests drive it with a simulated network and disk.
 */
import type { KvResult } from '../kv/protocol.js';

export interface Batch<R, M> {
  records: R[];
  messages: { to: string; msg: M }[];
  replies: { rid: string; result: KvResult }[];
}

export class Outbox<R, M> {
  private batch: Batch<R, M> = { records: [], messages: [], replies: [] };

  record(rec: R): void {
    this.batch.records.push(rec);
  }

  send(to: string, msg: M): void {
    this.batch.messages.push({ to, msg });
  }

  reply(rid: string, result: KvResult): void {
    this.batch.replies.push({ rid, result });
  }

  /** Everything since the last call, or undefined when there is nothing. */
  take(): Batch<R, M> | undefined {
    const b = this.batch;
    if (b.records.length + b.messages.length + b.replies.length === 0) return undefined;
    this.batch = { records: [], messages: [], replies: [] };
    return b;
  }
}
