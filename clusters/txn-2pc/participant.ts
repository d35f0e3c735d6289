/**
 * The participant half of a txn-2pc node: prepare and decide as every participant here does
 * (src/node/txn/participant.ts: locks, durable prepare records, outcomes), and
 * - in doubt: a transaction prepared for longer than IN_DOUBT_MS without a decision is asked
 *   about, every QUERY_EVERY_MS, at its coordinator's log, which answers commit or abort (or
 *   nothing while it is still collecting votes). Prepared transactions survive a restart with
 *   their locks, so a restarted participant stays in doubt until it hears.
 */
import type { Bugs } from './bugs.js';
import type { Outbox } from './outbox.js';
import { ShardParticipant, type PreparedTxn } from '../../src/node/txn/participant.js';

/** How long a prepared transaction waits for its decision before asking the coordinator. */
export const IN_DOUBT_MS = 500;
export const QUERY_EVERY_MS = 250;

interface Prepared extends PreparedTxn {
  /** When it was prepared (or recovered), and when the coordinator was last asked. */
  since: number;
  askedAt: number;
}

export class Participant extends ShardParticipant<Prepared> {
  constructor(
    bugs: Bugs,
    private readonly out: Outbox,
  ) {
    super(out, bugs.has('read-uncommitted'));
  }

  /** A transaction reloaded after a restart is in doubt at once. */
  protected track(_txn: string, p: PreparedTxn, now: number, recovered: boolean): Prepared {
    return recovered ? { ...p, since: now - IN_DOUBT_MS, askedAt: -Infinity } : { ...p, since: now, askedAt: now };
  }

  /** Retry lock waits, and ask the coordinators of transactions in doubt for too long. */
  override tick(now: number): void {
    super.tick(now);
    for (const [txn, p] of this.prepared) {
      if (now - p.since < IN_DOUBT_MS || now - p.askedAt < QUERY_EVERY_MS) continue;
      p.askedAt = now;
      this.out.send(p.coord, { type: 'query', txn });
    }
  }
}
