/**
 * What every participant here does, whatever its commit protocol: prepare a transaction's share
 * on the shards this node holds, and carry out an outcome. Each protocol adds what a prepared
 * transaction waits for (txn-2pc: its coordinator's answer; txn-3pc: pre-commit and timeouts).
 *
 * - prepare: take the locks (./shard-store.ts: shared for reads, exclusive for writes), evaluate
 *   the reads in order, write a durable prepare record, then vote yes with the read results. A
 *   repeated prepare gets the same vote (or keeps waiting); a prepare of a transaction already
 *   decided here (a late one, after its abort) is refused. Locks are held until the outcome,
 *   read-only shares included: releasing read locks early breaks serializability across shards.
 * - lock waits: wound-wait without the wound (a prepared holder cannot be made to abort): a
 *   transaction younger than every holder of a lock it needs waits, at most LOCK_WAIT_MS
 *   (./lock-wait.ts), then is refused; an older one is refused at once. Contending transactions
 *   queue in the order they began, and every wait is of a younger transaction for an older one,
 *   on every shard, so no cycle of waits (a deadlock across shards) can form.
 * - outcome: commit applies the prepared writes; abort drops them; both release the locks and are
 *   recorded. An outcome for a transaction never prepared here changes nothing but refuses its
 *   prepare, should it still come.
 * - restart: prepared transactions come back from the log with their locks.
 */
import type { DecideMsg, Key, Model, PrepareMsg, VoteMsg } from './protocol.js';
import { LOCK_WAIT_MS, LockWaits } from './lock-wait.js';
import { ShardStore, type ParticipantRec, type Shares } from './shard-store.js';

/** A transaction prepared here, as every protocol keeps it. */
export interface PreparedTxn extends Shares {
  coord: string;
  model: Model;
  /** The transaction's age (its prepare's `ts`); -Infinity for one reloaded after a restart. */
  ts: number;
  /** The yes vote, sent again for a repeated prepare. */
  votes: VoteMsg;
}

/** Where a participant's records and votes go (a node's outbox). */
export interface ParticipantOut {
  record(rec: ParticipantRec): void;
  send(to: string, msg: VoteMsg): void;
}

export abstract class ShardParticipant<P extends PreparedTxn> {
  protected readonly store: ShardStore;
  protected readonly prepared = new Map<string, P>();
  /** Transactions decided here (true: committed). */
  protected readonly done = new Map<string, boolean>();
  /** Prepares waiting for locks other transactions hold. */
  private readonly waits = new LockWaits<PrepareMsg & { from: string }>();

  constructor(
    private readonly sink: ParticipantOut,
    readUncommitted = false,
  ) {
    this.store = new ShardStore(readUncommitted);
  }

  /** The protocol's view of a transaction just prepared (or reloaded from the log: `recovered`). */
  protected abstract track(txn: string, prepared: PreparedTxn, now: number, recovered: boolean): P;

  /** Rebuild from the log: committed values, and prepared transactions with their locks. */
  restore(records: readonly { r: string }[], now: number): void {
    const { pending, done } = this.store.replay(records);
    for (const [txn, d] of done) this.done.set(txn, d);
    for (const [txn, p] of pending) {
      const votes: VoteMsg = { type: 'vote', txn, yes: true, reads: p.results };
      this.prepared.set(txn, this.track(txn, { coord: p.coord, model: p.model, ts: -Infinity, reads: p.reads, writes: p.writes, votes }, now, true));
    }
  }

  prepare(msg: PrepareMsg & { from: string }, now: number): void {
    const again = this.prepared.get(msg.txn);
    if (again) return this.sink.send(msg.from, again.votes);
    if (this.waits.has(msg.txn)) return;
    if (this.done.has(msg.txn)) return this.refuse(msg, `${msg.txn} was already decided`);
    if (!this.tryPrepare(msg, now, false)) this.waits.add(msg.txn, msg, now);
  }

  /** Retry the prepares waiting for locks; those whose wait ran out are refused. */
  tick(now: number): void {
    this.waits.retry(now, (msg, last) => this.tryPrepare(msg, now, last));
  }

  /**
   * Lock, record and vote yes, or refuse; false (nothing done) when the keys are locked by other
   * transactions and this is not the `last` try.
   */
  private tryPrepare(msg: PrepareMsg & { from: string }, now: number, last: boolean): boolean {
    const { txn, from, model } = msg;
    const p = this.store.prepare(txn, model, msg.ops);
    if (!p.yes) {
      const waits = p.holders.length > 0 && p.holders.every((h) => this.youngerThan(msg, h));
      if (waits && !last) return false;
      this.done.set(txn, false);
      this.refuse(msg, p.holders.length === 0 ? p.why : waits ? `${p.why} (waited ${LOCK_WAIT_MS} ms)` : `${p.why}, a younger transaction`);
      return true;
    }
    const votes: VoteMsg = { type: 'vote', txn, yes: true, reads: p.results };
    this.prepared.set(txn, this.track(txn, { coord: from, model, ts: msg.ts, reads: p.reads, writes: p.writes, votes }, now, false));
    this.sink.record({ r: 'prepared', txn, coord: from, model, reads: p.reads, writes: p.writes, results: p.results });
    this.sink.send(from, votes);
    return true;
  }

  /** Whether the transaction `msg` prepares began after `holder` (ties broken by id). */
  private youngerThan(msg: PrepareMsg, holder: string): boolean {
    const ts = this.prepared.get(holder)?.ts ?? -Infinity;
    return msg.ts > ts || (msg.ts === ts && msg.txn > holder);
  }

  private refuse(msg: PrepareMsg & { from: string }, why: string): void {
    this.sink.send(msg.from, { type: 'vote', txn: msg.txn, yes: false, reads: [], why });
  }

  /** The coordinator's outcome. */
  decide(msg: DecideMsg): void {
    this.waits.drop(msg.txn);
    if (this.prepared.has(msg.txn)) this.finish(msg.txn, msg.commit);
    else if (!this.done.has(msg.txn)) this.done.set(msg.txn, false);
  }

  /** The committed list at `key` (a register's value as a list of one), for status and tests. */
  list(key: Key): readonly Key[] {
    return this.store.list(key);
  }

  /** Transactions prepared here and not yet decided. */
  inDoubt(): number {
    return this.prepared.size;
  }

  /** Carry out `txn`'s outcome, decided here or by the coordinator. */
  protected finish(txn: string, commit: boolean): void {
    const p = this.prepared.get(txn);
    if (!p) return;
    this.prepared.delete(txn);
    this.store.finish(txn, p.model, commit);
    this.done.set(txn, commit);
    this.sink.record({ r: commit ? 'committed' : 'aborted', txn });
  }
}
