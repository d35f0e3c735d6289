/**
 * The participant half of a txn-3pc node: prepare and carry out outcomes as every participant
 * here does (src/node/txn/participant.ts: locks, durable prepare records), with three-phase
 * commit's states and timeouts:
 *
 * - *uncertain* (voted yes, prepared): pre-commit moves it on, abort ends it; silence for
 *   UNCERTAIN_TIMEOUT_MS aborts it on its own: the coordinator cannot have decided commit
 *   without pre-committing every participant first, so (absent partitions) nobody committed;
 * - *pre-committed* (recorded, acknowledged): do-commit ends it; silence for PRECOMMIT_TIMEOUT_MS
 *   commits it on its own: every participant voted yes, so the outcome is commit.
 *
 * A participant never blocks on a coordinator that is gone, unlike txn-2pc's in doubt, which is
 * why a crashed coordinator does not hold locks. A partition breaks the rule's premise: a
 * participant cut off before it hears pre-commit aborts while the others, pre-committed, commit
 * (the coordinator commits once the acknowledgements time out). That split decision is
 * three-phase commit's known weakness, not a bug. A restarted participant comes back in the state
 * its log says, its timer started afresh.
 */
import { ShardParticipant, type PreparedTxn } from '../../src/node/txn/participant.js';
import type { Envelope, Outbox, PrecommitMsg, Rec } from './protocol.js';

/** Longer than the coordinator's vote timeout, so a coordinator still collecting votes is never overtaken. */
export const UNCERTAIN_TIMEOUT_MS = 1500;
/** Longer than the coordinator's acknowledgement timeout, so it commits first. */
export const PRECOMMIT_TIMEOUT_MS = 1500;

type State = 'uncertain' | 'precommitted';

interface Prepared extends PreparedTxn {
  state: State;
  /** When it entered its state (or came back after a restart). */
  since: number;
}

export class Participant extends ShardParticipant<Prepared> {
  constructor(private readonly out: Outbox) {
    super(out);
  }

  protected track(_txn: string, p: PreparedTxn, now: number): Prepared {
    return { ...p, state: 'uncertain', since: now };
  }

  /** Rebuild from the log: prepared transactions uncertain, or pre-committed if recorded so. */
  override restore(records: readonly Rec[], now: number): void {
    super.restore(records, now);
    for (const rec of records) {
      const p = rec.r === 'precommitted' ? this.prepared.get(rec.txn) : undefined;
      if (p) p.state = 'precommitted';
    }
  }

  precommit(msg: Envelope<PrecommitMsg>, now: number): void {
    const p = this.prepared.get(msg.txn);
    // Committed already (a do-commit, or its own timeout): the acknowledgement still holds.
    if (!p) return void (this.done.get(msg.txn) === true && this.out.send(msg.from, { type: 'ack', txn: msg.txn }));
    if (p.state === 'uncertain') {
      p.state = 'precommitted';
      p.since = now;
      this.out.record({ r: 'precommitted', txn: msg.txn });
    }
    this.out.send(msg.from, { type: 'ack', txn: msg.txn });
  }

  /** Retry lock waits, and decide on their own the transactions whose coordinator has been silent for too long. */
  override tick(now: number): void {
    super.tick(now);
    for (const [txn, p] of this.prepared) {
      const timeout = p.state === 'uncertain' ? UNCERTAIN_TIMEOUT_MS : PRECOMMIT_TIMEOUT_MS;
      if (now - p.since >= timeout) this.finish(txn, p.state === 'precommitted');
    }
  }

  /** Transactions coordinated by a node other than `self` that are uncertain here: a cut between the two now splits them. */
  uncertainElsewhere(self: string): number {
    return [...this.prepared.values()].filter((p) => p.state === 'uncertain' && p.coord !== self).length;
  }

  /** Transactions pre-committed here and not yet done. */
  precommitted(): number {
    return [...this.prepared.values()].filter((p) => p.state === 'precommitted').length;
  }
}
