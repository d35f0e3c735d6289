/**
 * The coordinator half of a txn-2pc node: two-phase commit for the transactions its clients
 * send it.
 *
 * Phase 1 sends each shard's micro-operations to the node owning it (./ring.ts) and collects the
 * votes. Any no vote, or a participant silent for PREPARE_TIMEOUT_MS (cut off, crashed), aborts:
 * the client hears a definite `fail` (nothing was or will be committed, since aborts are
 * presumed). All yes: the commit decision is written to the coordinator's log, and only once it
 * is durable do the participants hear it (phase 2) and the client get its `ok` with the reads.
 * Participants in doubt ask again (./participant.ts); the log answers them: commit if a decision
 * is recorded, abort otherwise, including after a restart that lost transactions in flight.
 * Read-only transactions need no decision record: commit and abort mean the same to them.
 */
import type { Bugs } from './bugs.js';
import type { Outbox, Rec } from './outbox.js';
import type { Envelope, Model, Mop, QueryMsg, ShardOp, VoteMsg } from './protocol.js';
import { byShard, withReads } from '../../src/node/txn/split.js';
import type { Ring } from '../../src/node/txn/ring.js';

/** How long the coordinator waits for every vote before aborting (well under a client's timeout). */
export const PREPARE_TIMEOUT_MS = 600;

interface Active {
  rid: string;
  model: Model;
  mops: Mop[];
  shards: Map<string, ShardOp[]>;
  votes: Map<string, Envelope<VoteMsg>>;
  deadline: number;
  writes: boolean;
}

export class Coordinator {
  private readonly active = new Map<string, Active>();
  /** Outcomes decided: commits from the log and this run, aborts of this run (others presumed). */
  private readonly decided = new Map<string, boolean>();
  private seq = 0;

  constructor(
    private readonly self: string,
    private readonly incarnation: number,
    private readonly ring: Ring,
    private readonly bugs: Bugs,
    private readonly out: Outbox,
  ) {}

  restore(records: readonly Rec[]): void {
    for (const rec of records) if (rec.r === 'decision') this.decided.set(rec.txn, true);
  }

  /** Start a client's transaction. */
  begin(rid: string, model: Model, mops: Mop[], now: number): void {
    const txn = `${this.self}:${this.incarnation}:${++this.seq}`;
    const shards = byShard(this.ring, mops);
    this.active.set(txn, { rid, model, mops, shards, votes: new Map(), deadline: now + PREPARE_TIMEOUT_MS, writes: mops.some((m) => m[0] !== 'r') });
    for (const [node, ops] of shards) this.out.send(node, { type: 'prepare', txn, model, ops });
  }

  vote(msg: Envelope<VoteMsg>): void {
    const a = this.active.get(msg.txn);
    // A vote after the decision (late, repeated, from before a restart): tell the voter again.
    if (!a) return this.out.send(msg.from, { type: 'decide', txn: msg.txn, commit: this.decided.get(msg.txn) === true });
    if (!a.shards.has(msg.from)) return;
    a.votes.set(msg.from, msg);
    this.settle(msg.txn, a, false);
  }

  /** A participant in doubt: the answer is the log's, unless the transaction is still collecting votes. */
  query(msg: Envelope<QueryMsg>): void {
    if (this.active.has(msg.txn)) return;
    this.out.send(msg.from, { type: 'decide', txn: msg.txn, commit: this.decided.get(msg.txn) === true });
  }

  tick(now: number): void {
    for (const [txn, a] of this.active) if (now >= a.deadline) this.settle(txn, a, true);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Decide when the votes (or the deadline) allow. */
  private settle(txn: string, a: Active, timedOut: boolean): void {
    const votes = [...a.votes.values()];
    const yes = votes.filter((v) => v.yes).length;
    const refusal = votes.find((v) => !v.yes);
    const majorityRule = this.bugs.has('commit-before-all-prepared');
    // Reads can only be answered once every shard with reads has said what it read.
    const readsIn = [...a.shards].every(([node, ops]) => a.votes.has(node) || !ops.some(([, m]) => m[0] === 'r'));
    if (majorityRule ? yes > a.shards.size / 2 && readsIn : yes === a.shards.size) return this.commit(txn, a);
    if (refusal && (!majorityRule || a.votes.size === a.shards.size)) return this.abort(txn, a, `${refusal.from} refused: ${refusal.why ?? 'no'}`);
    if (timedOut) {
      const silent = [...a.shards.keys()].filter((n) => !a.votes.has(n));
      this.abort(txn, a, `no vote from ${silent.join(', ')} within ${PREPARE_TIMEOUT_MS} ms`);
    }
  }

  private commit(txn: string, a: Active): void {
    this.active.delete(txn);
    this.decided.set(txn, true);
    if (a.writes && !this.bugs.has('no-coordinator-log')) this.out.record({ r: 'decision', txn });
    for (const node of a.shards.keys()) this.out.send(node, { type: 'decide', txn, commit: true });
    this.out.reply(a.rid, { type: 'ok', value: withReads(a.mops, a.votes.values()) });
  }

  private abort(txn: string, a: Active, why: string): void {
    this.active.delete(txn);
    this.decided.set(txn, false);
    for (const node of a.shards.keys()) this.out.send(node, { type: 'decide', txn, commit: false });
    this.out.reply(a.rid, { type: 'fail', error: 'aborted', message: why });
  }
}
