/**
 * The known bugs of multi-paxos-kv, switched on with `--bug NAME`. Each is a classic Paxos
 * mistake, declared with the nemesis meant to expose it.
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { bugSetFor, type BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'accept-without-promise-check': {
    describe:
      'an acceptor accepts (and learns from) an accept request of any ballot, also one lower than ' +
      'it promised to a newer leader, so a deposed leader still gathers majorities and two leaders ' +
      'choose different values for one slot; partitions where a node hears two leaders (majorities ' +
      'ring, bridge) expose it; bridge-primary (the leader on one side of a bridge) aims at that',
    nemeses: ['bridge-primary'],
  },
  'forget-accepted-on-restart': {
    describe:
      'a restarted acceptor reloads its promise but not its accepted values (its log), so a new ' +
      'leader whose promises come from nodes that forgot finds nothing accepted and fills chosen ' +
      'slots with no-ops or new values; killing every node at once exposes it',
    nemeses: ['kill-all'],
  },
} as const satisfies Record<string, KnownBug>;

export type Bugs = BugSet<keyof typeof BUGS>;

/** The bugs switched on; unknown names are an error. */
export const bugSet = bugSetFor('multi-paxos-kv', BUGS);
