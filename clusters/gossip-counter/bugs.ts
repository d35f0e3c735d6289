/**
 * The known bugs of gossip-counter, switched on with `--bug NAME`; the last words of each
 * description name the nemesis meant to expose it.
 */
import { BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'double-apply':
    'a node that hears from a peer again after a silence (a partition healed, the peer restarted) ' +
    "treats the peer's state as a catch-up batch and adds its entries to its own instead of taking " +
    'the maximum per entry, so increments it had already seen count twice and reads run above ' +
    'every acknowledged add (partition)',
} as const satisfies Record<string, string>;

export type BugName = keyof typeof BUGS;
export type Bugs = BugSet<BugName>;

/** The bugs switched on; unknown names are an error. */
export const bugSet = (names: readonly string[] = []): Bugs => new BugSet('gossip-counter', BUGS, names);
