/**
 * The known bugs of lock-service, switched on with `--bug NAME`, each with the nemesis meant to
 * expose it.
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'no-fencing': {
    describe:
    'fencing tokens come from a counter the leader keeps in memory, counting only the grants it ' +
    'handed out itself since it started, and the fenced resource accepts any token; a new leader, ' +
    'or every node restarted at once, hands out tokens already granted, and a stale holder\'s write ' +
    'is accepted after a newer one; killing every node at once exposes it every time (a kill of the ' +
    'leader alone, in the seeds that draw one)',
    nemeses: ['kill-all'],
  },
  'lease-without-grace': {
    describe:
    "a session expires as soon as its lease has passed on the leader's wall clock, with no grace " +
    "period for the difference between the leader's clock and the holder's and no check against " +
    'its monotonic clock; a leader whose clock jumps ahead expires a holder still inside its lease ' +
    'and grants the lock to another',
    // Only the leader's clock matters, and `clock` leaves a quarter of its windows to other nodes.
    nemeses: ['clock-primary'],
  },
  'bully-no-term': {
    describe:
    'with the bully election (which this bug switches on), leadership passes by rank alone: a ' +
    'coordinator announces itself in the term it already knows instead of a fresh one and leads ' +
    'with its own log, and nodes grant a coordinator of their own term, so the old leader is never ' +
    'fenced: a higher node that returns (from a partition, a crash) takes over with a stale log in ' +
    'the same term, and entries of the two leaders collide at the same index',
    // The leader is the highest-ranked node: cutting it off (alone or with a minority) is the
    // cut that makes the majority elect another and the leader return to take over.
    nemeses: ['partition-primary'],
  },
} as const satisfies Record<string, KnownBug>;

export type BugName = keyof typeof BUGS;

/** The bugs switched on; unknown names are an error. Only bully-no-term is in the Raft core (its bully election). */
export class Bugs extends BugSet<BugName> {
  constructor(names: readonly string[] = []) {
    super('lock-service', BUGS, names);
  }
}
