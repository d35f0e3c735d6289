/**
 * The coordinator half of a txn-3pc node: three-phase commit for the transactions its clients
 * send it.
 *
 * 1. *Can-commit* (prepare): each shard's share goes to the node holding it (src/node/txn/ring.ts),
 *    which locks, records and votes. Any no vote, or a participant silent for VOTE_TIMEOUT_MS,
 *    aborts: the participants hear abort and the client a definite `fail`.
 * 2. *Pre-commit*: every vote yes, so the coordinator records its decision to commit, and once
 *    that record is durable every participant hears pre-commit and acknowledges it once it is
 *    durable too.
 * 3. *Do-commit*: once every participant acknowledged, or ACK_TIMEOUT_MS passed (a participant
 *    that missed pre-commit is presumed to learn the outcome later: the classic protocol's rule),
 *    the participants hear commit and the client gets `ok` with the reads.
 *
 * Participants decide on their own when the coordinator goes silent (./participant.ts), so what
 * it had in flight when it crashed ends without it, and the client hears nothing (`info`). A
 * restarted coordinator sends do-commit again for every transaction its log says it
 * pre-committed (participants that committed on their own ignore it), and presumes abort for the
 * rest. Outcomes it decided are remembered to answer late votes.
 */
import type { AckMsg, Envelope, Outbox, Rec } from './protocol.js';
import type { Model, Mop, ShardOp, VoteMsg } from '../../src/node/txn/protocol.js';
import type { Ring } from '../../src/node/txn/ring.js';
import { byShard, withReads } from '../../src/node/txn/split.js';

/** How long the coordinator waits for every vote before aborting (well under a client's timeout). */
export const VOTE_TIMEOUT_MS = 600;
/** How long it waits for every pre-commit acknowledgement before committing regardless. */
export const ACK_TIMEOUT_MS = 600;

interface Active {
  rid: string;
  model: Model;
  mops: Mop[];
  shards: Map<string, ShardOp[]>;
  votes: Map<string, VoteMsg>;
  phase: 'voting' | 'precommitting';
  acks: Set<string>;
  deadline: number;
}

export class Coordinator {
  private readonly active = new Map<string, Active>();
  /** Outcomes decided in this incarnation (true: commit), for late votes. */
  private readonly decided = new Map<string, boolean>();
  private seq = 0;

  constructor(
    private readonly self: string,
    private readonly incarnation: number,
    private readonly ring: Ring,
    private readonly out: Outbox,
  ) {}

  /** After a restart: pre-committed transactions commit (again); the rest are presumed aborted. */
  restore(records: readonly Rec[]): void {
    for (const rec of records) {
      if (rec.r !== 'precommit') continue;
      this.decided.set(rec.txn, true);
      for (const node of rec.participants) this.out.send(node, { type: 'decide', txn: rec.txn, commit: true });
    }
  }

  /** Start a client's transaction. */
  begin(rid: string, model: Model, mops: Mop[], now: number): void {
    const txn = `${this.self}:${this.incarnation}:${++this.seq}`;
    const shards = byShard(this.ring, mops);
    this.active.set(txn, { rid, model, mops, shards, votes: new Map(), phase: 'voting', acks: new Set(), deadline: now + VOTE_TIMEOUT_MS });
    for (const [node, ops] of shards) this.out.send(node, { type: 'prepare', txn, model, ops });
  }

  vote(msg: Envelope<VoteMsg>, now: number): void {
    const a = this.active.get(msg.txn);
    // A vote after the outcome (late, or from before a restart: presumed abort): tell the voter.
    if (!a) return this.out.send(msg.from, { type: 'decide', txn: msg.txn, commit: this.decided.get(msg.txn) === true });
    if (a.phase !== 'voting' || !a.shards.has(msg.from)) return;
    if (!msg.yes) return this.abort(msg.txn, a, `${msg.from} refused: ${msg.why ?? 'no'}`);
    a.votes.set(msg.from, msg);
    if (a.votes.size < a.shards.size) return;
    a.phase = 'precommitting';
    a.deadline = now + ACK_TIMEOUT_MS;
    this.out.record({ r: 'precommit', txn: msg.txn, participants: [...a.shards.keys()] });
    for (const node of a.shards.keys()) this.out.send(node, { type: 'precommit', txn: msg.txn });
  }

  ack(msg: Envelope<AckMsg>): void {
    const a = this.active.get(msg.txn);
    if (!a || a.phase !== 'precommitting' || !a.shards.has(msg.from)) return;
    a.acks.add(msg.from);
    if (a.acks.size === a.shards.size) this.commit(msg.txn, a);
  }

  tick(now: number): void {
    for (const [txn, a] of this.active) {
      if (now < a.deadline) continue;
      if (a.phase === 'precommitting') this.commit(txn, a);
      else this.abort(txn, a, `no vote from ${[...a.shards.keys()].filter((n) => !a.votes.has(n)).join(', ')} within ${VOTE_TIMEOUT_MS} ms`);
    }
  }

  activeCount(): number {
    return this.active.size;
  }

  private commit(txn: string, a: Active): void {
    this.active.delete(txn);
    this.decided.set(txn, true);
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
