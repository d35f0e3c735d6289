/**
 * The known bugs of gossip-counter, switched on with `--bug NAME`, each with the nemesis meant to
 * expose it.
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { bugSetFor, type BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'double-apply': {
    describe:
      'a node that hears from a peer again after a silence (a partition healed, the peer restarted) ' +
      "treats the peer's state as a catch-up batch and adds its entries to its own instead of taking " +
      'the maximum per entry, so increments it had already seen count twice and reads run above ' +
      'every acknowledged add',
    nemeses: ['partition'],
  },
} as const satisfies Record<string, KnownBug>;

export type Bugs = BugSet<keyof typeof BUGS>;

/** The bugs switched on; unknown names are an error. */
export const bugSet = bugSetFor('gossip-counter', BUGS);
