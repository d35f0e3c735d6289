/**
 * The known bugs of lock-service, switched on with `--bug NAME`, each with the nemesis meant to
 * expose it.
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'no-fencing': {
    describe:
    'fencing tokens come from a counter the leader keeps in memory, following only the grants it ' +
    'applies while it leads, and the fenced resource accepts any token; after a leader change the ' +
    "new leader hands out tokens already granted, and a stale holder's write is accepted after a " +
    'newer one',
    nemeses: ['kill'],
  },
  'lease-without-grace': {
    describe:
    "a session expires as soon as its lease has passed on the leader's wall clock, with no grace " +
    "period for the difference between the leader's clock and the holder's and no check against " +
    'its monotonic clock; a leader whose clock jumps ahead expires a holder still inside its lease ' +
    'and grants the lock to another',
    nemeses: ['clock'],
  },
} as const satisfies Record<string, KnownBug>;

export type BugName = keyof typeof BUGS;

/** The bugs switched on; unknown names are an error. None of them is a bug of the Raft core. */
export class Bugs extends BugSet<BugName> {
  constructor(names: readonly string[] = []) {
    super('lock-service', BUGS, names);
  }
}
