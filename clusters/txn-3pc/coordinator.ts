/**
 * The coordinator half of a txn-3pc node: three-phase commit for the transactions its clients
 * send it (the shared part, src/node/txn/coordinator.ts: prepares to each shard's node, votes,
 * commit and abort messages, the client's answer).
 *
 * 1. *Can-commit* (prepare): each participant locks, records and votes. Any no vote, or a
 *    participant silent for VOTE_TIMEOUT_MS, aborts: the participants hear abort and the client
 *    a definite `fail`.
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
 * rest.
 */
import type { AckMsg, Envelope, Outbox, Rec } from './protocol.js';
import { TxnCoordinator, type ActiveTxn } from '../../src/node/txn/coordinator.js';
import type { ShardOp, VoteMsg } from '../../src/node/txn/protocol.js';
import type { Ring } from '../../src/node/txn/ring.js';

/** How long the coordinator waits for every vote before aborting (well under a client's timeout). */
export const VOTE_TIMEOUT_MS = 600;
/** How long it waits for every pre-commit acknowledgement before committing regardless. */
export const ACK_TIMEOUT_MS = 600;

interface Active extends ActiveTxn {
  phase: 'voting' | 'precommitting';
  acks: Set<string>;
  /**
   * When each participant on another node whose share writes voted yes, until its pre-commit is
   * sent: while this node waits for other votes or for its pre-commit record to be durable, that
   * participant is uncertain and a cut between the two splits the decision, losing its writes
   * (./README.md, known weakness).
   */
  exposedSince: Map<string, number>;
}

/** Whether a participant's share writes (appends, writes or adds): what a split decision loses. */
const writes = (ops: readonly ShardOp[] | undefined): boolean => (ops ?? []).some(([, mop]) => mop[0] !== 'r');

export class Coordinator extends TxnCoordinator<Active> {
  constructor(
    self: string,
    incarnation: number,
    ring: Ring,
    private readonly out: Outbox,
  ) {
    super(self, incarnation, ring, out, VOTE_TIMEOUT_MS);
  }

  /** After a restart: pre-committed transactions commit (again); the rest are presumed aborted. */
  restore(records: readonly Rec[]): void {
    for (const rec of records) {
      if (rec.r !== 'precommit') continue;
      this.decided.set(rec.txn, true);
      for (const node of rec.participants) this.tell(node, rec.txn);
    }
  }

  ack(msg: Envelope<AckMsg>): void {
    const a = this.active.get(msg.txn);
    if (!a || a.phase !== 'precommitting' || !a.shards.has(msg.from)) return;
    a.acks.add(msg.from);
    if (a.acks.size === a.shards.size) this.commit(msg.txn, a);
  }

  /**
   * For each participant exposed here (on another node, its share writing, its yes vote in and
   * its pre-commit not yet sent): how long, in ms, the longest of its exposures has lasted at
   * `now`. The harness aims partitions by it (src/node/txn/probe.ts).
   */
  exposed(now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of this.active.values()) for (const [node, since] of a.exposedSince) out[node] = Math.max(out[node] ?? 0, now - since);
    return out;
  }

  /** `txn`'s pre-commit left for `node`: it is exposed there no longer. */
  precommitSent(txn: string, node: string): void {
    this.active.get(txn)?.exposedSince.delete(node);
  }

  protected open(a: ActiveTxn): Active {
    return { ...a, phase: 'voting', acks: new Set(), exposedSince: new Map() };
  }

  protected voted(txn: string, a: Active, vote: VoteMsg & { from: string }, now: number): void {
    if (!vote.yes) return this.abort(txn, a, `${vote.from} refused: ${vote.why ?? 'no'}`);
    if (vote.from !== this.self && writes(a.shards.get(vote.from))) a.exposedSince.set(vote.from, now);
    if (a.votes.size < a.shards.size) return;
    a.phase = 'precommitting';
    a.deadline = now + ACK_TIMEOUT_MS;
    this.out.record({ r: 'precommit', txn, participants: [...a.shards.keys()] });
    for (const node of a.shards.keys()) this.out.send(node, { type: 'precommit', txn });
  }

  protected expired(txn: string, a: Active): void {
    if (a.phase === 'precommitting') this.commit(txn, a);
    else this.abort(txn, a, this.silence(a));
  }
}
