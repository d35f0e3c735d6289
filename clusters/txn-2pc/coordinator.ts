/**
 * The coordinator half of a txn-2pc node: two-phase commit for the transactions its clients
 * send it (the shared part, src/node/txn/coordinator.ts: prepares to each shard's node, votes,
 * commit and abort messages, the client's answer).
 *
 * Phase 1 collects the votes. Any no vote, or a participant silent for PREPARE_TIMEOUT_MS (cut
 * off, crashed), aborts: the client hears a definite `fail` (nothing was or will be committed,
 * since aborts are presumed). All yes: the commit decision is written to the coordinator's log,
 * and only once it is durable do the participants hear it (phase 2) and the client get its `ok`
 * with the reads. Participants in doubt ask again (./participant.ts); the log answers them:
 * commit if a decision is recorded, abort otherwise, including after a restart that lost
 * transactions in flight. Read-only transactions need no decision record: commit and abort mean
 * the same to them.
 */
import type { Bugs } from './bugs.js';
import type { Outbox, Rec } from './outbox.js';
import type { Envelope, QueryMsg } from './protocol.js';
import { TxnCoordinator, type ActiveTxn } from '../../src/node/txn/coordinator.js';
import type { Ring } from '../../src/node/txn/ring.js';

/** How long the coordinator waits for every vote before aborting (well under a client's timeout). */
export const PREPARE_TIMEOUT_MS = 600;

interface Active extends ActiveTxn {
  writes: boolean;
}

export class Coordinator extends TxnCoordinator<Active> {
  constructor(
    self: string,
    incarnation: number,
    ring: Ring,
    private readonly bugs: Bugs,
    private readonly out: Outbox,
  ) {
    super(self, incarnation, ring, out, PREPARE_TIMEOUT_MS);
  }

  restore(records: readonly Rec[]): void {
    for (const rec of records) if (rec.r === 'decision') this.decided.set(rec.txn, true);
  }

  /** A participant in doubt: the answer is the log's, unless the transaction is still collecting votes. */
  query(msg: Envelope<QueryMsg>): void {
    if (!this.active.has(msg.txn)) this.tell(msg.from, msg.txn);
  }

  protected open(a: ActiveTxn): Active {
    return { ...a, writes: a.mops.some((m) => m[0] !== 'r') };
  }

  protected voted(txn: string, a: Active): void {
    this.settle(txn, a, false);
  }

  protected expired(txn: string, a: Active): void {
    this.settle(txn, a, true);
  }

  /** Log the decision (it is durable before phase 2 and the client's `ok` go out), then commit. */
  protected override commit(txn: string, a: Active): void {
    if (a.writes && !this.bugs.has('no-coordinator-log')) this.out.record({ r: 'decision', txn });
    super.commit(txn, a);
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
    if (timedOut) this.abort(txn, a, this.silence(a));
  }
}
