/**
 * The participant half of a txn-2pc node: the transactions prepared on the shards this node
 * holds (src/node/txn/shard-store.ts: each key's list, or a register's value, and their locks).
 *
 * - prepare: take the locks (shared for reads, exclusive for writes, no waiting: a conflict is a
 *   no vote, so there are no deadlocks), evaluate the reads in order (a read after the
 *   transaction's own write sees it), write a durable prepare record, then vote yes with the
 *   read results. Locks are held until the decision, read-only shares included: releasing read
 *   locks early breaks serializability across shards.
 * - decide: commit applies the prepared writes; abort drops them; both release the locks and are
 *   recorded. A decision for a transaction it never prepared changes nothing.
 * - in doubt: a transaction prepared for longer than IN_DOUBT_MS without a decision is asked
 *   about, every QUERY_EVERY_MS, at its coordinator's log, which answers commit or abort (or
 *   nothing while it is still collecting votes). Prepared transactions survive a restart with
 *   their locks, so a restarted participant stays in doubt until it hears.
 */
import type { Bugs } from './bugs.js';
import type { Outbox, Rec } from './outbox.js';
import type { DecideMsg, Envelope, Model, PrepareMsg, VoteMsg } from './protocol.js';
import { ShardStore, type Shares } from '../../src/node/txn/shard-store.js';
import type { Key } from '../../src/node/txn/protocol.js';

/** How long a prepared transaction waits for its decision before asking the coordinator. */
export const IN_DOUBT_MS = 500;
export const QUERY_EVERY_MS = 250;

interface Prepared extends Shares {
  coord: string;
  model: Model;
  votes: VoteMsg;
  /** When it was prepared (or recovered), and when the coordinator was last asked. */
  since: number;
  askedAt: number;
}

export class Participant {
  private readonly store: ShardStore;
  private readonly prepared = new Map<string, Prepared>();
  /** Transactions decided here (true: committed), so a late or repeated prepare is refused. */
  private readonly done = new Map<string, boolean>();

  constructor(
    bugs: Bugs,
    private readonly out: Outbox,
  ) {
    this.store = new ShardStore(bugs.has('read-uncommitted'));
  }

  /** Rebuild from the log: committed lists, and prepared transactions with their locks, in doubt. */
  restore(records: readonly Rec[], now: number): void {
    const { pending, done } = this.store.replay(records);
    for (const [txn, d] of done) this.done.set(txn, d);
    for (const [txn, p] of pending) {
      const votes: VoteMsg = { type: 'vote', txn, yes: true, reads: p.results };
      this.prepared.set(txn, { coord: p.coord, model: p.model, reads: p.reads, writes: p.writes, votes, since: now - IN_DOUBT_MS, askedAt: -Infinity });
    }
  }

  prepare(msg: Envelope<PrepareMsg>, now: number): void {
    const { txn, from, model } = msg;
    const again = this.prepared.get(txn);
    if (again) return this.out.send(from, again.votes);
    const refuse = (why: string): void => this.out.send(from, { type: 'vote', txn, yes: false, reads: [], why });
    if (this.done.has(txn)) return refuse(`${txn} was already decided`);
    const p = this.store.prepare(txn, model, msg.ops);
    if (!p.yes) {
      this.done.set(txn, false);
      return refuse(p.why);
    }
    const votes: VoteMsg = { type: 'vote', txn, yes: true, reads: p.results };
    this.prepared.set(txn, { coord: from, model, reads: p.reads, writes: p.writes, votes, since: now, askedAt: now });
    this.out.record({ r: 'prepared', txn, coord: from, model, reads: p.reads, writes: p.writes, results: p.results });
    this.out.send(from, votes);
  }

  decide(msg: DecideMsg): void {
    const p = this.prepared.get(msg.txn);
    if (!p) {
      if (!this.done.has(msg.txn)) this.done.set(msg.txn, false);
      return;
    }
    this.prepared.delete(msg.txn);
    this.store.finish(msg.txn, p.model, msg.commit);
    this.done.set(msg.txn, msg.commit);
    this.out.record({ r: msg.commit ? 'committed' : 'aborted', txn: msg.txn });
  }

  /** Ask the coordinators of transactions in doubt for too long. */
  tick(now: number): void {
    for (const [txn, p] of this.prepared) {
      if (now - p.since < IN_DOUBT_MS || now - p.askedAt < QUERY_EVERY_MS) continue;
      p.askedAt = now;
      this.out.send(p.coord, { type: 'query', txn });
    }
  }

  /** The committed list at `key` (for status and tests). */
  list(key: Key): readonly Key[] {
    return this.store.list(key);
  }

  inDoubt(): number {
    return this.prepared.size;
  }
}
