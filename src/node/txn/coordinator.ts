/**
 * What every coordinator here does with a client's transaction, whatever its commit protocol:
 * number it (`node:incarnation:seq`, so no id is reused after a restart), send each shard's share
 * to the node holding it (./split.ts) as a prepare, collect the votes until a deadline, and end it:
 * commit (every participant hears it, the client gets `ok` with the reads) or abort (every
 * participant hears it, the client a definite `fail`). Outcomes are remembered to answer late
 * votes. Each protocol says what a vote, the deadline and a commit mean to it (txn-2pc: a durable
 * decision, then phase 2; txn-3pc: pre-commit and acknowledgements before do-commit).
 */
import type { KvResult } from '../kv/protocol.js';
import type { DecideMsg, Model, Mop, PrepareMsg, ShardOp, VoteMsg } from './protocol.js';
import type { Ring } from './ring.js';
import { byShard, withReads } from './split.js';

/** Where a coordinator's messages and replies go (a node's outbox). */
export interface CoordinatorOut {
  send(to: string, msg: PrepareMsg | DecideMsg): void;
  reply(rid: string, result: KvResult): void;
}

/** A transaction being coordinated, as every protocol keeps it. */
export interface ActiveTxn {
  rid: string;
  model: Model;
  mops: Mop[];
  /** Each participant's share. */
  shards: Map<string, ShardOp[]>;
  /** The votes received, by participant. */
  votes: Map<string, VoteMsg & { from: string }>;
  /** When the protocol's current wait runs out. */
  deadline: number;
}

export abstract class TxnCoordinator<A extends ActiveTxn> {
  protected readonly active = new Map<string, A>();
  /** Outcomes decided (true: commit), for late votes and participants' questions. */
  protected readonly decided = new Map<string, boolean>();
  private seq = 0;

  constructor(
    protected readonly self: string,
    private readonly incarnation: number,
    private readonly ring: Ring,
    private readonly sink: CoordinatorOut,
    /** How long every vote is waited for before the transaction aborts. */
    protected readonly voteTimeoutMs: number,
  ) {}

  /** The protocol's view of a transaction just begun. */
  protected abstract open(txn: ActiveTxn): A;
  /** A vote from one of `a`'s participants, recorded in `a.votes`. */
  protected abstract voted(txn: string, a: A, vote: VoteMsg & { from: string }, now: number): void;
  /** `a`'s deadline has passed. */
  protected abstract expired(txn: string, a: A, now: number): void;

  /** Start a client's transaction. */
  begin(rid: string, model: Model, mops: Mop[], now: number): void {
    const txn = `${this.self}:${this.incarnation}:${++this.seq}`;
    const shards = byShard(this.ring, mops);
    this.active.set(txn, this.open({ rid, model, mops, shards, votes: new Map(), deadline: now + this.voteTimeoutMs }));
    for (const [node, ops] of shards) this.sink.send(node, { type: 'prepare', txn, model, ops, ts: now });
  }

  vote(msg: VoteMsg & { from: string }, now: number): void {
    const a = this.active.get(msg.txn);
    // A vote after the outcome (late, repeated, or from before a restart: presumed abort): tell the voter.
    if (!a) return this.tell(msg.from, msg.txn);
    if (!a.shards.has(msg.from) || a.votes.has(msg.from)) return;
    a.votes.set(msg.from, msg);
    this.voted(msg.txn, a, msg, now);
  }

  tick(now: number): void {
    for (const [txn, a] of this.active) if (now >= a.deadline) this.expired(txn, a, now);
  }

  /** Transactions still undecided here. */
  activeCount(): number {
    return this.active.size;
  }

  /** Tell `to` the outcome of `txn`: commit if decided so, else abort (presumed). */
  protected tell(to: string, txn: string): void {
    this.sink.send(to, { type: 'decide', txn, commit: this.decided.get(txn) === true });
  }

  /** Commit: every participant hears it, the client gets `ok` with the reads. */
  protected commit(txn: string, a: A): void {
    this.end(txn, a, true);
    this.sink.reply(a.rid, { type: 'ok', value: withReads(a.mops, a.votes.values()) });
  }

  /** Abort: every participant hears it, the client a definite `fail` saying why. */
  protected abort(txn: string, a: A, why: string): void {
    this.end(txn, a, false);
    this.sink.reply(a.rid, { type: 'fail', error: 'aborted', message: why });
  }

  /** Why `a` timed out waiting for votes. */
  protected silence(a: A): string {
    const silent = [...a.shards.keys()].filter((n) => !a.votes.has(n));
    return `no vote from ${silent.join(', ')} within ${this.voteTimeoutMs} ms`;
  }

  private end(txn: string, a: A, commit: boolean): void {
    this.active.delete(txn);
    this.decided.set(txn, commit);
    for (const node of a.shards.keys()) this.sink.send(node, { type: 'decide', txn, commit });
  }
}
